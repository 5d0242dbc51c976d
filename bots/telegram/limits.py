"""Telegram's send limits, for every message we send: overall, per chat, and 429 retry_after.

Telegram allows about 30 messages a second across chats, about one a second into one chat
(short bursts pass) and 20 a minute into a group; above that it answers 429 with
`retry_after`. Each chat gets a leaky bucket with a burst of three so that a reply made of a
card and a line of text goes out at once; a 429 holds that chat back for the time asked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram.exceptions import TelegramRetryAfter
from aiolimiter import AsyncLimiter

from bots.base import DeliveryError
from bots.recent import Recent

log = logging.getLogger(__name__)
T = TypeVar("T")
BURST = 3
GROUP_PER_SECOND = 20 / 60
MAX_TRACKED_CHATS = 4096
MAX_ATTEMPTS = 3
LONGEST_WAIT_S = 60.0
"""A longer retry_after is handed back to the caller (DeliveryError) rather than slept through."""


class SendLimits:
    def __init__(self, *, per_second: float = 30.0, chat_per_second: float = 1.0) -> None:
        self._overall = AsyncLimiter(max(per_second, 1.0), max(per_second, 1.0) / per_second)
        self._chat_per_second = chat_per_second
        self._chats: Recent[str, AsyncLimiter] = Recent(MAX_TRACKED_CHATS)
        self._held_until: dict[str, float] = {}

    def _bucket(self, chat: str) -> AsyncLimiter:
        bucket = self._chats.get(chat)
        if bucket is None:
            group = chat.startswith("-")
            rate = min(self._chat_per_second, GROUP_PER_SECOND) if group else self._chat_per_second
            bucket = AsyncLimiter(BURST, BURST / rate)
            self._chats.put(chat, bucket)
        return bucket

    async def _held(self, chat: str) -> None:
        until = self._held_until.get(chat)
        if until is None:
            return
        delay = until - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            self._held_until.pop(chat, None)

    def hold(self, chat: str, seconds: float) -> None:
        self._held_until[chat] = asyncio.get_running_loop().time() + seconds

    async def send(self, chat_id: int | str, call: Callable[[], Awaitable[T]]) -> T:
        """Run one message-sending call within the limits, retrying after a 429."""
        chat = str(chat_id)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            await self._held(chat)
            async with self._bucket(chat), self._overall:
                try:
                    return await call()
                except TelegramRetryAfter as exc:
                    wait = float(exc.retry_after)
            log.warning("Telegram asked to wait %.0f s before sending again (attempt %d)", wait, attempt)
            self.hold(chat, wait)
            if wait > LONGEST_WAIT_S or attempt == MAX_ATTEMPTS:
                raise DeliveryError("Telegram flood control", retry_after=wait)
        raise AssertionError("unreachable")
