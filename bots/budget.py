"""Per-recipient send budgets of the chat platforms, for adapters and the notifier.

Platforms cap what one app may send to one recipient, and some drop the excess without
an error (WeCom: 30 a minute and 1,000 an hour per member). An adapter asks its budget
before every platform call: `would_exceed` to look ahead (the notifier folds what does
not fit into a digest), `take` to reserve, which raises `DeliveryError(retry_after=…)`
instead of sending when the budget is spent, so nothing is ever dropped silently.

Windows are sliding (a slot frees when the send that took it is a window old) and are
kept in-process; with `shared=` (the database) every worker counts in the same budget.
Each window is widened by 1 % so that the platform's clock, a moment behind ours, never
sees one send too many.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.base import DeliveryError
from core.services import send_budget

MAX_KEYS = 20_000
"""In-process windows kept at most; idle ones are dropped first."""


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: float

    @property
    def span(self) -> float:
        """The window as counted here: a little wider than the platform's."""
        return self.seconds * 1.01 + 0.002


WECOM_MEMBER = (Window(30, 60), Window(1000, 3600))
"""WeCom app messages to one member (excess silently dropped by WeCom)."""
DINGTALK_CHAT = (Window(20, 60),)
"""DingTalk work notices and group robots."""
FEISHU_CHAT = (Window(5, 1),)
"""Feishu messages to one user or group."""
FEISHU_APP = (Window(50, 1),)
"""Feishu messages from one app in all."""


class Budget:
    """Sliding-window budgets keyed by recipient, e.g. Budget('wecom', WECOM_MEMBER)."""

    def __init__(
        self,
        name: str,
        windows: Sequence[Window],
        *,
        clock: Callable[[], float] = time.time,
        shared: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        if not windows:
            raise ValueError("a budget needs at least one window")
        self.name, self.windows, self.clock, self.shared = name, tuple(windows), clock, shared
        self._stamps: dict[str, deque[float]] = {}
        self._longest = max(w.span for w in self.windows)

    def _pairs(self) -> list[tuple[int, float]]:
        return [(w.limit, w.span) for w in self.windows]

    def _local(self, key: str, now: float) -> deque[float]:
        stamps = self._stamps.get(key)
        if stamps is None:
            if len(self._stamps) >= MAX_KEYS:
                self._prune(now)
            stamps = self._stamps[key] = deque()
        while stamps and stamps[0] <= now - self._longest:
            stamps.popleft()
        return stamps

    def _prune(self, now: float) -> None:
        for key in [k for k, s in self._stamps.items() if not s or s[-1] <= now - self._longest]:
            del self._stamps[key]

    async def would_exceed(self, key: str, n: int = 1) -> float:
        """Seconds until `n` more messages to `key` fit every window; 0.0 if they fit now."""
        now = self.clock()
        wait = send_budget.wait_needed(self._local(key, now), self._pairs(), now, n)
        if self.shared is not None and wait == 0:
            wait = await send_budget.peek(self.shared, key=self._db_key(key), windows=self._pairs(), now=now, n=n)
        return wait

    async def take(self, key: str, n: int = 1) -> None:
        """Reserve `n` messages to `key`, or raise DeliveryError(retry_after=…) with nothing reserved."""
        now = self.clock()
        stamps = self._local(key, now)
        wait = send_budget.wait_needed(stamps, self._pairs(), now, n)
        if wait == 0 and self.shared is not None:
            wait = await send_budget.reserve(self.shared, key=self._db_key(key), windows=self._pairs(), now=now, n=n)
        if wait == float("inf"):
            raise DeliveryError(f"{n} messages at once exceed the {self.name} budget itself", permanent=True)
        if wait > 0:
            raise DeliveryError(f"{self.name} send budget for this recipient is spent", retry_after=wait)
        stamps.extend([now] * n)

    def _db_key(self, key: str) -> str:
        return f"{self.name}:{key}"[:200]
