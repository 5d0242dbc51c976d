"""A local stand-in for Feishu's long-connection gateway, speaking the wire protocol lark-oapi's
WebSocket client speaks: the endpoint request (POST /callback/ws/endpoint with the app's
credentials → a ws:// URL naming device and service), then protobuf frames (pbbp2.Frame) over
the socket. `push` sends an event as a DATA frame and returns the client's answer frame decoded.
The frames are the SDK's own protobuf classes, imported when used (lark-oapi is the optional
feishu-ws extra).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from typing import Any

from aiohttp import WSMsgType, web

from tests.support.fake_enterprise import _Server
from tests.support.feishu import APP_ID, SECRET

SERVICE_ID = 7
DATA, CONTROL = 1, 0


class FeishuGateway(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.endpoint_requests: list[dict[str, Any]] = []
        self.socket: web.WebSocketResponse | None = None
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        self.pings = 0
        self._answers: asyncio.Queue[Any] = asyncio.Queue()
        self._ids = itertools.count(1)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/callback/ws/endpoint", self._endpoint)
        app.router.add_get("/ws", self._socket)
        await self.serve(app)

    async def _endpoint(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.endpoint_requests.append(body)
        if (body.get("AppID"), body.get("AppSecret")) != (APP_ID, SECRET):
            return web.json_response({"code": 514, "msg": "auth failed"})
        config = {"ReconnectCount": 0, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 120}
        url = f"ws://127.0.0.1:{self.port}/ws?device_id=dev-1&service_id={SERVICE_ID}"
        return web.json_response({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": config}})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket = socket
        self.connected.set()
        async for message in socket:
            if message.type != WSMsgType.BINARY:
                continue
            frame = _frame()
            frame.ParseFromString(message.data)
            if frame.method == CONTROL:
                self.pings += 1
            else:
                await self._answers.put(frame)
        self.closed.set()
        return socket

    async def push(self, payload: dict[str, Any]) -> dict[str, Any]:
        """One event as Feishu pushes it; the client's answer: {"code": …, "data": <decoded JSON or None>}."""
        await asyncio.wait_for(self.connected.wait(), 30)
        assert self.socket is not None
        frame = _frame(SeqID=0, LogID=0, service=SERVICE_ID, method=DATA, payload=json.dumps(payload, ensure_ascii=False).encode())
        message_id = f"msg-{next(self._ids)}"
        for key, value in (("type", "event"), ("message_id", message_id), ("sum", "1"), ("seq", "0"), ("trace_id", "tr-1")):
            header = frame.headers.add()
            header.key, header.value = key, value
        await self.socket.send_bytes(frame.SerializeToString())
        while True:
            answer = await asyncio.wait_for(self._answers.get(), 30)
            if any(h.key == "message_id" and h.value == message_id for h in answer.headers):
                break
        response = json.loads(answer.payload)
        data = response.get("data")
        return {"code": response.get("code"), "data": json.loads(base64.b64decode(data)) if data else None}


def _frame(**fields: Any) -> Any:
    from lark_oapi.ws.pb.pbbp2_pb2 import Frame  # type: ignore[import-not-found, import-untyped]

    return Frame(**fields)
