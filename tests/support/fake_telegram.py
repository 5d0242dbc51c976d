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
                message["text"] = params["text"]
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
            message["text"] = params["text"]
        if "message_thread_id" in params:  # sent into a forum topic: Telegram marks it so
            message |= {"message_thread_id": int(params["message_thread_id"]), "is_topic_message": True}
        if "photo" in files:
            message["photo"] = [{"file_id": f"sent-photo-{message_id}", "file_unique_id": f"u{message_id}", "width": 640, "height": 480}]
        if "document" in files:
            message["document"] = {"file_id": f"sent-doc-{message_id}", "file_unique_id": f"d{message_id}", "file_name": files["document"][0]}
        if "caption" in params:
            message["caption"] = params["caption"]
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        self.sent[(chat_id, message_id)] = message
        return message
