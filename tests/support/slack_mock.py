"""A recording fake of the Slack Web API (and response_url, file uploads, Socket Mode) on loopback.

The adapter reaches it through FIELDCHAT_SLACK_API_URL exactly as it reaches slack.com:
real HTTP from slack_sdk's aiohttp client. Every call is recorded with its arguments.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER = "UBOT"
TEAM = "T0FIELD"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def dm_of(user: str) -> str:
    """The app's DM channel with a user, as the fake's conversations.open gives it."""
    return "D" + user


class SlackMock:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[Failure]] = {}
        self.socket_frames: list[dict[str, Any]] = []
        self.socket_acks: list[dict[str, Any]] = []
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self._ws: web.WebSocketResponse | None = None
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    async def start(self) -> None:
        app = web.Application(client_max_size=20_000_000)
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- scripting and assertions ------------------------------------------------------
    def fail(self, method: str, status: int = 200, *, error: str = "ratelimited", headers: dict[str, str] | None = None, times: int = 1) -> None:
        self.failures.setdefault(method, []).extend([Failure(status, {"ok": False, "error": error}, headers or {})] * times)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        """The calls of `method` once there are at least `count` of them."""
        return await self.wait_until(lambda: len(self.of(method)) >= count, within, method) or self.of(method)

    async def wait_until(self, check: Callable[[], bool], within: float = 10.0, what: str = "condition") -> list[Call]:
        async def poll() -> None:
            while not check():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(poll(), within)
        except TimeoutError:
            seen = Counter(c.method for c in self.calls)
            raise AssertionError(f"timed out waiting for {what}; calls so far: {dict(seen)}") from None
        return []

    def clear(self) -> None:
        self.calls.clear()

    # -- handlers -----------------------------------------------------------------------
    async def _record(self, method: str, request: web.Request) -> Call:
        raw = await request.read()
        if request.content_type == "application/json":
            args = json.loads(raw or b"{}")
        else:
            args = dict(parse_qsl(raw.decode(errors="replace"), keep_blank_values=True))
            args.update(request.query)
            for name in ("blocks", "view", "files"):
                if isinstance(args.get(name), str):
                    args[name] = json.loads(args[name])
        call = Call(method, args, {k.lower(): v for k, v in request.headers.items()})
        self.calls.append(call)
        self._changed.set()
        return call

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = await self._record(method, request)
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        call.response = self._answer(method, call.args)
        return web.json_response(call.response)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        match method:
            case "auth.test":
                return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": TEAM, "user": "fieldchat", "team": "Acme Pumps"}
            case "conversations.open":
                return {"ok": True, "channel": {"id": dm_of(str(args.get("users", "")).split(",")[0])}}
            case "chat.postMessage" | "chat.update":
                return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts") or ts}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            case "views.open" | "views.publish":
                return {"ok": True, "view": {"id": "V" + ts[-6:]}}
            case "files.getUploadURLExternal":
                file_id = "F" + ts[-6:]
                return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
            case "files.completeUploadExternal":
                return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in args.get("files", [])]}
            case "apps.connections.open":
                return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"], "size": len(data), "data": data}, {}))
        self._changed.set()
        return web.Response(text="OK")

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record("response_url", request)
        return web.Response(text="ok")

    # -- Socket Mode ---------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1})
        self._changed.set()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(frame.data))
                self._changed.set()
        return ws

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send one Socket Mode envelope to the connected app."""
        await self.wait_until(lambda: self._ws is not None, what="a Socket Mode connection")
        assert self._ws is not None
        self.socket_frames.append(envelope)
        await self._ws.send_json(envelope)
