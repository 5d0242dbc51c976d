"""Pytest fixtures for the Telegram tests (loaded with `pytest_plugins`): the fake Bot API, and
FieldChat with Telegram in webhook mode on the test world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bootstrap import Container, build
from tests.support.fake_telegram import FakeBotApi
from tests.support.telegram import Harness, running, telegram_settings


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def tg(container: Container, world: Any, fake_api: FakeBotApi) -> AsyncIterator[Harness]:
    """FieldChat with Telegram in webhook mode against the fake Bot API, on the test world."""
    telegram = await build(telegram_settings(fake_api.url), migrate=False, db=container.db)
    async for harness in running(telegram, fake_api, world):
        yield harness
