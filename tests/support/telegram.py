"""Real-shaped Telegram updates, and a harness that posts them to POST /telegram/webhook.

`TgUser` plays one Telegram account: it sends texts, commands, locations, live-location
edits, photos and button taps as Telegram would deliver them, waits until FieldChat has
handled the update, and returns the Bot API calls FieldChat made in answer (from the fake).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bootstrap import Container, create_app
from tests.conftest import test_settings
from tests.support.fake_telegram import TOKEN, Call, FakeBotApi

WEBHOOK = "/telegram/webhook"
SECRET = "test-webhook-secret_1"
_update_ids = itertools.count(500_000)
_message_ids = itertools.count(1)


def tg_user(user_id: int, first_name: str = "Wei", language_code: str | None = "en") -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, "username": f"u{user_id}"}
    if language_code:
        user["language_code"] = language_code
    return user


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "first_name": user["first_name"], "username": user["username"], "type": "private"}


def group_chat(chat_id: int = -1001234567890, title: str = "华东销售群") -> dict[str, Any]:
    return {"id": chat_id, "title": title, "type": "supergroup"}


def message(user: dict[str, Any], chat: dict[str, Any], *, date: int | None = None, **content: Any) -> dict[str, Any]:
    body = {"message_id": next(_message_ids), "from": user, "chat": chat, "date": date or int(time.time())}
    text = content.get("text")
    if isinstance(text, str) and text.startswith("/"):
        content["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return body | content


def update(**kind: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), **kind}


def buttons_of(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Harness:
    container: Container
    client: httpx.AsyncClient
    fake: FakeBotApi
    world: Any = None

    @property
    def adapter(self) -> Any:
        return self.container.adapters.get("telegram")

    async def post(self, body: Any, secret: str | None = SECRET, raw: bytes | None = None) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        if raw is not None:
            return await self.client.post(WEBHOOK, content=raw, headers=headers | {"content-type": "application/json"})
        return await self.client.post(WEBHOOK, json=body, headers=headers)

    async def deliver(self, body: dict[str, Any]) -> list[Call]:
        """Post an update, wait until it is handled, and return the API calls made meanwhile."""
        before = len(self.fake.calls)
        response = await self.post(body)
        assert response.status_code == 200, response.text
        await self.adapter.drain()
        return self.fake.calls[before:]

    def user(self, user_id: int = 111, **kw: Any) -> TgUser:
        return TgUser(self, tg_user(user_id, **kw))


@dataclass
class TgUser:
    harness: Harness
    user: dict[str, Any]
    chat: dict[str, Any] = field(default_factory=dict)
    last: list[Call] = field(default_factory=list)
    last_message_id: int = 0
    """The id of the last message this user sent (a live location's, to move it later)."""

    def __post_init__(self) -> None:
        self.chat = self.chat or private_chat(self.user)

    def in_group(self, chat: dict[str, Any] | None = None) -> TgUser:
        return TgUser(self.harness, self.user, chat or group_chat())

    async def send(self, **content: Any) -> list[Call]:
        body = message(self.user, self.chat, **content)
        self.last_message_id = body["message_id"]
        self.last = await self.harness.deliver(update(message=body))
        return self.last

    async def say(self, text: str) -> list[Call]:
        return await self.send(text=text)

    async def locate(self, lat: float, lon: float, accuracy: float | None = 10.0, *, live_period: int | None = None,
                     date: int | None = None) -> list[Call]:
        location: dict[str, Any] = {"latitude": lat, "longitude": lon}
        if accuracy is not None:
            location["horizontal_accuracy"] = accuracy
        if live_period is not None:
            location["live_period"] = live_period
        return await self.send(location=location, date=date)

    async def move_live(self, message_id: int, lat: float, lon: float, accuracy: float = 8.0) -> list[Call]:
        """A live location moved: Telegram sends the original message again as edited_message."""
        now = int(time.time())
        location = {"latitude": lat, "longitude": lon, "horizontal_accuracy": accuracy, "live_period": 3600}
        edited = {"message_id": message_id, "from": self.user, "chat": self.chat, "date": now - 60, "edit_date": now, "location": location}
        self.last = await self.harness.deliver(update(edited_message=edited))
        return self.last

    async def photo(self, file_id: str, caption: str | None = None) -> list[Call]:
        sizes = [
            {"file_id": f"{file_id}-s", "file_unique_id": "AQADs", "file_size": 1311, "width": 90, "height": 67},
            {"file_id": file_id, "file_unique_id": "AQADx", "file_size": 74211, "width": 1280, "height": 960},
        ]
        extra = {"caption": caption} if caption else {}
        return await self.send(photo=sizes, **extra)

    def button(self, label_part: str, calls: list[Call] | None = None) -> tuple[Call, dict[str, Any]]:
        for call in reversed(calls if calls is not None else self.last):
            for b in buttons_of(call):
                if label_part in b["text"]:
                    return call, b
        shown = [b["text"] for c in (calls or self.last) for b in buttons_of(c)]
        raise AssertionError(f"no button with {label_part!r} in {shown}")

    async def tap(self, label_part: str, calls: list[Call] | None = None) -> list[Call]:
        """Tap an inline button of a message the bot sent (by default, in the last answer)."""
        call, found = self.button(label_part, calls)
        return await self.tap_data(found["callback_data"], self.sent_message(call))

    def sent_message(self, call: Call) -> dict[str, Any]:
        """The message as Telegram holds it now (after any edits), as a callback query carries it."""
        return self.harness.fake.sent[(int(call.params["chat_id"]), int(call.result["message_id"]))]

    async def tap_data(self, data: str, sent: dict[str, Any]) -> list[Call]:
        query = {"id": str(next(_update_ids)), "from": self.user, "message": sent, "chat_instance": "-6234500112233", "data": data}
        self.last = await self.harness.deliver(update(callback_query=query))
        return self.last

    @property
    def texts(self) -> list[str]:
        return [c.params.get("text") or c.params.get("caption") or "" for c in self.last if c.method.startswith(("send", "edit"))]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def telegram_settings(fake_url: str, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "telegram_token": TOKEN, "telegram_api_url": fake_url, "public_url": "https://fieldchat.example",
        "telegram_webhook_secret": SECRET, "telegram_rate_per_second": 1000.0, "telegram_chat_rate_per_second": 1000.0,
        "telegram_typing_after_s": 60.0,  # a turn slowed by the machine adds no call to the ones a test counts
    }
    values.update(overrides)
    return test_settings(**values)


async def running(container: Container, fake: FakeBotApi, world: Any = None) -> AsyncIterator[Harness]:
    app = create_app(container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://fieldchat.test") as client:
            yield Harness(container, client, fake, world)
