"""Send-rate limits per platform and per chat, as exact sliding windows.

A leaky bucket (aiolimiter's AsyncLimiter) lets a full bucket *plus* a period's worth of
drain through in one period, i.e. up to twice the limit in some window; platforms count
sends in windows, so here a slot frees only when the send it holds is a full period old:
at most N sends in ANY window of S seconds. A 429's `retry_after` pauses the chat.
Limits hold per delivery process; with several workers, give each its share.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from core.settings import Rate, Settings, parse_rate, parse_rates

MARGIN_S = 0.002
"""Slack so that timestamps taken a moment later on the platform side stay inside the limit."""
MAX_CHATS = 10_000


class SlidingWindow:
    """At most `n` takes in any window of `period` seconds."""

    def __init__(self, n: int, period: float) -> None:
        self.n, self.period = n, period
        self._stamps: deque[float] = deque()
        self.paused_until = 0.0

    def delay(self, now: float) -> float:
        """Seconds until a take is allowed (0: now)."""
        horizon = now - self.period - MARGIN_S
        while self._stamps and self._stamps[0] <= horizon:
            self._stamps.popleft()
        wait = self.paused_until - now
        if len(self._stamps) >= self.n:
            wait = max(wait, self._stamps[0] - horizon)
        return max(wait, 0.0)

    def take(self, now: float) -> None:
        self._stamps.append(now)

    def idle(self, now: float) -> bool:
        return self.delay(now) == 0 and (not self._stamps or self._stamps[-1] <= now - self.period)


def _window(rate: Rate) -> SlidingWindow | None:
    return SlidingWindow(*rate) if rate else None


class Limits:
    """The platform and per-chat windows of every platform, created on first use."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self._default = (parse_rate(settings.notify_rate_platform), parse_rate(settings.notify_rate_chat))
        self._overrides = {name: parse_rates(spec) for name, spec in settings.notify_rate_overrides.items()}
        self._platforms: dict[str, SlidingWindow | None] = {}
        self._chats: dict[tuple[str, str], SlidingWindow] = {}
        self.clock = clock

    def _rates(self, platform: str) -> tuple[Rate, Rate]:
        return self._overrides.get(platform, self._default)

    def _pair(self, platform: str, chat: str) -> list[SlidingWindow]:
        if platform not in self._platforms:
            self._platforms[platform] = _window(self._rates(platform)[0])
        windows = [w for w in (self._platforms[platform],) if w is not None]
        chat_rate = self._rates(platform)[1]
        key = (platform, chat)
        window = self._chats.get(key)
        if window is None and chat_rate is not None:
            self._prune()
            window = self._chats[key] = SlidingWindow(*chat_rate)
        return [*windows, window] if window is not None else windows

    def _prune(self) -> None:
        if len(self._chats) < MAX_CHATS:
            return
        now = self.clock()
        for key in [k for k, w in self._chats.items() if w.idle(now)]:
            del self._chats[key]

    async def acquire(self, platform: str, chat: str, *, max_wait: float) -> bool:
        """Take a slot in both windows, waiting up to `max_wait`; False (nothing taken) if that is not enough."""
        windows = self._pair(platform, chat)
        waited = 0.0
        while True:
            now = self.clock()
            wait = max((w.delay(now) for w in windows), default=0.0)
            if wait <= 0:
                for w in windows:
                    w.take(now)
                return True
            if waited + wait > max_wait:
                return False
            await asyncio.sleep(wait)
            waited += wait

    def pause(self, platform: str, chat: str, seconds: float) -> None:
        """The platform said 429: nothing more to this chat for `seconds`."""
        until = self.clock() + seconds
        key = (platform, chat)
        window = self._chats.get(key) or self._chats.setdefault(key, SlidingWindow(1 << 30, 1.0))
        window.paused_until = max(window.paused_until, until)

    def ready_in(self, platform: str, chat: str) -> float:
        now = self.clock()
        return max((w.delay(now) for w in self._pair(platform, chat)), default=0.0)
