"""The Slack adapter: Bolt (async) behind POST /slack/events, or Socket Mode; Block Kit out.

Imported by the composition root only when FIELDCHAT_SLACK_BOT_TOKEN and
FIELDCHAT_SLACK_SIGNING_SECRET are set, so slack_bolt is loaded only then.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bots.base import Capabilities, Sent
from bots.slack import render
from bots.slack.api import SlackApi
from bots.slack.app import SHAPE_ERRORS, build_app
from bots.slack.turns import PLATFORM, SlackTurns
from conversations.context import Deps
from conversations.engine import Engine
from conversations.messages import Reply
from core.services.inbound_dedupe import first_time
from core.settings import Settings

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000
DEFAULT_API = "https://slack.com/api/"


class SlackAdapter:
    name = PLATFORM
    caps = Capabilities(buttons=25, callback_bytes=2000, can_edit=True, native_forms=True, native_location=False)
    """25 buttons fit one actions block; forms are modals; location comes from the signed check-in page."""

    def __init__(self, engine: Engine, deps: Deps, settings: Settings) -> None:
        assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
        base = (settings.slack_api_url or DEFAULT_API).rstrip("/") + "/"
        self.client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=base, timeout=30)
        self.api = SlackApi(self.client)
        self.deps = deps
        self.turns = SlackTurns(engine, deps, self.api, self.caps)
        self.app = build_app(self.client, settings.slack_signing_secret.get_secret_value(), self.turns, self._first_time)
        self._app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
        self._socket: AsyncSocketModeHandler | None = None

    # -- contract -------------------------------------------------------------------
    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        return await self.turns.deliver(chat_id, list(replies))

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        """All replies' blocks in the one message (an upload cannot be edited and is left out)."""
        locale = await self.turns.locale(chat=chat_id)
        parts = [m for m in render.messages(list(replies), locale) if m.upload is None]
        blocks = [b for m in parts for b in m.blocks][: render.BLOCKS_PER_MESSAGE]
        await self.api.update(chat_id, message_id, blocks, parts[0].text if parts else "")

    def router(self) -> APIRouter:
        api = APIRouter(tags=["slack"])

        @api.post("/slack/events", include_in_schema=False)
        async def events(request: Request) -> Response:
            """Events, slash commands and interactivity, verified by their signature."""
            return await self.handle(request)

        return api

    async def start(self) -> None:
        if self._app_token and self._socket is None:
            self._socket = AsyncSocketModeHandler(self.app, self._app_token, web_client=self.client)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected")

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await self.api.close()

    # -- HTTP -----------------------------------------------------------------------
    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("body too large", status_code=413)
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"), query=str(request.url.query), headers=dict(request.headers)
            )
        except (ValueError, TypeError, AttributeError, KeyError):
            return PlainTextResponse("malformed body", status_code=400)
        if not isinstance(bolt_request.body, dict):
            return PlainTextResponse("malformed body", status_code=400)
        try:
            answer = await self.app.async_dispatch(bolt_request)
        except SHAPE_ERRORS:  # Bolt's own payload helpers fail on bodies without the usual fields
            return PlainTextResponse("malformed payload", status_code=400)
        if answer.status == 404:
            return Response(status_code=200)  # verified, but nothing listens for it: acknowledged, ignored
        headers: dict[str, Any] = answer.first_headers_without_set_cookie()
        headers.pop("content-length", None)
        return Response(status_code=answer.status, content=answer.body, headers=headers)

    async def _first_time(self, event_id: str) -> bool:
        async with self.deps.sessionmaker() as session:
            fresh = await first_time(session, source=PLATFORM, event_id=event_id)
            await session.commit()
        return fresh
