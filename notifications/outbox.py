"""Writing, claiming and finishing outbox rows: the only SQL the notifier runs on the outbox.

- `enqueue`: INSERT … ON CONFLICT (dedupe_key) DO NOTHING, so a reminder written twice,
  or by two workers at once, exists once.
- `claim`: WITH picked AS MATERIALIZED (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED])
  UPDATE … FROM picked … RETURNING, one statement.
  On PostgreSQL concurrent workers skip each other's locked rows; on SQLite the statement
  runs under the single write lock (BEGIN IMMEDIATE), which makes it atomic. Rows whose
  lease ran out (a crashed worker's) are claimable again.
- `finish`: per-row outcomes, applied only while this worker still holds the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Reply
from conversations.reply_codec import dump_all
from core.models import Notification, OutboxStatus, utcnow
from core.models.base import UTCDateTime

CHUNK = 2000
"""Rows handed to the driver at once (SQLAlchemy splits them into multi-row INSERTs)."""


@dataclass(frozen=True)
class OutboxItem:
    user_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    send_after: datetime
    summary: str
    replies: Sequence[Reply]
    routine: bool = False
    ref_id: int | None = None

    def values(self, now: datetime) -> dict[str, Any]:
        return {
            "user_id": self.user_id, "kind": self.kind, "dedupe_key": self.dedupe_key[:200], "ref_id": self.ref_id,
            "routine": self.routine, "due_at": self.due_at, "send_after": self.send_after,
            "summary": self.summary[:300], "replies": dump_all(self.replies), "status": OutboxStatus.QUEUED,
            "attempts": 0, "created_at": now,
        }


async def enqueue(session: AsyncSession, items: Sequence[OutboxItem]) -> list[int]:
    """Write rows in the caller's transaction; returns the ids of rows that were new."""
    if not items:
        return []
    table = cast(Table, Notification.__table__)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    now = utcnow()
    new: list[int] = []
    for start in range(0, len(items), CHUNK):
        rows = [item.values(now) for item in items[start : start + CHUNK]]
        # executemany of one cached statement; SQLAlchemy batches it into multi-row INSERTs
        new += list((await session.execute(stmt, rows)).scalars().all())
    return new


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from any session."""

    id: int
    user_id: int
    kind: str
    ref_id: int | None
    due_at: datetime
    replies: list[Any]
    attempts: int
    """Including this attempt."""


def _claimable(now: datetime) -> Any:
    return or_(
        and_(Notification.status == OutboxStatus.QUEUED, Notification.send_after <= now),
        and_(Notification.status == OutboxStatus.SENDING, Notification.lease_until < now),
    )


async def claim(session: AsyncSession, *, worker: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Claim up to `limit` due urgent rows (and rows of expired leases) for `worker`; commits."""
    # A materialised CTE, not `id IN (subquery)`: PostgreSQL may run such a subquery more than
    # once, and with SKIP LOCKED each run picks *further* rows, claiming more than `limit`.
    picked = (
        select(Notification.id)
        .where(_claimable(now), Notification.routine.is_(False))
        .order_by(Notification.send_after, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    stmt = (
        update(Notification)
        .where(Notification.id == picked.c.id, _claimable(now))
        .values(
            status=OutboxStatus.SENDING, claimed_by=worker, lease_until=now + lease, attempts=Notification.attempts + 1
        )
        .returning(
            Notification.id, Notification.user_id, Notification.kind, Notification.ref_id, Notification.due_at,
            Notification.replies, Notification.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(stmt)).all()
    await session.commit()
    claimed = [Claimed(*row) for row in rows]
    claimed.sort(key=lambda c: c.id)
    return claimed


@dataclass
class Outcome:
    """What became of one claimed row."""

    id: int
    status: OutboxStatus
    attempts: int
    send_after: datetime | None = None
    last_error: str | None = None
    platform: str | None = None
    chat_id: str | None = None
    message_ids: str | None = None
    sent_at: datetime | None = None


async def finish(session: AsyncSession, *, worker: str, outcomes: Sequence[Outcome]) -> int:
    """Apply outcomes in one transaction; rows another worker re-claimed meanwhile are left alone."""
    if not outcomes:
        return 0
    table = cast(Table, Notification.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("o_id"), table.c.claimed_by == worker, table.c.status == OutboxStatus.SENDING)
        .values(
            status=bindparam("o_status", type_=table.c.status.type),
            attempts=bindparam("o_attempts"),
            send_after=func.coalesce(bindparam("o_send_after", type_=UTCDateTime()), table.c.send_after),
            last_error=bindparam("o_error"), platform=bindparam("o_platform"), chat_id=bindparam("o_chat"),
            message_ids=bindparam("o_messages"), sent_at=bindparam("o_sent_at", type_=UTCDateTime()), lease_until=None,
        )
    )
    params = [
        {
            "o_id": o.id, "o_status": o.status, "o_attempts": o.attempts, "o_send_after": o.send_after,
            "o_error": (o.last_error or None) and o.last_error[:2000], "o_platform": o.platform, "o_chat": o.chat_id,
            "o_messages": o.message_ids, "o_sent_at": o.sent_at,
        }
        for o in outcomes
    ]
    await session.execute(stmt, params)
    await session.commit()
    return len(params)
