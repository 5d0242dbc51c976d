"""POST /telegram/webhook: registration, the secret, bad bodies, ignored kinds, duplicates, limits, edits."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select

from bootstrap import build
from bots.telegram import adapter as telegram_adapter
from conversations.context import Ctx
from conversations.engine import Engine
from conversations.flow import Flow
from conversations.flows import all_flows
from conversations.inbound import ConversationKey
from conversations.local import sign_in
from conversations.messages import Action, Card, Field, Media, Reply, Text
from core.models import ProcessedEvent
from core.services.inbound_dedupe import first_time
from tests.support.fake_telegram import BOT_ID, USERNAME
from tests.support.telegram import SECRET, message, private_chat, running, telegram_settings, tg_user, update

pytest_plugins = ("tests.support.telegram_fixtures",)
"""The `tg` and `fake_api` fixtures."""

ALICE = tg_user(111)


def hello(text: str = "/help") -> dict:
    return update(message=message(ALICE, private_chat(ALICE), text=text))


async def processed(harness) -> int:
    async with harness.container.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)


async def test_start_registers_commands_and_the_webhook_with_its_secret(tg):
    assert [c.method for c in tg.fake.calls] == ["getMe", "setMyCommands", "setMyCommands", "setWebhook"]
    by_language = {c.params.get("language_code"): c.params for c in tg.fake.calls[1:3]}
    commands_en, commands_zh = by_language[None], by_language["zh"]
    assert commands_en["scope"] == {"type": "default"}
    assert [c["command"] for c in commands_en["commands"]] == ["checkin", "visit", "lead", "c", "agenda", "pool", "lang", "help", "cancel"]
    assert commands_zh["commands"][0] == {"command": "checkin", "description": "客户现场签到（发送位置）"}
    assert tg.fake.calls[3].params == {
        "url": "https://fieldchat.example/telegram/webhook",
        "secret_token": SECRET,
        "allowed_updates": ["message", "edited_message", "callback_query"],
    }
    assert tg.adapter.username == USERNAME


async def test_wrong_or_missing_secret_is_refused_and_nothing_is_handled(tg):
    for secret in ("not-the-secret", None, ""):
        response = await tg.post(hello(), secret=secret)
        assert response.status_code == 401
        assert "X-Telegram-Bot-Api-Secret-Token" in response.json()["detail"]
    await tg.adapter.drain()
    assert await processed(tg) == 0 and tg.fake.methods()[4:] == []


async def test_bodies_that_are_not_updates_get_400_with_the_reason(tg):
    cases = {
        b"{not json": "not JSON",
        b"[1, 2]": "update_id",
        b'{"update_id": "7"}': "update_id",
        b'{"update_id": true}': "update_id",
        b'{"update_id": 7, "message": {"text": "hi"}}': "message.message_id",
        "\udcff".encode("utf-8", "surrogatepass"): "not JSON",
    }
    for body, reason in cases.items():
        response = await tg.post(None, raw=body)
        assert response.status_code == 400, body
        assert reason in response.json()["detail"], (body, response.json())
    assert (await tg.post(None, raw=b"x" * (1024 * 1024 + 1))).status_code == 413


async def test_kinds_we_do_not_handle_are_acknowledged_and_ignored(tg):
    chat = private_chat(ALICE)
    sticker = {"file_id": "CAACAgIAAxkBAAIB", "file_unique_id": "AgADq", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False}
    ignored = [
        update(message=message(ALICE, chat, sticker=sticker)),
        update(message=message(ALICE, chat, new_chat_title="x")),
        update(poll={"id": "1", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
                     "is_anonymous": True, "type": "regular", "allows_multiple_answers": False}),
        update(channel_post=message(ALICE, {"id": -100777, "type": "channel", "title": "news"}, text="hi")),
        update(edited_message=message(ALICE, chat, text="edited words", edit_date=int(time.time()))),
        update(future_kind_from_a_newer_bot_api={"id": 1, "anything": [1, 2]}),
    ]
    for body in ignored:
        assert (await tg.deliver(body)) == [], body


async def test_unknown_fields_from_a_newer_bot_api_do_not_stop_a_message(tg):
    await sign_in(tg.container.deps, ConversationKey("telegram", "", "111", "111"), "rep")
    body = hello()
    body["message"]["future_field"] = {"nested": True}
    calls = await tg.deliver(body)
    assert [c.method for c in calls] == ["sendMessage", "sendMessage", "setMyCommands"]  # help and menu; the menu sets the "/" list


async def test_a_redelivered_update_is_handled_once_also_after_a_restart(tg):
    body = hello()
    first = await tg.deliver(body)
    assert len(first) == 2  # binding prompt + language choice
    assert await tg.deliver(body) == []
    await asyncio.gather(tg.post(hello()), tg.post(body), tg.post(body))  # one new, two redeliveries
    await tg.adapter.drain()
    assert await processed(tg) == 2
    restarted = await build(telegram_settings(tg.fake.url), migrate=False, db=tg.container.db)
    async for again in running(restarted, tg.fake):
        assert await again.deliver(body) == []
    async with tg.container.sessionmaker() as s:
        sources = set(await s.scalars(select(ProcessedEvent.source)))
    assert sources == {f"telegram:{BOT_ID}"}


class SlowFlow(Flow):
    """A turn that takes a while (a large chart, a long report)."""

    code = "sw"
    commands = ("slow",)

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        await asyncio.sleep(0.6)
        return [Text("Done after a while.")]


async def test_a_slow_turn_shows_typing_before_its_answer_and_a_quick_one_sends_nothing_more(tg):
    slow = await build(telegram_settings(tg.fake.url, telegram_typing_after_s=0.25), migrate=False, db=tg.container.db)
    engine = Engine(slow.deps, [*all_flows(), SlowFlow()], bind_flow=slow.engine.bind_flow, checkin_flow=slow.engine.checkin_flow)
    async for worker in running(slow, tg.fake):
        worker.adapter.engine = engine
        await sign_in(slow.deps, ConversationKey("telegram", "", "111", "111"), "rep")
        calls = await worker.deliver(hello("/slow"))
        assert [(c.method, c.params.get("action"), c.params.get("text")) for c in calls] == [
            ("sendChatAction", "typing", None), ("sendMessage", None, "Done after a while."),
        ]
        assert calls[0].params["chat_id"] == 111
        calls = await worker.deliver(hello("/cancel"))
        assert [c.method for c in calls] == ["sendMessage"]


async def test_the_webhook_answers_before_a_slow_reply_is_sent(tg):
    tg.fake.delay["sendMessage"] = 1.0
    started = time.perf_counter()
    response = await tg.post(hello())
    answered = time.perf_counter() - started
    assert response.status_code == 200 and answered < 0.5
    await tg.adapter.drain()
    assert tg.fake.methods()[-2:] == ["sendMessage", "sendMessage"]


async def test_the_webhook_answers_once_the_turn_is_stored(tg, monkeypatch):
    """Answered after the commit, a crash can no longer lose an acknowledged update: Telegram
    redelivers anything it got no answer for."""
    monkeypatch.setattr(telegram_adapter, "ACK_WITHIN_S", 10.0)  # a slow CI machine: the wait, not its budget, is tested
    response = await tg.post(hello())
    assert response.status_code == 200
    assert await processed(tg) == 1  # no drain: the answer itself waited for the commit
    await tg.adapter.drain()


async def test_a_turn_waiting_for_the_database_does_not_hold_the_webhook(tg):
    body = hello()
    async with tg.container.sessionmaker() as busy:  # another worker's open transaction, same update
        assert await first_time(busy, source=f"telegram:{BOT_ID}", event_id=str(body["update_id"]))
        response = await asyncio.wait_for(tg.post(body), timeout=10)
        assert response.status_code == 200  # answered while the turn still waits
        assert "sendMessage" not in tg.fake.methods()
        await busy.rollback()  # that worker failed: this delivery does the work
    await tg.adapter.drain()
    assert await processed(tg) == 1
    assert tg.fake.methods()[-2:] == ["sendMessage", "sendMessage"]


async def test_a_429_is_honoured_with_its_retry_after(tg):
    tg.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.perf_counter()
    sent = await tg.adapter.send("111", [Text("Follow-up due: 苏州恒力")])
    assert time.perf_counter() - started >= 1.0
    texts = [c.params["text"] for c in tg.fake.calls if c.method == "sendMessage"]
    assert texts == ["Follow-up due: 苏州恒力", "Follow-up due: 苏州恒力"] and len(sent.message_ids) == 1


async def test_blocked_bot_is_a_permanent_delivery_error(tg):
    from bots.base import DeliveryError

    tg.fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    try:
        await tg.adapter.send("111", [Text("hi")])
    except DeliveryError as exc:
        assert exc.permanent and "blocked" in str(exc)
    else:
        raise AssertionError("no DeliveryError")


async def test_send_then_edit_a_decided_card_so_its_buttons_disappear(tg):
    pending = Card("Quote Q-17 · ¥120,000", (Field("Customer", "苏州恒力"),), (Action("Approve", token="ap.-.y17.abcdef"),))
    sent = await tg.adapter.send("111", [pending])
    (message_id,) = sent.message_ids
    decided = Card("Quote Q-17 · ¥120,000", (Field("Customer", "苏州恒力"), Field("Decision", "approved by Wang Qiang")))
    await tg.adapter.edit("111", message_id, [decided])
    edit = tg.fake.calls[-1]
    assert edit.method == "editMessageText"
    assert edit.params == {
        "chat_id": 111, "message_id": int(message_id), "parse_mode": "HTML", "link_preview_options": {"is_disabled": True},
        "text": "<b>Quote Q-17 · ¥120,000</b>\n\n<b>Customer:</b> 苏州恒力\n<b>Decision:</b> approved by Wang Qiang",
    }
    await tg.adapter.edit("111", message_id, [])
    assert tg.fake.calls[-1].method == "editMessageReplyMarkup"
    assert tg.fake.calls[-1].params == {"chat_id": 111, "message_id": int(message_id)}


async def test_edit_of_a_message_too_old_to_edit_sends_it_anew(tg):
    tg.fake.fail_next("editMessageText", 400, "Bad Request: message can't be edited")
    await tg.adapter.edit("111", "5", [Text("Quote Q-17 approved")])
    assert [c.method for c in tg.fake.calls[-2:]] == ["editMessageText", "sendMessage"]
    assert tg.fake.calls[-1].params["text"] == "Quote Q-17 approved"
    tg.fake.fail_next("editMessageText", 400, "Bad Request: message is not modified")
    await tg.adapter.edit("111", "5", [Text("Quote Q-17 approved")])
    assert tg.fake.calls[-1].method == "editMessageText"


async def test_chart_images_go_out_as_photos_and_files_as_documents(tg):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 2000
    await tg.adapter.send("111", [Media("image", "sales.png", "image/png", png, caption="Sales <month>")])
    await tg.adapter.send("111", [Media("file", "customers.xlsx", "application/vnd.ms-excel", b"PK" * 100)])
    photo, document = tg.fake.calls[-2:]
    assert (photo.method, photo.files, photo.params["caption"]) == ("sendPhoto", {"photo": ("sales.png", 2008)}, "Sales &lt;month&gt;")
    assert (document.method, document.files) == ("sendDocument", {"document": ("customers.xlsx", 200)})
