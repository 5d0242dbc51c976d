"""Each Telegram update is handled once, by update_id, across restarts and workers.

Telegram redelivers an update when our answer was slow or lost, and polling after a restart
may see the last batch again. Every turn carries `(source, update_id)` as its event id; the
engine writes that marker in the same transaction as the turn's effects and drops a
redelivery, so an update is done exactly once even when two workers get it at the same time.
Markers older than a week are forgotten (Telegram gives up redelivering within a day).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import utcnow
from core.services.inbound_dedupe import prune

KEEP = timedelta(days=7)


def source_of(bot_id: int) -> str:
    """Update ids are per bot: a second bot on the same database keeps its own."""
    return f"telegram:{bot_id}"


async def forget_old(sessionmaker: async_sessionmaker[AsyncSession], source: str) -> int:
    async with sessionmaker() as session:
        gone = await prune(session, source=source, before=utcnow() - KEEP)
        await session.commit()
    return gone
