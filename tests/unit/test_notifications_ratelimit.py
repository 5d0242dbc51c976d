"""The send limits are exact sliding windows: never more than N sends in ANY window of S seconds."""

from __future__ import annotations

from core.settings import Settings
from notifications.ratelimit import MARGIN_S, Limits, SlidingWindow


def test_a_slot_frees_only_when_the_oldest_send_is_a_full_period_old():
    window = SlidingWindow(3, 1.0)
    for t in (0.0, 0.1, 0.2):
        assert window.delay(t) == 0
        window.take(t)
    assert abs(window.delay(0.5) - (0.5 + MARGIN_S)) < 1e-9
    assert window.delay(1.0 + MARGIN_S) == 0


def test_a_leaky_bucket_burst_plus_drain_is_not_possible():
    """aiolimiter would admit 2N within one period (full bucket, then the drain); this admits N."""
    window, stamps, t = SlidingWindow(5, 1.0), [], 0.0
    while t < 3.0:
        wait = window.delay(t)
        if wait == 0:
            window.take(t)
            stamps.append(t)
            t += 0.001
        else:
            t += wait + 1e-9
    for i, start in enumerate(stamps):
        inside = [s for s in stamps[i:] if s < start + 1.0]
        assert len(inside) <= 5


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_platform_and_chat_windows_apply_together_and_overrides_win():
    clock = Clock()
    limits = Limits(Settings(notify_rate_platform="4/1", notify_rate_chat="2/10",
                             notify_rate_overrides={"fast": "off, off"}), clock=clock)
    assert await limits.acquire("tg", "a", max_wait=0) and await limits.acquire("tg", "a", max_wait=0)
    assert not await limits.acquire("tg", "a", max_wait=0)            # the chat's 2 per 10 s are used
    assert await limits.acquire("tg", "b", max_wait=0) and await limits.acquire("tg", "c", max_wait=0)
    assert not await limits.acquire("tg", "d", max_wait=0)            # the platform's 4 per second are used
    assert 0.9 < limits.ready_in("tg", "d") <= 1.0 + MARGIN_S
    for _ in range(50):
        assert await limits.acquire("fast", "a", max_wait=0)          # unlimited by override


async def test_a_429_pauses_that_chat_only():
    clock = Clock()
    limits = Limits(Settings(notify_rate_platform="off", notify_rate_chat="off"), clock=clock)
    limits.pause("tg", "a", 30)
    assert not await limits.acquire("tg", "a", max_wait=1)
    assert await limits.acquire("tg", "b", max_wait=0)
    clock.now += 30
    assert await limits.acquire("tg", "a", max_wait=0)
