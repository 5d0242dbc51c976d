"""Slack specifics around the dialogs: modals with field errors, stale and decided buttons, channels,
mentions, the App Home, files, and Slack's rate limits."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import select

from bots.base import DeliveryError
from conversations.context import Ctx
from conversations.engine import Engine
from conversations.flow import Flow
from conversations.flows import all_flows
from conversations.messages import Action, Card, Field, Media, Reply, Text
from core.models import Lead
from tests.support.slack import block_actions, find_button, slack_env, text_input, view_submission
from tests.support.slack_mock import dm_of


@pytest.fixture
async def env(clean_db, world):
    async with slack_env(clean_db) as env:
        yield env


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)


async def open_modal(env, person, opener) -> dict:
    before = len(env.mock.of("views.open"))
    await person.click(opener, "Open the form")
    return (await env.mock.wait("views.open", before + 1))[-1].args["view"]


async def test_lead_form_in_a_modal_with_field_errors_then_saved(env, world):
    rep = await env.bound("rep")
    await rep.command("lead")
    [intro] = await rep.replies()
    await rep.click(intro, "form")
    [opener] = await rep.replies()
    view = await open_modal(env, rep, opener)
    assert view["type"] == "modal" and view["title"]["text"] == "New lead"

    bad = {"company_name": text_input(None), "phone": text_input("12345"), "source": {"type": "static_select", "selected_option": None}}
    answer = await rep.interact(view_submission(rep.user, view, bad))
    assert answer.status_code == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) >= {"company_name", "phone"} and "12345" in body["errors"]["phone"]
    async with env.container.sessionmaker() as s:
        assert (await s.scalars(select(Lead))).all() == []

    good = {
        "company_name": text_input("无锡新星泵业"), "contact_name": text_input("钱经理"), "phone": text_input("13912345678"),
        "email": text_input(None), "need": text_input("需要5台水泵"),
        "source": {"type": "static_select", "selected_option": {"value": "exhibition"}},
    }
    answer = await rep.interact(view_submission(rep.user, view, good))
    assert answer.status_code == 200 and answer.text == ""
    [review] = await rep.replies()
    assert "无锡新星泵业" in dumps(review["blocks"]) and "+8613912345678" in dumps(review["blocks"])
    await rep.click(review, "Save")
    [saved] = await rep.replies()
    assert "saved and assigned" in dumps(saved)
    async with env.container.sessionmaker() as s:
        lead = (await s.scalars(select(Lead))).one()
        assert (lead.company_name, lead.phone) == ("无锡新星泵业", "+8613912345678")


async def test_a_stale_button_gets_an_ephemeral_expired_and_loses_its_buttons(env):
    rep = await env.bound("rep")
    await rep.command("lead")
    [first] = await rep.replies()
    await rep.command("checkin")  # a new dialog: the lead's buttons are now stale
    await rep.replies()
    await rep.click(first, "form")
    [notice] = await env.mock.wait("chat.postEphemeral")
    assert notice.args["user"] == rep.user and notice.args["channel"] == rep.dm and "expired" in notice.args["text"]
    [update] = await env.mock.wait("chat.update")
    assert update.args["ts"] == first["ts"] and "actions" not in dumps([b["type"] for b in update.args["blocks"]])
    await rep.settle()
    assert len(rep.posts()) == 2


async def test_a_menu_button_stays_usable(env):
    """Stateless buttons (menus, card shortcuts) are not 'decided' by one click."""
    rep = await env.bound("rep")
    await rep.command("help")
    _, menu = await rep.replies(2)
    await rep.click(menu, "Agenda")
    await rep.replies()
    await rep.click(menu, "Agenda")
    await rep.replies()
    assert env.mock.of("chat.update") == []


class DecideFlow(Flow):
    """A card decided by a button on itself (the shape of an approval request)."""

    code = "dq"
    commands = ("decide",)

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        approve = ctx.button("Approve", self.code, "ok", stateless=True, style="primary")
        return [Card("Quote Q-7 · ¥ 120,000", (Field("Customer", "苏州恒力"),), (approve,), ref="quote:7")]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        return [Card("Quote Q-7 · approved", (Field("Customer", "苏州恒力"),), (), ref="quote:7"), Text("Approved.")]


async def test_a_decided_card_is_updated_in_place(env):
    env.adapter.turns.engine = Engine(env.container.deps, [*all_flows(), DecideFlow()], bind_flow=env.container.engine.bind_flow,
                                      checkin_flow=env.container.engine.checkin_flow)
    manager = await env.bound("manager")
    await manager.command("decide")
    [card] = await manager.replies()
    await manager.click(card, "Approve")
    [update] = await env.mock.wait("chat.update")
    assert update.args["ts"] == card["ts"] and "approved" in update.args["blocks"][0]["text"]["text"]
    assert all(b["type"] != "actions" for b in update.args["blocks"])
    [text] = await manager.replies()
    assert "Approved." in dumps(text)


async def test_a_command_in_a_channel_is_answered_in_the_dm(env):
    rep = await env.bound("rep")
    r = await rep.command("c hengli", channel="C0SALES")
    assert r.status_code == 200
    [card] = await rep.replies()
    assert card["channel"] == rep.dm
    [note] = await env.mock.wait("response_url")
    assert note.args["response_type"] == "ephemeral" and "direct messages" in note.args["text"]
    assert all(c.args.get("channel") != "C0SALES" for c in env.mock.of("chat.postMessage"))


async def test_a_mention_is_answered_in_the_dm_with_a_note_in_the_channel(env):
    rep = await env.bound("rep")
    mention = {"type": "app_mention", "user": rep.user, "text": "<@UBOT> c hengli", "ts": "1.5", "channel": "C0SALES", "event_ts": "1.5"}
    assert (await rep.event(mention)).status_code == 200
    [card] = await rep.replies()
    assert "苏州恒力" in dumps(card["blocks"])
    [note] = await env.mock.wait("chat.postEphemeral")
    assert note.args["channel"] == "C0SALES" and note.args["user"] == rep.user


async def test_app_home_shows_the_agenda(env):
    rep = await env.bound("rep")
    opened = {"type": "app_home_opened", "user": rep.user, "channel": rep.dm, "tab": "home", "event_ts": "1.6"}
    await rep.event(opened)
    [publish] = await env.mock.wait("views.publish")
    view = publish.args["view"]
    assert publish.args["user_id"] == rep.user and view["type"] == "home"
    assert view["blocks"][0]["text"]["text"] == "Your agenda" and "/crm help" in dumps(view["blocks"][-1])
    stranger = env.person("U0NOBODY")
    await stranger.event(dict(opened, user="U0NOBODY", channel=dm_of("U0NOBODY")))
    publishes = await env.mock.wait("views.publish", 2)
    assert "binding code" in dumps(publishes[-1].args["view"])


async def test_a_home_button_runs_in_the_dm_and_refreshes_home(env):
    rep = await env.bound("rep")
    await rep.event({"type": "app_home_opened", "user": rep.user, "channel": rep.dm, "tab": "home", "event_ts": "1.7"})
    [publish] = await env.mock.wait("views.publish")
    button = find_button(publish.args["view"]["blocks"], "week")
    await rep.interact(block_actions(rep.user, button, publish.args["view"]["blocks"], channel=None, ts=""))
    [answer] = await rep.replies()
    assert answer["channel"] == rep.dm
    await env.mock.wait("views.publish", 2)


async def test_media_is_uploaded_as_a_file(env):
    await env.bound("rep")
    chart = Media("image", "sales.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, caption="Sales this month")
    sent = await env.adapter.send(dm_of("UREP"), [chart, Text("That was the chart.")])
    assert len(sent.message_ids) == 2
    [ask] = env.mock.of("files.getUploadURLExternal")
    assert ask.args["filename"] == "sales.png" and int(ask.args["length"]) == 108
    [upload] = env.mock.of("upload")
    assert upload.args["data"].startswith(b"\x89PNG")
    [complete] = env.mock.of("files.completeUploadExternal")
    assert complete.args["channel_id"] == dm_of("UREP") and complete.args["initial_comment"] == "Sales this month"


async def test_rate_limit_is_waited_out(env):
    rep = await env.bound("rep")
    env.mock.fail("chat.postMessage", 429, error="ratelimited", headers={"Retry-After": "1"})
    started = time.perf_counter()
    await rep.command("c hengli")
    refused, card = await env.mock.wait("chat.postMessage", 2, within=15)
    assert time.perf_counter() - started >= 1.0
    assert refused.args == card.args and "苏州恒力" in dumps(card.args["blocks"])


async def test_a_long_rate_limit_becomes_a_delivery_error_with_retry_after(env):
    env.mock.fail("chat.postMessage", 429, error="ratelimited", headers={"Retry-After": "120"})
    with pytest.raises(DeliveryError) as failed:
        await env.adapter.send(dm_of("UREP"), [Text("reminder")])
    assert failed.value.retry_after == 120 and not failed.value.permanent


async def test_a_gone_channel_is_a_permanent_delivery_error(env):
    env.mock.fail("chat.postMessage", 200, error="channel_not_found")
    with pytest.raises(DeliveryError) as failed:
        await env.adapter.send("D0GONE", [Text("reminder")])
    assert failed.value.permanent


async def test_posts_to_one_channel_are_paced(env):
    """About one message per second per channel after a short burst."""
    started = time.perf_counter()
    await env.adapter.send(dm_of("UREP"), [Text(str(i)) for i in range(6)])
    assert time.perf_counter() - started >= 1.5
    await asyncio.gather(*(env.adapter.send(f"D0OTHER{i}", [Text("x")]) for i in range(6)))
    assert len({c.args["channel"] for c in env.mock.of("chat.postMessage")}) == 7



async def test_a_notifier_can_replace_a_sent_card(env):
    """send() gives back the message ts; edit() puts the decided card in its place."""
    pending = Card("Quote Q-17 · ¥120,000", (Field("Customer", "苏州恒力"),), (Action("Approve", token="ap.-.y17.abcdef"),), ref="quote:17")
    sent = await env.adapter.send(dm_of("UMANAGER"), [pending])
    await env.adapter.edit(dm_of("UMANAGER"), sent.message_ids[0], [Card("Quote Q-17 · approved", (Field("Customer", "苏州恒力"),), ref="quote:17")])
    [update] = env.mock.of("chat.update")
    assert update.args["ts"] == sent.message_ids[0] and update.args["channel"] == dm_of("UMANAGER")
    assert update.args["blocks"][0]["text"]["text"] == "Quote Q-17 · approved" and "actions" not in dumps(update.args["blocks"])


async def test_an_approval_card_from_approvals_shows_a_decision_taken_elsewhere(env, world):
    """/crm approvals in Slack, the decision in the web chat: the Slack card is updated by the card sync."""
    from conversations.local import sign_in
    from core.models import ApprovalCard
    from notifications.approval_cards import CardSync
    from tests.support.catalog import add_catalog
    from tests.support.chat import Chat
    from tests.support.quotes import submitted_quote

    catalog = await add_catalog(env.container.sessionmaker)
    await submitted_quote(env.container.sessionmaker, world, catalog, qty=1, discount="20")
    manager = await env.bound("manager")
    await manager.command("approvals")
    card = next(m for m in await manager.replies(2) if "Approve" in dumps(m))

    async def copies() -> list[tuple[str, str, str]]:
        async with env.container.sessionmaker() as s:
            return [(c.platform, c.chat_id, c.message_id) for c in (await s.scalars(select(ApprovalCard))).all()]

    for _ in range(200):  # the turn runs after Slack's ack: its card is recorded just after it is posted
        if await copies():
            break
        await asyncio.sleep(0.02)
    assert await copies() == [("slack", card["channel"], card["ts"])]

    web = Chat(env.container.engine, "manager")
    await sign_in(env.container.deps, web.key, "manager")
    await web.say("/approvals")
    await web.tap("Approve")
    sync = CardSync(env.container.sessionmaker, env.container.adapters, env.container.settings, env.container.deps.codec)
    assert await sync.run_once() == 1  # the Slack copy
    [update] = env.mock.of("chat.update")
    assert update.args["ts"] == card["ts"] and "Approved by Wang Qiang" in dumps(update.args["blocks"])
    assert all(b["type"] != "actions" for b in update.args["blocks"])
