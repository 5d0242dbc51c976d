"""A send budget shared by every worker: sliding windows counted over stamped rows.

WeCom drops app messages past 30 a minute or 1,000 an hour to one member *silently*, so a
per-process counter is not enough once several workers send. Each reservation counts the
recipient's stamps inside every window and adds its own in the same transaction, under a
lock that serialises reservations for that key (an advisory transaction lock on
PostgreSQL; on SQLite every transaction already begins IMMEDIATE).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models.send_budget import SendStamp

Window = tuple[int, float]
"""At most `limit` sends in any `seconds`."""
LOCK_NAMESPACE = 4_242_611
"""First key of the two-key advisory lock, apart from the migration lock's."""


def wait_needed(stamps: Sequence[float], windows: Sequence[Window], now: float, n: int) -> float:
    """Seconds until `n` more sends fit every window, given the earlier send times (0: now)."""
    ordered = sorted(stamps)
    wait = 0.0
    for limit, seconds in windows:
        if n > limit:
            return float("inf")
        inside = [t for t in ordered if t > now - seconds]
        excess = len(inside) + n - limit
        if excess > 0:
            # The window frees a slot when its oldest send is `seconds` old.
            wait = max(wait, inside[excess - 1] + seconds - now)
    return max(wait, 0.0)


async def reserve(
    sessionmaker: async_sessionmaker[AsyncSession], *, key: str, windows: Sequence[Window], now: float, n: int = 1
) -> float:
    """Take `n` sends from the shared budget of `key`: 0.0 if taken, else seconds to wait (nothing taken)."""
    longest = max(seconds for _, seconds in windows)
    async with sessionmaker() as session, session.begin():
        await _lock(session, key)
        await session.execute(delete(SendStamp).where(SendStamp.key == key, SendStamp.at <= now - longest))
        stamps = (await session.scalars(select(SendStamp.at).where(SendStamp.key == key))).all()
        wait = wait_needed(stamps, windows, now, n)
        if wait > 0:
            return wait
        await session.execute(insert(SendStamp), [{"key": key, "at": now} for _ in range(n)])
    return 0.0


async def peek(
    sessionmaker: async_sessionmaker[AsyncSession], *, key: str, windows: Sequence[Window], now: float, n: int = 1
) -> float:
    """Like `reserve`, without taking anything: how long until `n` sends would fit."""
    longest = max(seconds for _, seconds in windows)
    async with sessionmaker() as session:
        stamps = (
            await session.scalars(select(SendStamp.at).where(SendStamp.key == key, SendStamp.at > now - longest))
        ).all()
    return wait_needed(stamps, windows, now, n)


async def count(sessionmaker: async_sessionmaker[AsyncSession], *, key: str, since: float) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(SendStamp.key == key, SendStamp.at > since)) or 0)


async def _lock(session: AsyncSession, key: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :k)"), {"ns": LOCK_NAMESPACE, "k": _key_hash(key)}
        )


def _key_hash(key: str) -> int:
    """A signed 32-bit number for the advisory lock's second key (collisions only serialise more)."""
    value = zlib.crc32(key.encode())
    return value - (1 << 32) if value >= 1 << 31 else value
