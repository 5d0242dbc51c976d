"""Single-use tokens (signed web page links): a nonce is redeemed once, across workers.

The nonce store is the `processed_events` table (unique source + event id), the same
record that keeps platform redeliveries from being handled twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ProcessedEvent
from core.services.inbound_dedupe import first_time

SOURCE = "page-link"


async def redeem(session: AsyncSession, *, nonce: str) -> bool:
    """True the first time; the caller commits before acting on it."""
    return await first_time(session, source=SOURCE, event_id=nonce)


async def redeemed(session: AsyncSession, *, nonce: str) -> bool:
    """Whether the nonce was used already (to show "already used" before anything is sent)."""
    found = await session.scalar(
        select(ProcessedEvent.id).where(ProcessedEvent.source == SOURCE, ProcessedEvent.event_id == nonce[:200])
    )
    return found is not None
