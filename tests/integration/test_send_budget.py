"""Per-recipient send budgets: sliding windows in-process and shared through the database."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bots.base import DeliveryError
from bots.budget import DINGTALK_CHAT, FEISHU_CHAT, WECOM_MEMBER, Budget, Window
from core.db import make_sessionmaker
from core.services.send_budget import wait_needed


class Clock:
    def __init__(self, at: float = 1_900_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def test_wait_needed_is_exact_for_sliding_windows() -> None:
    windows = [(3, 10.0)]
    assert wait_needed([], windows, 100.0, 1) == 0
    assert wait_needed([91.0, 95.0, 99.0], windows, 100.0, 1) == pytest.approx(1.0)  # 91 leaves at 101
    assert wait_needed([91.0, 95.0, 99.0], windows, 100.0, 2) == pytest.approx(5.0)  # 95 leaves at 105
    assert wait_needed([90.0, 95.0, 99.0], windows, 100.0, 1) == 0  # 90 is a full window old
    assert wait_needed([], windows, 100.0, 4) == float("inf")


async def test_wecom_thirty_a_minute_then_retry_after() -> None:
    clock = Clock()
    budget = Budget("wecom", WECOM_MEMBER, clock=clock)
    for _ in range(30):
        assert await budget.would_exceed("zhangsan") == 0
        await budget.take("zhangsan")
        clock.at += 0.5
    wait = await budget.would_exceed("zhangsan")
    assert 44 < wait < 46  # the first send leaves the minute at 60.6 s (60 s plus 1 %)
    with pytest.raises(DeliveryError) as caught:
        await budget.take("zhangsan")
    assert caught.value.retry_after == pytest.approx(wait)
    assert not caught.value.permanent
    assert await budget.would_exceed("lisi") == 0  # another member has his own budget
    clock.at += wait
    await budget.take("zhangsan")


async def test_wecom_thousand_an_hour() -> None:
    clock = Clock()
    budget = Budget("wecom", WECOM_MEMBER, clock=clock)
    for _ in range(1000):
        await budget.take("wangwu")
        clock.at += 2.1  # 28.6 a minute: inside the minute window
    wait = await budget.would_exceed("wangwu")
    assert wait > 1000  # the hour window is the one that binds now
    assert await budget.would_exceed("wangwu", 1) == wait


async def test_batch_is_all_or_nothing_and_too_big_is_permanent() -> None:
    clock = Clock()
    budget = Budget("dingtalk", DINGTALK_CHAT, clock=clock)
    await budget.take("chat", 19)
    with pytest.raises(DeliveryError):
        await budget.take("chat", 2)
    await budget.take("chat", 1)
    with pytest.raises(DeliveryError) as caught:
        await budget.take("other", 21)
    assert caught.value.permanent


async def test_feishu_five_a_second() -> None:
    clock = Clock()
    budget = Budget("feishu", FEISHU_CHAT, clock=clock)
    await budget.take("oc_1", 5)
    assert 1.0 < await budget.would_exceed("oc_1") < 1.02


async def test_workers_share_one_budget_through_the_database(clean_db: AsyncEngine) -> None:
    clock = Clock()
    windows = (Window(30, 60), Window(1000, 3600))
    workers = [Budget("wecom", windows, clock=clock, shared=make_sessionmaker(clean_db)) for _ in range(3)]
    sent = 0
    for i in range(45):
        try:
            await workers[i % 3].take("zhaoliu")
            sent += 1
        except DeliveryError as exc:
            assert exc.retry_after is not None and exc.retry_after > 0
        clock.at += 0.1
    assert sent == 30  # each worker alone would have allowed 45
    assert await workers[0].would_exceed("zhaoliu") > 0
    clock.at += 61
    await workers[1].take("zhaoliu")
