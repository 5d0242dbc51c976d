"""The DingTalk test rig: FieldChat with DingTalk configured, its HTTP app, signed robot callbacks."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bootstrap import Container, build, create_app
from bots.dingtalk.adapter import DingTalkAdapter
from bots.dingtalk.crypto import EventCrypto, robot_sign
from conversations.inbound import ConversationKey
from conversations.local import sign_in
from core.services.identities import create_binding_code
from core.uow import UnitOfWork
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
class BudgetClock:
    """The send budget's clock: real time, moved on by the waits an answer makes for a free slot."""

    offset: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.offset += seconds


@dataclass
class DingTalkRig:
    container: Container
    adapter: DingTalkAdapter
    fake: FakeDingTalk
    client: httpx.AsyncClient
    events: EventCrypto
    clock: BudgetClock

    async def robot(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        response = await self.client.post("/dingtalk/robot", content=json.dumps(body).encode(), headers=headers or signed())
        await self.adapter.drain()
        return response

    async def bind(self, login: str, staff: str) -> None:
        await sign_in(self.container.deps, ConversationKey("dingtalk", CORP, f"u:{staff}", staff), login)

    async def code_for(self, login: str) -> str:
        """A one-time binding code, as an admin makes one (`run.py bindcode` or /bindcode)."""
        async with UnitOfWork(self.container.sessionmaker, self.container.deps.bus) as uow:
            code = await create_binding_code(uow, actor=None, login=login)
            await uow.commit()
        return code

    def person(self, staff: str) -> Person:
        return Person(self, staff)


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
    clock = BudgetClock()
    adapter.api.budget.clock, adapter.api.sleep = clock, clock.sleep
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://fieldchat") as client:
        try:
            yield DingTalkRig(container, adapter, fake, client, EventCrypto(EVENT_TOKEN, AES_KEY, APP_KEY), clock)
        finally:
            await adapter.stop()
            await fake.stop()


ROBOT_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"
_frames = itertools.count(1)


def message_text(message: dict[str, Any]) -> str:
    """What a person reads in one recorded send: titles, lines, button labels."""
    if message["type"] == "card":
        card = message["card"]
        parts = [card["header"]["title"]["text"]]
        for block in card["contents"]:
            parts += [block["text"]] if "text" in block else [b["label"]["text"] for b in block.get("actions", [])]
        return "\n".join(parts)
    return "\n".join(str(v) for v in message["param"].values())


@dataclass
class Person:
    """One DingTalk user talking to the robot: Stream frames as the SDK delivers them, or signed HTTP callbacks."""

    rig: DingTalkRig
    staff: str
    mark: int = 0

    def mine(self) -> list[dict[str, Any]]:
        """Everything sent to this person, each card as it reads now (after its latest update)."""
        now = dict(self.rig.fake.updates())
        return [
            {**m, "card": now.get(m["id"], m["card"])} if m["type"] == "card" else m
            for m in self.rig.fake.sent() if m["to"] == self.staff
        ]

    def latest(self) -> list[dict[str, Any]]:
        """What this person received in answer to the last message or click."""
        return self.mine()[self.mark:]

    @property
    def text(self) -> str:
        return "\n".join(message_text(m) for m in self.latest())

    async def say(self, text: str, *, http: bool = False) -> None:
        self.mark = len(self.mine())
        body = robot_message(self.staff, text)
        if http:
            assert (await self.rig.robot(body)).status_code == 200
        else:
            ack = await self.rig.fake.push(ROBOT_TOPIC, body, f"frame-{next(_frames)}")
            assert ack["code"] == 200
            await self.rig.adapter.drain()

    def cards(self) -> list[dict[str, Any]]:
        """The cards received in answer to the last message or click, as they read now."""
        return [m for m in self.latest() if m["type"] == "card"]

    def card(self, card_id: str) -> dict[str, Any]:
        """One card sent to this person as it reads now."""
        return next(m["card"] for m in self.mine() if m["type"] == "card" and m["id"] == card_id)

    def button(self, label_part: str, in_card: str | None = None) -> tuple[str, str]:
        """(cardBizId, action token) of the newest card button (of card `in_card`) whose label contains `label_part`."""
        for message in reversed(self.mine()):
            if message["type"] != "card" or in_card not in (None, message["id"]):
                continue
            for block in message["card"]["contents"]:
                for b in block.get("actions", []):
                    if label_part in b["label"]["text"] and b["actionType"] == "request":
                        return message["id"], str(b["id"])
        raise AssertionError(f"no button {label_part!r} for {self.staff}: {self.text[:600]}")

    def link(self, label_part: str = "") -> str:
        """The URL behind the newest link button (or action card) whose label contains `label_part`."""
        for message in reversed(self.mine()):
            if message["type"] == "sampleActionCard" and label_part in message["param"]["singleTitle"]:
                return str(message["param"]["singleURL"])
            if message["type"] == "card":
                for block in message["card"]["contents"]:
                    for b in block.get("actions", []):
                        if label_part in b["label"]["text"] and b["actionType"] == "openLink":
                            return str(b["url"]["all"])
        raise AssertionError(f"no link {label_part!r} for {self.staff}")

    async def click(self, label_part: str, *, in_card: str | None = None, button: tuple[str, str] | None = None) -> dict[str, Any]:
        """Press a card button (over Stream, where DingTalk delivers card callbacks); the acknowledgement.
        `button` presses one seen earlier, even if the card has changed since (a stale click)."""
        card_id, token = button or self.button(label_part, in_card)
        self.mark = len(self.mine())
        ack = await self.rig.fake.push(CARD_TOPIC, card_click(self.staff, card_id, token), f"frame-{next(_frames)}")
        await self.rig.adapter.drain()
        return ack

    async def open_page(self, url: str, **position: float) -> httpx.Response:
        """The signed page DingTalk opens in its browser; a position posted from it."""
        path = url.split("://", 1)[-1].split("/", 1)[1]
        self.mark = len(self.mine())
        return await self.rig.client.post("/" + path, json=position)
