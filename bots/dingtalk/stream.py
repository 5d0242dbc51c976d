"""DingTalk Stream mode on the dingtalk-stream SDK, without its blocking calls.

The SDK's `start()` opens the connection with a blocking `requests.post` on the event
loop; here `start()` is replaced by the same loop around our async `open_stream` (httpx),
while the SDK's frame parsing, routing, keep-alive and acknowledgements are kept. Its
reply helpers (blocking `requests`) are never used: replies go through DingTalkApi.
Handlers acknowledge at once and run the turn in a task (acknowledge first, work second).
This module imports the SDK, so it is imported only when DingTalk is configured.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote_plus

import dingtalk_stream  # type: ignore[import-untyped]
import websockets
from dingtalk_stream import AckMessage, CallbackHandler, ChatbotMessage, Credential, DingTalkStreamClient

from bots.dingtalk.api import DingTalkApi

log = logging.getLogger(__name__)
CARD_TOPIC = "/v1.0/card/instances/callback"
Handle = Callable[[dict[str, Any], str], Awaitable[None]]
"""Takes a frame's data and its message id; runs in a task after the frame is acknowledged."""
RECONNECT_S = 5.0


class _Handler(CallbackHandler):  # type: ignore[misc]
    def __init__(self, handle: Handle, spawn: Callable[[Awaitable[None]], object]) -> None:
        super().__init__()
        self._handle, self._spawn = handle, spawn

    async def process(self, message: Any) -> tuple[int, str]:
        data = message.data if isinstance(message.data, dict) else {}
        self._spawn(self._handle(data, str(message.headers.message_id or "")))
        return AckMessage.STATUS_OK, "OK"


class StreamClient(DingTalkStreamClient):  # type: ignore[misc]
    """The SDK client with an async, configurable connection opening."""

    def __init__(self, api: DingTalkApi, app_secret: str) -> None:
        super().__init__(Credential(api.app_key, app_secret), logger=logging.getLogger("dingtalk_stream.client"))
        self.api = api
        self._frames: set[asyncio.Task[Any]] = set()

    def topics(self) -> list[dict[str, str]]:
        return [{"type": "CALLBACK", "topic": topic} for topic in self.callback_handler_map]

    async def start(self) -> None:
        self.pre_start()
        while True:
            connection = await self.api.open_stream(self.topics())
            if connection is None:
                await asyncio.sleep(RECONNECT_S)
                continue
            uri = f"{connection['endpoint']}?ticket={quote_plus(str(connection['ticket']))}"
            try:
                async with websockets.connect(uri) as websocket:
                    self.websocket = websocket
                    keepalive = asyncio.create_task(self.keepalive(websocket))
                    try:
                        async for raw in websocket:
                            frame = asyncio.create_task(self.background_task(json.loads(raw)))
                            self._frames.add(frame)
                            frame.add_done_callback(self._frames.discard)
                    finally:
                        keepalive.cancel()
            except (OSError, websockets.exceptions.WebSocketException, ValueError) as exc:
                log.warning("dingtalk stream: connection lost (%s); reconnecting", type(exc).__name__)
            await asyncio.sleep(RECONNECT_S)


def make_client(
    api: DingTalkApi, app_secret: str, *, on_message: Handle, on_card: Handle,
    spawn: Callable[[Awaitable[None]], object],
) -> StreamClient:
    client = StreamClient(api, app_secret)
    client.register_callback_handler(ChatbotMessage.TOPIC, _Handler(on_message, spawn))
    client.register_callback_handler(CARD_TOPIC, _Handler(on_card, spawn))
    return client


__all__ = ["CARD_TOPIC", "StreamClient", "dingtalk_stream", "make_client"]
