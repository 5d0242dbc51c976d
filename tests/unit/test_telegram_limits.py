"""Send limits: bursts of three per chat then the chat's rate, an overall rate, and 429 retry_after."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage

from bots.base import DeliveryError
from bots.telegram.limits import SendLimits


async def timed(limits: SendLimits, chats: list[str]) -> float:
    async def ok() -> str:
        return "sent"

    started = time.perf_counter()
    await asyncio.gather(*(limits.send(chat, ok) for chat in chats))
    return time.perf_counter() - started


async def test_one_chat_gets_a_burst_of_three_then_its_rate() -> None:
    limits = SendLimits(per_second=1000, chat_per_second=4)
    assert await timed(limits, ["111"] * 3) < 0.2
    assert 0.35 < await timed(limits, ["111"] * 2) < 1.0  # the bucket is empty: 4 a second from now on


async def test_many_chats_share_the_overall_rate() -> None:
    limits = SendLimits(per_second=10, chat_per_second=1)
    assert 0.8 < await timed(limits, [str(n) for n in range(20)]) < 2.0


async def test_a_429_holds_the_chat_for_retry_after_then_sends() -> None:
    limits = SendLimits(per_second=1000, chat_per_second=1000)
    attempts: list[float] = []

    async def flaky() -> str:
        attempts.append(time.perf_counter())
        if len(attempts) == 1:
            raise TelegramRetryAfter(SendMessage(chat_id=1, text="x"), "Too Many Requests", retry_after=1)
        return "sent"

    assert await limits.send("1", flaky) == "sent"
    assert attempts[1] - attempts[0] >= 0.95


async def test_a_very_long_retry_after_is_handed_back_to_the_caller() -> None:
    limits = SendLimits()

    async def flood() -> str:
        raise TelegramRetryAfter(SendMessage(chat_id=1, text="x"), "Too Many Requests", retry_after=3600)

    with pytest.raises(DeliveryError) as caught:
        await limits.send("1", flood)
    assert caught.value.retry_after == 3600 and not caught.value.permanent
