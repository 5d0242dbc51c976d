"""A recording fake of the Telegram Bot API over HTTP, reached through FIELDCHAT_TELEGRAM_API_URL.

It answers like Telegram (`{"ok": true, "result": ...}`), records every call with its decoded
parameters, serves queued updates to getUpdates (long polling), and can be told to fail the
next call of a method (429 with retry_after, 400, 403). Used by the tests and the benchmark.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

BOT_ID = 7000000001
TOKEN = f"{BOT_ID}:AAH-fake-token-for-tests-only_0123456789"
USERNAME = "FieldChatTestBot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "FieldChat", "username": USERNAME}
TEXT_PARAMS = {"text", "caption", "callback_query_id", "secret_token", "url", "language_code", "parse_mode", "description"}
"""Parameters kept as text; the others are JSON-decoded (numbers, booleans, keyboards)."""


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Uploaded files: parameter → (file name, size in bytes)."""
    result: Any = None
    """What the fake answered (a sent message, True), None for a failure."""


ENTITY_OF_TAG = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "s": "strikethrough",
                 "code": "code", "pre": "pre", "a": "text_link", "blockquote": "blockquote"}


class _Entities(HTMLParser):
    """Telegram's HTML parse mode: the text a client sees, with its formatting as entities
    (offsets and lengths in UTF-16 code units)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.entities = "", []
        self._open: list[tuple[str, int, dict[str, Any]]] = []

    def _at(self) -> int:
        return len(self.text.encode("utf-16-le")) // 2

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        extra = {"url": dict(attrs).get("href")} if tag == "a" else {}
        self._open.append((tag, self._at(), extra))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, start, extra = self._open.pop()
            if tag in ENTITY_OF_TAG and self._at() > start:
                self.entities.append({"type": ENTITY_OF_TAG[tag], "offset": start, "length": self._at() - start, **extra})

    def handle_data(self, data: str) -> None:
        self.text += data


def as_delivered(text: str, parse_mode: str | None) -> dict[str, Any]:
    """A sent text as Telegram returns it in the Message: tags become entities."""
    if parse_mode != "HTML":
        return {"text": text}
    parser = _Entities()
    parser.feed(text)
    parser.close()
    return {"text": parser.text, **({"entities": sorted(parser.entities, key=lambda e: e["offset"])} if parser.entities else {})}


def _decode(key: str, value: str) -> Any:
    if key in TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeBotApi:
    def __init__(self, *, record: bool = True) -> None:
        self.record = record
        self.calls: list[Call] = []
        self.sent: dict[tuple[int, int], dict[str, Any]] = {}
        """Messages the bot sent, by (chat id, message id), as Telegram would return them."""
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        self._updates: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._next_message_id = 1000
        self.delay: dict[str, float] = {}
        """Seconds to hold the answer to a method (a slow Telegram)."""
        self.count = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- control ---------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.url = f"http://{host}:{sockets[0].getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, method: str, status: int, description: str, retry_after: int | None = None) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self._failures[method].append((status, body))

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling mode)."""
        self._updates.append(update)
        self._arrived.set()

    def methods(self, *, skip: tuple[str, ...] = ("getUpdates",)) -> list[str]:
        return [c.method for c in self.calls if c.method not in skip]

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def clear(self) -> None:
        self.calls.clear()

    # -- the API ---------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        form = await request.post()
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, int]] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, len(value.file.read()))
            else:
                params[key] = _decode(key, str(value))
        for key, value in list(params.items()):  # photo=attach://<part>: name the file by its parameter
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                files[key] = files.pop(value[9:])
                del params[key]
        self.count += 1
        if method == "getUpdates":
            if self.record:
                self.calls.append(Call(method, params))
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        if method in self.delay:
            await asyncio.sleep(self.delay[method])
        call = Call(method, params, files)
        if self.record:
            self.calls.append(call)
        if self._failures[method]:
            status, body = self._failures[method].pop(0)
            return web.json_response(body, status=status)
        call.result = self._result(method, params, files)
        return web.json_response({"ok": True, "result": call.result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=min(float(params.get("timeout") or 0), 0.5))
            except TimeoutError:
                return []
        return list(self._updates)

    def _result(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, int]]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method.startswith("send") and method != "sendChatAction":  # a chat action answers True, as Telegram's
            return self._message(params, files)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            key = (int(params["chat_id"]), int(params["message_id"]))
            message = dict(self.sent.get(key) or self._message(params, {}, message_id=key[1]))
            if method == "editMessageText":
                message.pop("entities", None)
                message |= as_delivered(params["text"], params.get("parse_mode"))
            message.pop("reply_markup", None)
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            message["edit_date"] = int(time.time())
            self.sent[key] = message
            return message
        return True

    def _message(self, params: dict[str, Any], files: dict[str, tuple[str, int]], message_id: int | None = None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if message_id is None:
            self._next_message_id += 1
            message_id = self._next_message_id
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        message: dict[str, Any] = {"message_id": message_id, "from": BOT_USER, "chat": chat, "date": int(time.time())}
        if "text" in params:
            message |= as_delivered(params["text"], params.get("parse_mode"))
        if "message_thread_id" in params:  # sent into a forum topic: Telegram marks it so
            message |= {"message_thread_id": int(params["message_thread_id"]), "is_topic_message": True}
        if "photo" in files:
            message["photo"] = [{"file_id": f"sent-photo-{message_id}", "file_unique_id": f"u{message_id}", "width": 640, "height": 480}]
        if "document" in files:
            message["document"] = {"file_id": f"sent-doc-{message_id}", "file_unique_id": f"d{message_id}", "file_name": files["document"][0]}
        if "caption" in params:
            caption = as_delivered(params["caption"], params.get("parse_mode"))
            message |= {"caption": caption["text"], **({"caption_entities": caption["entities"]} if "entities" in caption else {})}
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        self.sent[(chat_id, message_id)] = message
        return message
