"""Mark an inbound platform event as processed, once, across restarts and workers.

Platforms redeliver (Telegram when a webhook answer is slow, Slack on a 3 s
timeout); the unique (source, event_id) row in `processed_events` makes the
second delivery a no-op even when it reaches another worker.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import per_dialect
from core.models import ProcessedEvent
from core.models.base import utcnow

_EVENTS = cast(Table, ProcessedEvent.__table__)
_FIRST_TIME = per_dialect(
    lambda insert_: (
        insert_(_EVENTS)
        .values(source=bindparam("source"), event_id=bindparam("event_id"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(_EVENTS.c.id)
    )
)
"""Built once: every inbound platform event runs it. Core on the table, not the mapped class,
so SQLAlchemy's ORM bulk-insert path (a third of the statement's cost) is skipped."""


async def first_time(session: AsyncSession, *, source: str, event_id: str, at: datetime | None = None) -> bool:
    """True if this (source, event_id) was not seen before; the row is written in the caller's transaction.

    The caller commits (usually right away, before the slow work, so that a
    concurrent redelivery waits on the row lock and then sees it as seen). `at`: when it happened,
    for callers that reason about time themselves (sweeps run "as of" a moment); now by default.
    """
    values = {"source": source[:40], "event_id": event_id[:200], "at": at or utcnow()}
    stmt = _FIRST_TIME.get(session.get_bind().dialect.name)
    if stmt is not None:
        return (await session.execute(stmt, values)).first() is not None
    try:
        async with session.begin_nested():
            await session.execute(insert(ProcessedEvent).values(**values))
    except IntegrityError:
        return False
    return True


async def prune(session: AsyncSession, *, source: str, before: datetime) -> int:
    """Forget a source's events older than `before` (platforms stop redelivering after a day or so)."""
    result = await session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.source == source, ProcessedEvent.at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)
