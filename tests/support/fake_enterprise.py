"""Recording fakes of the Feishu and DingTalk Open APIs (and DingTalk's Stream gateway) on loopback.

The adapters reach them through FIELDCHAT_FEISHU_API_URL / FIELDCHAT_DINGTALK_API_URL with
real HTTP (and a real WebSocket for Stream mode). Every call is recorded with the time the
fake received it, so that send budgets are measured on the platform's side.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.slack_mock import free_port


@dataclass
class Call:
    method: str
    path: str
    at: float
    body: dict[str, Any]
    query: dict[str, str]
    token: str


@dataclass
class _Server:
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    valid: set[str] = field(default_factory=set)
    runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def serve(self, app: web.Application) -> None:
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def issue(self, prefix: str) -> str:
        token = f"{prefix}-{len(self.tokens_issued) + 1}"
        self.tokens_issued.append(token)
        self.valid.add(token)
        return token

    def expire_tokens(self) -> None:
        """The vendor invalidates every token it gave (as after a secret reset)."""
        self.valid.clear()

    async def record(self, request: web.Request, token: str) -> Call:
        body: dict[str, Any] = {}
        if request.content_type == "application/json":
            body = await request.json()
        elif request.content_type.startswith("multipart/"):
            form = await request.post()
            body = {k: (v if isinstance(v, str) else f"<file {v.filename}>") for k, v in form.items()}
        call = Call(request.method, request.path, time.time(), body, dict(request.query), token)
        self.calls.append(call)
        return call

    def to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]


class FakeFeishu(_Server):
    SEND = "/open-apis/im/v1/messages"

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self._token)
        app.router.add_post(self.SEND, self._api)
        app.router.add_patch(self.SEND + "/{id}", self._api)
        app.router.add_post("/open-apis/im/v1/images", self._api)
        app.router.add_post("/open-apis/im/v1/files", self._api)
        await self.serve(app)

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("app_secret") != "feishu-secret":
            return web.json_response({"code": 10014, "msg": "app secret invalid"})
        return web.json_response({"code": 0, "msg": "ok", "tenant_access_token": self.issue("t"), "expire": 7200})

    async def _api(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid:
            return web.json_response({"code": 99991663, "msg": "Invalid access token for authorization."}, status=400)
        await self.record(request, token)
        n = next(self._ids)
        return web.json_response({"code": 0, "msg": "success", "data": {"message_id": f"om_{n}", "image_key": f"img_{n}", "file_key": f"file_{n}"}})

    def sent(self) -> list[dict[str, Any]]:
        """Posted messages: receive id, type and decoded content."""
        return [
            {"to": c.body["receive_id"], "type": c.body["msg_type"], "content": json.loads(c.body["content"]), "at": c.at}
            for c in self.calls if c.method == "POST" and c.path == self.SEND
        ]

    def patches(self) -> list[tuple[str, dict[str, Any]]]:
        return [(c.path.rsplit("/", 1)[-1], json.loads(c.body["content"])) for c in self.calls if c.method == "PATCH"]


class FakeDingTalk(_Server):
    CARD = "/v1.0/im/v1.0/robot/interactiveCards/send"
    ONE = "/v1.0/robot/oToMessages/batchSend"
    GROUP = "/v1.0/robot/groupMessages/send"

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self.ws: web.WebSocketResponse | None = None
        self.acks: list[dict[str, Any]] = []
        self.connected = asyncio.Event()
        self._acked = asyncio.Event()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1.0/oauth2/accessToken", self._token)
        app.router.add_post("/v1.0/gateway/connections/open", self._open)
        app.router.add_get("/stream", self._stream)
        for path in (self.CARD, self.ONE, self.GROUP, "/media/upload"):
            app.router.add_post(path, self._api)
        app.router.add_put("/v1.0/im/robots/interactiveCards", self._api)
        await self.serve(app)

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appSecret") != "dingtalk-secret":
            return web.json_response({"code": "invalidClientSecret", "message": "bad secret"}, status=400)
        return web.json_response({"accessToken": self.issue("d"), "expireIn": 7200})

    async def _api(self, request: web.Request) -> web.Response:
        token = request.headers.get("x-acs-dingtalk-access-token") or request.query.get("access_token", "")
        if token not in self.valid:
            return web.json_response({"code": "InvalidAuthentication", "message": "token invalid"}, status=401)
        await self.record(request, token)
        n = next(self._ids)
        return web.json_response({"processQueryKey": f"pq{n}", "media_id": f"@media{n}", "errcode": 0, "result": {}})

    async def _open(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.subscriptions = body.get("subscriptions", [])
        if body.get("clientSecret") != "dingtalk-secret":
            return web.json_response({"code": "invalidClientSecret"}, status=400)
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/stream", "ticket": "tk-1"})

    async def _stream(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.ws = ws
        self.connected.set()
        async for message in ws:
            self.acks.append(json.loads(message.data))
            self._acked.set()
        return ws

    async def push(self, topic: str, data: dict[str, Any], message_id: str) -> dict[str, Any]:
        """Send one CALLBACK frame over the Stream connection; the adapter's acknowledgement."""
        await asyncio.wait_for(self.connected.wait(), 5)
        assert self.ws is not None
        self._acked.clear()
        frame = {
            "specVersion": "1.0", "type": "CALLBACK",
            "headers": {"topic": topic, "messageId": message_id, "contentType": "application/json", "time": str(int(time.time() * 1000))},
            "data": json.dumps(data, ensure_ascii=False),
        }
        await self.ws.send_str(json.dumps(frame, ensure_ascii=False))
        await asyncio.wait_for(self._acked.wait(), 5)
        return self.acks[-1]

    def sent(self) -> list[dict[str, Any]]:
        """Robot messages and cards: target, kind and decoded payload."""
        out: list[dict[str, Any]] = []
        for c in self.calls:
            if c.path in (self.ONE, self.GROUP):
                to = c.body.get("openConversationId") or c.body["userIds"][0]
                out.append({"to": to, "type": c.body["msgKey"], "param": json.loads(c.body["msgParam"]), "at": c.at})
            elif c.path == self.CARD:
                to = c.body.get("openConversationId") or json.loads(c.body["singleChatReceiver"])["userId"]
                out.append({"to": to, "type": "card", "card": json.loads(c.body["cardData"]), "id": c.body["cardBizId"], "at": c.at})
        return out

    def updates(self) -> list[tuple[str, dict[str, Any]]]:
        return [(c.body["cardBizId"], json.loads(c.body["cardData"])) for c in self.calls if c.method == "PUT"]
