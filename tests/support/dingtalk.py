"""The DingTalk test rig: FieldChat with DingTalk configured, its HTTP app, signed robot callbacks."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bootstrap import Container, build, create_app
from bots.dingtalk.adapter import DingTalkAdapter
from bots.dingtalk.crypto import EventCrypto, robot_sign
from conversations.inbound import ConversationKey
from conversations.local import sign_in
from tests.conftest import test_settings
from tests.support.fake_enterprise import FakeDingTalk

APP_KEY, SECRET, CORP = "dingz0v1cm8cqa5mbdfj", "dingtalk-secret", "ding9f50b15bccd16741"
EVENT_TOKEN, AES_KEY = "ev-token-77", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
_ids = itertools.count(1)


def robot_message(staff: str, text: str | None = None, *, group: str | None = None, msg_id: str | None = None, **extra: Any) -> dict[str, Any]:
    n = next(_ids)
    body: dict[str, Any] = {
        "conversationId": group or f"cid-single-{staff}", "conversationType": "2" if group else "1",
        "chatbotCorpId": CORP, "chatbotUserId": "$:LWCP_v1:$bot", "msgId": msg_id or f"msg{n:08d}",
        "senderNick": staff, "isAdmin": False, "senderStaffId": staff, "senderCorpId": CORP,
        "sessionWebhookExpiredTime": int(time.time() * 1000) + 5_400_000, "createAt": int(time.time() * 1000),
        "senderId": f"$:LWCP_v1:${staff}", "robotCode": APP_KEY, "isInAtList": True,
        "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=s", "atUsers": [],
    }
    if text is not None:
        body.update(msgtype="text", text={"content": text})
    body.update(extra)
    return body


def card_click(staff: str, card_id: str, token: str) -> dict[str, Any]:
    content = {"cardPrivateData": {"actionIds": [token], "params": {}}}
    return {"outTrackId": card_id, "corpId": CORP, "userId": staff, "content": json.dumps(content), "type": "actionCallback"}


def signed(at_ms: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(at_ms if at_ms is not None else int(time.time() * 1000))
    return {"timestamp": ts, "sign": robot_sign(ts, secret), "content-type": "application/json"}


@dataclass
class DingTalkRig:
    container: Container
    adapter: DingTalkAdapter
    fake: FakeDingTalk
    client: httpx.AsyncClient
    events: EventCrypto

    async def robot(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        response = await self.client.post("/dingtalk/robot", content=json.dumps(body).encode(), headers=headers or signed())
        await self.adapter.drain()
        return response

    async def bind(self, login: str, staff: str) -> None:
        await sign_in(self.container.deps, ConversationKey("dingtalk", CORP, f"u:{staff}", staff), login)


@asynccontextmanager
async def dingtalk_rig(db: AsyncEngine, **overrides: Any) -> AsyncIterator[DingTalkRig]:
    fake = FakeDingTalk()
    await fake.start()
    values: dict[str, Any] = {
        "dingtalk_app_key": APP_KEY, "dingtalk_app_secret": SECRET, "dingtalk_token": EVENT_TOKEN,
        "dingtalk_aes_key": AES_KEY, "dingtalk_api_url": fake.url, "dingtalk_stream": False,
        "public_url": "https://fc.example.com",
    }
    values.update(overrides)
    container = await build(test_settings(**values), migrate=False, db=db)
    adapter = container.adapters.get("dingtalk")
    assert isinstance(adapter, DingTalkAdapter)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://fieldchat") as client:
        try:
            yield DingTalkRig(container, adapter, fake, client, EventCrypto(EVENT_TOKEN, AES_KEY, APP_KEY))
        finally:
            await adapter.stop()
            await fake.stop()
