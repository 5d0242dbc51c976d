"""Each Telegram update is handled once, by update_id, across restarts and workers.

Telegram redelivers an update when our answer was slow or lost; polling after a restart can
see the last batch again. The marker row is committed before the work starts, so a
redelivery that races the first delivery on another worker waits for it and is dropped
(at most once: an update whose processing crashes is not retried).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import utcnow
from core.services.inbound_dedupe import first_time, prune

log = logging.getLogger(__name__)
KEEP = timedelta(days=7)


class DedupeMiddleware(BaseMiddleware):
    """Outer middleware on the dispatcher's update observer (webhook and polling alike)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], source: str, slots: asyncio.Semaphore) -> None:
        self.sessionmaker, self.source, self.slots = sessionmaker, source, slots

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update) and not await self.first_time(event.update_id):
            log.info("update %s already handled; dropped", event.update_id)
            return None
        return await handler(event, data)

    async def first_time(self, update_id: int) -> bool:
        async with self.slots, self.sessionmaker() as session:
            new = await first_time(session, source=self.source, event_id=str(update_id))
            await session.commit()
        return new

    async def forget_old(self) -> int:
        async with self.sessionmaker() as session:
            gone = await prune(session, source=self.source, before=utcnow() - KEEP)
            await session.commit()
        return gone
