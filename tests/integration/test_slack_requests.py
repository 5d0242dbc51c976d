"""POST /slack/events: signatures, Slack's own checks, bad input, retries and duplicates."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import func, select

from conversations.i18n import translate
from core.models import ProcessedEvent
from tests.support.slack import command_body, dm_event, sign, slack_env


@pytest.fixture
async def env(clean_db, world):
    async with slack_env(clean_db) as env:
        yield env


async def test_valid_signature_is_answered_and_worked(env):
    rep = await env.bound("rep")
    r = await rep.command("c hengli")
    assert r.status_code == 200 and r.text == ""
    [card] = await rep.replies()
    assert card["blocks"][0]["type"] == "header" and "苏州恒力" in card["blocks"][0]["text"]["text"]
    assert env.mock.of("chat.postMessage")[0].headers["authorization"] == "Bearer xoxb-test-0000"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda body: (body.replace("hengli", "baogang"), sign(body)), id="tampered body"),
        pytest.param(lambda body: (body, sign(body, timestamp=int(time.time()) - 301)), id="stale timestamp"),
        pytest.param(lambda body: (body, sign(body, secret="not-the-signing-secret")), id="wrong secret"),
    ],
)
async def test_bad_signatures_get_401_and_change_nothing(env, forge):
    rep = await env.bound("rep")
    sent, headers = forge(command_body("c hengli", user=rep.user, mock=env.mock))
    r = await env.http.post("/slack/events", content=sent.encode(), headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401
    await asyncio.sleep(0.3)
    assert [c.method for c in env.mock.calls] == []
    async with env.container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


async def test_missing_signature_headers_get_401(env):
    r = await env.http.post("/slack/events", content=b"command=%2Fcrm&text=help", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401


async def test_url_verification_is_answered(env):
    body = json.dumps({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    r = await env.http.post("/slack/events", content=body.encode(), headers={**sign(body), "Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.json()["challenge"] == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


async def test_ssl_check_is_answered(env):
    body = "token=legacy&ssl_check=1"
    r = await env.http.post("/slack/events", content=body.encode(), headers={**sign(body), "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("[1, 2, 3]", "application/json"),
        ('{"type": "event_callback", "event": ', "application/json"),
        ('payload={"type": "block_actions", "team": {"id": "T0FIELD"}, "user": {"id": "U1"}, "actions": "x"}', "application/x-www-form-urlencoded"),
        ('payload={"type": "view_submission", "team": {"id": "T0FIELD"}, "user": {"id": "U1"}, "view": {"callback_id": "fc.form", "private_metadata": "[1"}}', "application/x-www-form-urlencoded"),
        ("command=%2Fcrm&text=help&team_id=T0FIELD", "application/x-www-form-urlencoded"),
    ],
    ids=["payload not json", "json not an object", "truncated json", "actions not a list", "bad private_metadata", "command without user"],
)
async def test_malformed_bodies_get_400(env, body, content_type):
    r = await env.http.post("/slack/events", content=body.encode(), headers={**sign(body), "Content-Type": content_type})
    assert r.status_code == 400, r.text


async def test_body_too_large_gets_413(env):
    body = "x" * 1_000_001
    r = await env.http.post("/slack/events", content=body.encode(), headers={**sign(body), "Content-Type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize(
    "extra",
    [
        {"type": "reaction_added", "user": "UREP", "reaction": "thumbsup", "item": {"type": "message", "channel": "DUREP", "ts": "1.1"}},
        {"type": "channel_created", "channel": {"id": "C9", "name": "x"}},
    ],
    ids=["reaction", "channel created"],
)
async def test_unknown_event_types_are_acknowledged_and_ignored(env, extra):
    rep = await env.bound("rep")
    r = await rep.event(extra)
    assert r.status_code == 200
    await asyncio.sleep(0.3)
    assert env.mock.of("chat.postMessage") == []


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": "B1", "subtype": "bot_message"},
        {"subtype": "message_changed", "message": {"text": "c hengli"}},
        {"subtype": "message_deleted", "deleted_ts": "1.1"},
        {"subtype": "file_share", "files": [{"id": "F1", "mimetype": "application/pdf", "name": "x.pdf"}]},
        {"subtype": "channel_join"},
    ],
    ids=["bot message", "edit", "deletion", "pdf we do not use", "join"],
)
async def test_messages_we_do_not_use_are_ignored(env, extra):
    rep = await env.bound("rep")
    r = await rep.event(dm_event("c hengli", user=rep.user, **extra))
    assert r.status_code == 200
    await asyncio.sleep(0.3)
    assert env.mock.of("chat.postMessage") == []


async def test_a_retried_event_is_handled_once(env):
    rep = await env.bound("rep")
    event = dm_event("c hengli", user=rep.user)
    assert (await rep.event(event, event_id="Ev0RETRY1")).status_code == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert (await rep.event(event, event_id="Ev0RETRY1", headers=retry)).status_code == 200
    await rep.replies(1)
    await rep.settle()
    assert len(rep.posts()) == 1


async def test_a_duplicate_reaching_two_workers_at_once_is_handled_once(clean_db, world):
    """Two FieldChat processes (containers) on one database get the same event at the same time."""
    async with slack_env(clean_db) as one, slack_env(clean_db) as two:
        rep = await one.bound("rep")
        other = two.person(rep.user)
        event = dm_event("c hengli", user=rep.user)
        answers = await asyncio.gather(rep.event(event, event_id="Ev0TWICE"), other.event(event, event_id="Ev0TWICE"))
        assert [a.status_code for a in answers] == [200, 200]
        await asyncio.sleep(1.0)
        posts = len(one.mock.of("chat.postMessage")) + len(two.mock.of("chat.postMessage"))
        assert posts == 1
    async with one.container.sessionmaker() as s:
        rows = (await s.scalars(select(ProcessedEvent).where(ProcessedEvent.source == "slack"))).all()
        assert [r.event_id for r in rows] == ["Ev0TWICE"]


async def test_ack_comes_before_the_work(env):
    """The command is answered at once; the reply is posted afterwards by the listener."""
    rep = await env.bound("rep")
    started = time.perf_counter()
    r = await rep.command("c hengli")
    assert r.status_code == 200 and time.perf_counter() - started < 1.0
    await rep.replies(1)


async def test_nothing_a_user_sends_makes_a_5xx(env):
    rep = await env.bound("rep")
    for text in ["", "   ", "c", "c " + "x" * 3000, "checkin <@U1|x> &amp;", "\u0000\ufffd", "c %s %d {name}"]:
        r = await rep.command(text)
        assert r.status_code == 200
        r = await rep.say(text or ".")
        assert r.status_code == 200
    await rep.settle()
    internal = translate("en", "error.internal")
    assert rep.posts() and all(internal not in json.dumps(p, ensure_ascii=False) for p in rep.posts())



async def test_a_failure_after_the_ack_is_logged(env, caplog):
    rep = await env.bound("rep")
    env.mock.fail("chat.postMessage", 200, error="channel_not_found")
    with caplog.at_level("ERROR", logger="bots.slack.app"):
        assert (await rep.command("c hengli")).status_code == 200
        await env.mock.wait("chat.postMessage")
        await asyncio.sleep(0.2)
    assert any("DeliveryError" in r.getMessage() for r in caplog.records)
