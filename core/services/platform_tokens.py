"""Vendor access tokens cached in the database, shared by every worker, refreshed once.

WeCom's `gettoken`, Feishu's `tenant_access_token` and DingTalk's `accessToken` are rate
limited and live about two hours. Each worker asking for its own would both stampede the
endpoint and, on WeCom, invalidate nothing but waste the quota; so the token lives in one
row. A reader takes the row as it is while it is fresh; a refresher locks the row (FOR
UPDATE on PostgreSQL; SQLite transactions already begin IMMEDIATE), looks again — another
worker may have refreshed it meanwhile — and only then calls the vendor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models.base import utcnow
from core.models.platform_tokens import PlatformToken

log = logging.getLogger(__name__)

Fetch = Callable[[], Awaitable[tuple[str, float]]]
"""Asks the vendor for a new token: (token, seconds it lives), e.g. ('…', 7200)."""

REFRESH_MARGIN = timedelta(minutes=5)
"""Refresh this long before the vendor's expiry, so that a token is never used as it dies."""
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
_local_locks: dict[str, asyncio.Lock] = {}


def _fresh(row: PlatformToken | None, now: datetime) -> str | None:
    if row is None or not row.value:
        return None
    lifetime_margin = min(REFRESH_MARGIN, (row.expires_at - row.updated_at) / 2)
    return row.value if row.expires_at - lifetime_margin > now else None


async def get_or_refresh(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    name: str,
    fetch: Fetch,
    now: Callable[[], datetime] = utcnow,
) -> str:
    """The cached token `name`, or a new one from `fetch` if it is missing or about to expire."""
    async with sessionmaker() as session:
        value = _fresh(await session.get(PlatformToken, name), now())
    if value is not None:
        return value
    # One refresher per process without touching the database; the row lock handles the rest.
    async with _local_locks.setdefault(name, asyncio.Lock()):
        return await _refresh(sessionmaker, name=name, fetch=fetch, now=now)


async def _refresh(
    sessionmaker: async_sessionmaker[AsyncSession], *, name: str, fetch: Fetch, now: Callable[[], datetime]
) -> str:
    async with sessionmaker() as session:
        await _ensure_row(session, name)
        await session.commit()
    async with sessionmaker() as session, session.begin():
        row = await session.scalar(select(PlatformToken).where(PlatformToken.name == name).with_for_update())
        assert row is not None
        value = _fresh(row, now())
        if value is not None:
            return value  # another worker refreshed it while we waited for the lock
        token, lifetime_s = await fetch()
        if not token or lifetime_s <= 0:
            raise ValueError(f"the vendor gave no usable token for {name}")
        at = now()
        row.value, row.expires_at, row.updated_at = token, at + timedelta(seconds=lifetime_s), at
        log.info("access token %s refreshed, valid %d s", name, int(lifetime_s))
        return token


async def _ensure_row(session: AsyncSession, name: str) -> None:
    """A placeholder row to lock, created once (concurrent creators both succeed)."""
    values = {"name": name, "value": "", "expires_at": NEVER, "updated_at": NEVER}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await session.execute(insert(PlatformToken).values(**values).on_conflict_do_nothing(index_elements=["name"]))
    elif await session.get(PlatformToken, name) is None:
        session.add(PlatformToken(**values))


async def invalidate(sessionmaker: async_sessionmaker[AsyncSession], *, name: str, value: str | None = None) -> bool:
    """Forget the token after the vendor called it invalid (WeCom 40014/42001, Feishu 99991663 …).

    With `value`, only if that is still the stored token: a worker holding a stale copy must
    not throw away the good token another worker has just fetched. True if one was dropped.
    """
    stmt = update(PlatformToken).where(PlatformToken.name == name, PlatformToken.value != "")
    if value is not None:
        stmt = stmt.where(PlatformToken.value == value)
    async with sessionmaker() as session, session.begin():
        result = await session.execute(stmt.values(value="", expires_at=NEVER).execution_options(synchronize_session=False))
    dropped = bool(getattr(result, "rowcount", 0))
    if dropped:
        log.info("access token %s invalidated", name)
    return dropped
