"""The built-in web chat: a page at /, a JSON turn API, and pushes by server-sent events."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sse_starlette.sse import EventSourceResponse

from bots.base import Capabilities, Sent
from bots.webchat.render import render_all
from bots.webchat.sessions import SessionCodec
from conversations import local
from conversations.context import Deps
from conversations.engine import Engine
from conversations.i18n import translate
from conversations.inbound import (
    ActionEvent,
    CommandEvent,
    ConversationKey,
    Event,
    FormEvent,
    LocationEvent,
    MediaEvent,
    TextEvent,
    Turn,
)
from conversations.messages import Reply
from core.errors import DomainError
from core.services import inbox, media

log = logging.getLogger(__name__)
PLATFORM = "webchat"
PAGE = Path(__file__).parent / "static" / "index.html"
WAKE_EVERY_S = 2.0


class LocationIn(BaseModel):
    lat: float
    lon: float
    accuracy_m: float | None = Field(default=None, ge=0)


class MediaIn(BaseModel):
    kind: Literal["image"] = "image"
    name: str = Field(default="photo", max_length=200)
    data_url: str = Field(max_length=8_000_000)


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session: str = Field(max_length=300)
    text: str | None = Field(default=None, max_length=20_000)
    location: LocationIn | None = None
    action: str | None = Field(default=None, max_length=300)
    form: dict[str, str | int | float | bool | None] | None = None
    media: MediaIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TurnIn:
        given = [k for k in ("text", "location", "action", "form", "media") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of text, location, action, form, media")
        return self


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str | None = Field(default=None, max_length=64)


class SessionOut(BaseModel):
    session: str
    user: dict[str, str] | None
    locale: str


class RepliesOut(BaseModel):
    replies: list[dict[str, Any]]


class InboxOut(BaseModel):
    messages: list[dict[str, Any]]


class WebChatAdapter:
    name = PLATFORM
    caps = Capabilities(buttons=12, can_edit=True, native_forms=True, native_location=True)

    def __init__(self, engine: Engine, deps: Deps, secret: bytes) -> None:
        self.engine, self.deps = engine, deps
        self.sessions = SessionCodec(secret)
        self._wake: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    # -- contract -------------------------------------------------------------
    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        async with self.deps.sessionmaker() as session:
            message_id = await inbox.push(session, platform=PLATFORM, chat_id=chat_id, payload=render_all(list(replies)))
            await session.commit()
        self._wake[chat_id].set()
        return Sent(chat_id, (str(message_id),))

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        payload = [{"type": "edit", "of": message_id}, *render_all(list(replies))]
        async with self.deps.sessionmaker() as session:
            await inbox.push(session, platform=PLATFORM, chat_id=chat_id, payload=payload)
            await session.commit()
        self._wake[chat_id].set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        for event in self._wake.values():
            event.set()

    def key(self, chat: str) -> ConversationKey:
        return ConversationKey(PLATFORM, "", chat, chat)

    def _chat(self, token: str) -> str:
        chat = self.sessions.chat_of(token)
        if chat is None:
            raise HTTPException(401, "unknown or expired session; create one with POST /webchat/api/sessions")
        return chat

    # -- routes ---------------------------------------------------------------
    def router(self) -> APIRouter:
        api = APIRouter(tags=["web chat"])

        @api.get("/", include_in_schema=False)
        async def page() -> FileResponse:
            return FileResponse(PAGE, media_type="text/html")

        @api.get("/webchat/api/demo-users")
        async def demo_users() -> dict[str, Any]:
            """Demo logins to start a session with (empty unless FIELDCHAT_DEMO is on)."""
            if not self.deps.settings.demo:
                return {"demo": False, "users": []}
            users = await local.demo_users(self.deps)
            return {"demo": True, "users": [{"login": u.login, "name": u.name, "role": u.role} for u in users]}

        @api.post("/webchat/api/sessions", response_model=SessionOut)
        async def create_session(body: SessionIn) -> SessionOut:
            """Start a chat: as a demo login (demo mode only), or anonymous (then bind with a code)."""
            if body.user is None:
                return SessionOut(session=self.sessions.anonymous(), user=None, locale=self.deps.settings.default_locale)
            if not self.deps.settings.demo:
                raise HTTPException(403, "log-in by name is for demo mode only; use a link from `run.py login-link`")
            token = self.sessions.for_login(body.user.strip().lower())
            try:
                who = await local.sign_in(self.deps, self.key(self._chat(token)), body.user)
            except DomainError:
                raise HTTPException(404, f"no user with login {body.user!r}") from None
            user = {"login": who.login, "name": who.name, "role": who.role}
            return SessionOut(session=token, user=user, locale=who.locale or self.deps.settings.default_locale)

        @api.post("/webchat/api/turns", response_model=RepliesOut)
        async def turn(body: TurnIn, request: Request) -> RepliesOut:
            """One message from the user; the bot's replies come back in the answer."""
            chat = self._chat(body.session)
            event = await self._event(body)
            hint = request.headers.get("accept-language")
            replies = await self.engine.handle(Turn(self.key(chat), event, self.caps, locale_hint=hint))
            return RepliesOut(replies=render_all(replies))

        @api.get("/webchat/api/inbox", response_model=InboxOut)
        async def inbox_(session: str, after: Annotated[int, Query(ge=0)] = 0) -> InboxOut:
            """Pushed messages after a message id, for clients that cannot hold a connection."""
            chat = self._chat(session)
            async with self.deps.sessionmaker() as db:
                rows = await inbox.after(db, platform=PLATFORM, chat_id=chat, after_id=after)
            return InboxOut(messages=[{"id": r.id, "replies": r.payload} for r in rows])

        @api.get("/webchat/api/events")
        async def events(session: str, request: Request, after: Annotated[int | None, Query(ge=0)] = None) -> EventSourceResponse:
            """Server-sent events: each pushed message as JSON {id, replies}."""
            chat = self._chat(session)
            last = after if after is not None else await self._latest(chat)
            return EventSourceResponse(self._stream(chat, last, request), ping=15)

        return api

    async def _latest(self, chat: str) -> int:
        async with self.deps.sessionmaker() as db:
            return await inbox.latest_id(db, platform=PLATFORM, chat_id=chat)

    async def _stream(self, chat: str, last: int, request: Request) -> AsyncIterator[dict[str, str]]:
        wake = self._wake[chat]
        while not await request.is_disconnected():
            async with self.deps.sessionmaker() as db:
                rows = await inbox.after(db, platform=PLATFORM, chat_id=chat, after_id=last)
            for row in rows:
                last = row.id
                yield {"id": str(row.id), "data": json.dumps({"id": row.id, "replies": row.payload}, ensure_ascii=False)}
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), timeout=WAKE_EVERY_S)
            except TimeoutError:
                pass

    async def _event(self, body: TurnIn) -> Event:
        if body.text is not None:
            text = body.text
            if text.startswith("/") and len(text) > 1 and not text[1:2].isspace():
                name, _, args = text[1:].partition(" ")
                return _command(name, args)
            return TextEvent(text)
        if body.location is not None:
            loc = body.location
            return LocationEvent(loc.lat, loc.lon, loc.accuracy_m, live=False, source="web")
        if body.action is not None:
            return ActionEvent(body.action)
        if body.form is not None:
            return FormEvent({k: v for k, v in body.form.items()})
        assert body.media is not None
        return MediaEvent("image", await self._store_media(body.media), body.media.name)

    async def _store_media(self, item: MediaIn) -> str:
        header, _, encoded = item.data_url.partition(",")
        if not header.startswith("data:") or ";base64" not in header:
            raise HTTPException(400, "media.data_url must be a base64 data URL")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise HTTPException(400, "media.data_url is not valid base64") from None
        mime = header[5:].split(";")[0]
        try:
            async with self.deps.sessionmaker() as session:
                ref = await media.store(session, data=data, mime=mime)
                await session.commit()
        except DomainError as exc:
            raise HTTPException(415 if exc.code == "error.media_type" else 413, translate("en", exc.code, **exc.params)) from None
        return ref


def _command(name: str, args: str) -> Event:
    return CommandEvent(name.lower()[:40], args.strip())
