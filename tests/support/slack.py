"""Signed, real-shaped Slack requests (slash commands, events, block_actions, view_submission)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.support.slack_mock import TEAM, SlackMock, dm_of

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-0000"
_ids = itertools.count(1)


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={mac}"}


def command_body(text: str, *, user: str, channel: str | None = None, mock: SlackMock | None = None) -> str:
    n = next(_ids)
    fields = {
        "token": "legacy-verification-token", "team_id": TEAM, "team_domain": "acme-pumps",
        "channel_id": channel or dm_of(user), "channel_name": "directmessage" if channel is None else "sales",
        "user_id": user, "user_name": user.lower(), "command": "/crm", "text": text, "api_app_id": "A0FIELD",
        "is_enterprise_install": "false",
        "response_url": f"{mock.url if mock else 'https://hooks.slack.com'}/respond/{n}",
        "trigger_id": f"{n}.1111.trigger",
    }
    return urlencode(fields)


def event_body(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A0FIELD", "event": event,
        "type": "event_callback", "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }


def dm_event(text: str, *, user: str, **extra: Any) -> dict[str, Any]:
    n = next(_ids)
    return {
        "type": "message", "channel": dm_of(user), "user": user, "text": text, "ts": f"1700000100.{n:06d}",
        "event_ts": f"1700000100.{n:06d}", "channel_type": "im", "team": TEAM, **extra,
    }


@dataclass
class SlackUser:
    """One person in the workspace, talking to the app through signed requests."""

    http: httpx.AsyncClient
    mock: SlackMock
    user: str
    last_status: int = 0
    seen: int = field(default=0)

    @property
    def dm(self) -> str:
        return dm_of(self.user)

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None, **sign_kw: Any) -> httpx.Response:
        signed = {**sign(body, **sign_kw), "Content-Type": content_type, **(headers or {})}
        response = await self.http.post("/slack/events", content=body.encode(), headers=signed)
        self.last_status = response.status_code
        return response

    async def command(self, text: str, channel: str | None = None) -> httpx.Response:
        body = command_body(text, user=self.user, channel=channel, mock=self.mock)
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], event_id: str | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.post(json.dumps(event_body(event, event_id=event_id)), "application/json", headers)

    async def say(self, text: str) -> httpx.Response:
        return await self.event(dm_event(text, user=self.user))

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    # -- what the app posted to this user ---------------------------------------------------
    def posts(self) -> list[dict[str, Any]]:
        """Messages posted to this user's DM, each with the `ts` Slack gave it."""
        return [dict(c.args, ts=c.response.get("ts")) for c in self.mock.of("chat.postMessage") if c.args.get("channel") == self.dm]

    async def replies(self, count: int = 1, within: float = 10.0) -> list[dict[str, Any]]:
        """The next `count` messages posted to this user's DM since the last call."""
        want = self.seen + count
        await self.mock.wait_until(lambda: len(self.posts()) >= want, within, f"{count} posts to {self.dm}")
        new = self.posts()[self.seen : want]
        self.seen = want
        return new

    async def settle(self, pause: float = 0.3) -> list[dict[str, Any]]:
        """Every message posted since the last call, after the app has been quiet for `pause` s."""
        import asyncio

        before = -1
        while before != len(self.mock.calls):
            before = len(self.mock.calls)
            await asyncio.sleep(pause)
        new = self.posts()[self.seen :]
        self.seen = len(self.posts())
        return new

    async def click(self, message: dict[str, Any], label_part: str) -> httpx.Response:
        """Click the button whose text contains `label_part` in a posted message."""
        button = find_button(message["blocks"], label_part)
        return await self.interact(block_actions(self.user, button, message["blocks"], channel=self.dm, ts=message["ts"]))


def find_button(blocks: list[dict[str, Any]], label_part: str) -> dict[str, Any]:
    labels = []
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            labels.append(element["text"]["text"])
            if label_part in element["text"]["text"]:
                return dict(element, block_id=block.get("block_id", "b"))
    raise AssertionError(f"no button with {label_part!r} in {labels}")


def block_actions(user: str, button: dict[str, Any], blocks: list[dict[str, Any]], *, channel: str | None, ts: str) -> dict[str, Any]:
    n = next(_ids)
    action = {
        "action_id": button["action_id"], "block_id": button.get("block_id", "b"), "text": button["text"],
        "type": "button", "action_ts": f"1700000200.{n:06d}",
    }
    if "value" in button:
        action["value"] = button["value"]
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0FIELD", "token": "legacy-verification-token", "trigger_id": f"{n}.2222.trigger",
        "team": {"id": TEAM, "domain": "acme-pumps"}, "actions": [action],
        "response_url": f"https://hooks.slack.com/actions/{n}",
    }
    if channel is None:
        payload["container"] = {"type": "view", "view_id": "VHOME"}
        payload["view"] = {"id": "VHOME", "type": "home", "team_id": TEAM}
    else:
        payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
        payload["channel"] = {"id": channel, "name": "directmessage"}
        payload["message"] = {"type": "message", "user": "UBOT", "ts": ts, "text": "…", "blocks": blocks}
    return payload


def view_submission(user: str, view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A modal submitted with `values`: {block_id: element state} (e.g. {"type": "plain_text_input", "value": "x"})."""
    n = next(_ids)
    submitted = dict(view, id=f"V{n:06d}", team_id=TEAM, state={"values": {b: {"v": s} for b, s in values.items()}})
    return {
        "type": "view_submission", "team": {"id": TEAM, "domain": "acme-pumps"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM}, "api_app_id": "A0FIELD",
        "token": "legacy-verification-token", "trigger_id": f"{n}.3333.trigger", "view": submitted,
        "response_urls": [],
    }


def text_input(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


@dataclass
class SlackEnv:
    """FieldChat with Slack enabled, its ASGI app, and the fake Slack it talks to."""

    container: Any
    mock: SlackMock
    http: httpx.AsyncClient

    def person(self, user: str) -> SlackUser:
        return SlackUser(self.http, self.mock, user)

    async def bound(self, login: str, user: str | None = None) -> SlackUser:
        """A Slack user already bound to the CRM login (as after /crm bind <code>)."""
        from conversations.inbound import ConversationKey
        from conversations.local import sign_in

        person = self.person(user or "U" + login.upper())
        await sign_in(self.container.deps, ConversationKey("slack", TEAM, person.dm, person.user), login)
        return person

    @property
    def adapter(self) -> Any:
        return self.container.adapters.get("slack")


@asynccontextmanager
async def slack_env(db: Any, **settings: Any) -> AsyncIterator[SlackEnv]:
    from bootstrap import build, create_app
    from tests.conftest import test_settings

    mock = SlackMock()
    await mock.start()
    values = {"slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET, "slack_api_url": mock.api_url}
    container = await build(test_settings(**{**values, **settings}), migrate=False, db=db)
    app = create_app(container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fieldchat.test") as http:
        env = SlackEnv(container, mock, http)
        try:
            yield env
        finally:
            await env.adapter.stop()
            await mock.stop()
