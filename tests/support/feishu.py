"""The Feishu test rig: FieldChat with Feishu configured, its HTTP app, real-shaped sealed events, and
`FeishuUser`, a person in the Feishu client: says things, shares a location, taps card buttons and
submits card forms, and sees what the bot sent (cards replaced in place by a click's answer or a patch)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bootstrap import Container, build, create_app
from bots.feishu import crypto
from bots.feishu.adapter import FeishuAdapter
from conversations.inbound import ConversationKey
from conversations.local import sign_in
from tests.conftest import test_settings
from tests.support.fake_enterprise import Call, FakeFeishu

APP_ID, SECRET, TOKEN, KEY, TENANT = "cli_a1b2c3", "feishu-secret", "vt-8f3k2", "ek-4Hs9w2", "tenant-736588c9"
_ids = itertools.count(1)


def header(event_type: str, *, event_id: str | None = None, token: str = TOKEN) -> dict[str, Any]:
    return {
        "event_id": event_id or f"ev-{next(_ids):06d}", "event_type": event_type, "create_time": str(int(time.time() * 1000)),
        "token": token, "app_id": APP_ID, "tenant_key": TENANT,
    }


def message(
    user: str, kind: str, content: dict[str, Any], *, chat_type: str = "p2p", chat: str = "oc_p2p1",
    user_agent: str | None = None, **kw: Any,
) -> dict[str, Any]:
    n = next(_ids)
    payload = {
        "schema": "2.0", "header": header("im.message.receive_v1", **kw),
        "event": {
            "sender": {"sender_id": {"open_id": user, "union_id": f"on_{user}", "user_id": None}, "sender_type": "user", "tenant_key": TENANT},
            "message": {
                "message_id": f"om_in{n}", "create_time": str(int(time.time() * 1000)), "chat_id": chat, "chat_type": chat_type,
                "message_type": kind, "content": json.dumps(content, ensure_ascii=False),
            },
        },
    }
    if user_agent is not None:  # sent only to apps granted the client user-agent permission
        payload["event"]["message"]["user_agent"] = user_agent
    return payload


def card_action(
    user: str, value: dict[str, Any], *, form: dict[str, Any] | None = None, message_id: str = "om_card1",
    chat: str = "oc_p2p1", **kw: Any,
) -> dict[str, Any]:
    action: dict[str, Any] = {"value": value, "tag": "button"}
    if form is not None:
        action["form_value"] = form
        action["name"] = "submit"
    return {
        "schema": "2.0", "header": header("card.action.trigger", **kw),
        "event": {
            "operator": {"tenant_key": TENANT, "open_id": user, "union_id": f"on_{user}"},
            "token": "c-update-token", "action": action, "host": "im_message",
            "context": {"open_message_id": message_id, "open_chat_id": chat},
        },
    }


def seal(payload: dict[str, Any], *, key: str = KEY, at: float | None = None, sign: bool = True) -> tuple[bytes, dict[str, str]]:
    """The body and headers Feishu sends for a payload with an Encrypt Key configured."""
    raw = json.dumps({"encrypt": crypto.encrypt(key, json.dumps(payload, ensure_ascii=False).encode())}).encode()
    if not sign:
        return raw, {"content-type": "application/json"}
    ts, nonce = str(int(at if at is not None else time.time())), f"n{next(_ids)}"
    return raw, {
        "content-type": "application/json", "x-lark-request-timestamp": ts, "x-lark-request-nonce": nonce,
        "x-lark-signature": crypto.signature(ts, nonce, key, raw),
    }


class RecordingFeishu(FakeFeishu):
    """The recording fake, also remembering the message id it answered each created message with
    (card callbacks and patches name a card by that id)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids_of: dict[int, str] = {}
        self._latest: Call | None = None

    async def record(self, request: web.Request, token: str) -> Call:
        self._latest = await super().record(request, token)
        return self._latest

    async def _api(self, request: web.Request) -> web.Response:
        self._latest = None
        response = await super()._api(request)  # no await between its record() and its answer
        if self._latest is not None and response.status == 200 and isinstance(response.body, bytes):
            self.ids_of[id(self._latest)] = json.loads(response.body)["data"]["message_id"]
        return response

    def messages(self, chat: str | None = None) -> list[dict[str, Any]]:
        """Created messages (optionally to one chat) with the id each was given."""
        return [
            {"id": self.ids_of.get(id(c), ""), "to": c.body["receive_id"], "type": c.body["msg_type"],
             "content": json.loads(c.body["content"])}
            for c in self.calls
            if c.method == "POST" and c.path == self.SEND and (chat is None or c.body["receive_id"] == chat)
        ]


@dataclass
class FeishuRig:
    container: Container
    adapter: FeishuAdapter
    fake: RecordingFeishu
    client: httpx.AsyncClient

    async def post(self, payload: dict[str, Any], **seal_kw: Any) -> httpx.Response:
        raw, headers = seal(payload, **seal_kw)
        return await self.client.post("/feishu/events", content=raw, headers=headers)

    async def event(self, payload: dict[str, Any]) -> httpx.Response:
        """Post and wait for the turn to finish (Feishu gets its answer first)."""
        response = await self.post(payload)
        await self.adapter.drain()
        return response

    async def bind(self, login: str, user: str) -> None:
        await sign_in(self.container.deps, ConversationKey("feishu", TENANT, user, user), login)


@asynccontextmanager
async def feishu_rig(db: AsyncEngine, *, configured_url: str | None = None, **overrides: Any) -> AsyncIterator[FeishuRig]:
    """FieldChat with Feishu on; `configured_url` is the API URL it is told (open.feishu.cn, say)
    while its calls still reach the recording fake, as through a proxy."""
    fake = RecordingFeishu()
    await fake.start()
    values: dict[str, Any] = {
        "feishu_app_id": APP_ID, "feishu_app_secret": SECRET, "feishu_verification_token": TOKEN,
        "feishu_encrypt_key": KEY, "feishu_api_url": configured_url or fake.url, "public_url": "https://fc.example.com",
    }
    values.update(overrides)
    container = await build(test_settings(**values), migrate=False, db=db)
    adapter = container.adapters.get("feishu")
    assert isinstance(adapter, FeishuAdapter)
    if configured_url is not None:
        await adapter.api.client.aclose()
        adapter.api.client = httpx.AsyncClient(base_url=fake.url, timeout=10.0)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://fieldchat") as client:
        try:
            yield FeishuRig(container, adapter, fake, client)
        finally:
            await adapter.stop()
            await fake.stop()
