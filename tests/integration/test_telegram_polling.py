"""Long polling (no public URL) and aiogram's Dispatcher fed directly: the same handling as the webhook."""

from __future__ import annotations

import asyncio

from aiogram.types import Update

from bootstrap import build
from tests.integration.test_binding_dialog import new_code
from tests.support.fake_telegram import FakeBotApi
from tests.support.telegram import message, private_chat, running, telegram_settings, tg_user, update

pytest_plugins = ("tests.support.telegram_fixtures",)
"""The `tg` and `fake_api` fixtures."""

ALICE = tg_user(111, language_code="en")


async def wait_for(fake: FakeBotApi, method: str, count: int) -> None:
    """Poll the fake's record until `count` calls of `method` arrived (at most 10 s)."""
    async with asyncio.timeout(10):
        while len(fake.of(method)) < count:  # noqa: ASYNC110 (the fake records; nothing to wait on)
            await asyncio.sleep(0.02)


async def test_without_a_public_url_updates_are_polled_and_handled_once(container, world, fake_api):
    polling = await build(telegram_settings(fake_api.url, public_url=None), migrate=False, db=container.db)
    code = await new_code(polling, "rep")
    async for harness in running(polling, fake_api):
        await wait_for(fake_api, "deleteWebhook", 1)
        assert fake_api.of("setWebhook") == []
        start = update(message=message(ALICE, private_chat(ALICE), text=f"/start {code}"))
        fake_api.push_update(start)
        await wait_for(fake_api, "sendMessage", 3)
        assert fake_api.of("sendMessage")[0]["text"].startswith("Welcome, Zhang Wei!")
        fake_api.push_update(start)  # Telegram hands the same update out again (offset lost in a restart)
        fake_api.push_update(update(message=message(ALICE, private_chat(ALICE), text="/c 恒力")))
        await wait_for(fake_api, "sendMessage", 4)
        await asyncio.sleep(0.3)
        await harness.adapter.drain()
        texts = [p["text"] for p in fake_api.of("sendMessage")]
        assert len(texts) == 4 and "苏州恒力机械有限公司" in texts[3]
        offsets = [p.get("offset") for p in fake_api.of("getUpdates")]
    assert any(isinstance(o, int) and o > start["update_id"] for o in offsets)


async def test_the_dispatcher_fed_directly_answers_like_the_webhook(tg):
    adapter = tg.adapter
    raw = update(message=message(ALICE, private_chat(ALICE), text="hello"))
    await adapter.dp.feed_update(adapter.bot, Update.model_validate(raw, context={"bot": adapter.bot}))
    sent = tg.fake.of("sendMessage")
    assert [p["text"] for p in sent] == [
        "This chat is not linked to a FieldChat account yet. Send the 8-character binding code your administrator "
        "gave you (for example K7M2-Q9XD).",
        "Language / 语言",
    ]
    await adapter.dp.feed_update(adapter.bot, Update.model_validate(raw, context={"bot": adapter.bot}))
    assert len(tg.fake.of("sendMessage")) == 2
