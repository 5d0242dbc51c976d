"""DingTalk adapter: Stream mode (default), POST /dingtalk/robot, POST /dingtalk/events, sends.

Robot messages arrive over the Stream connection, or signed at /dingtalk/robot when the
robot's receive mode is HTTP; both are de-duplicated by msgId, acknowledged, and handled
in a task. Card clicks arrive over the Stream connection; an answer about the clicked
card's record (a decided approval, a ticket's new state) updates that card in place, so
its spent buttons are gone. When the click asks a question first (a rejection's reason),
the worker remembers the card, and the chat's next message that decides it updates it;
another worker answering that message sends the decided card as a new one instead.
Encrypted event subscriptions (/dingtalk/events) are verified, answered with the
encrypted "success", and otherwise ignored: no org event drives a dialog yet.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bots.base import Capabilities, DeliveryError, Sent
from bots.dingtalk import inbound, render
from bots.dingtalk.api import DingTalkApi
from bots.dingtalk.crypto import CryptoError, EventCrypto, verify_robot
from bots.fallback import page_buttons
from conversations import profile
from conversations.context import Deps
from conversations.engine import Engine
from conversations.i18n import translate
from conversations.inbound import ConversationKey, Turn
from conversations.messages import Card, Reply, Text
from core.services.inbound_dedupe import first_time
from core.settings import Settings

log = logging.getLogger(__name__)
PLATFORM = "dingtalk"
MAX_BODY = 1_000_000
EVENT_WINDOW_MS = 3_600_000
REF_CHARS = inbound.REF_CHARS
AWAITING_MAX = 1000
PLATFORM_LOCALE = "zh-CN"
"""DingTalk tells a robot nothing about its user's language: no field of the robot callback or the
card callback carries one, and the `language` of topapi/v2/user/get only chooses the language of
the answer. So every DingTalk user starts in Chinese, until they pick a language (/lang)."""


class DingTalkAdapter:
    name = PLATFORM
    caps = Capabilities(buttons=8, callback_bytes=64, can_edit=True, native_forms=False, native_location=False)

    def __init__(self, engine: Engine, deps: Deps, settings: Settings, api: DingTalkApi | None = None) -> None:
        assert settings.dingtalk_app_key and settings.dingtalk_app_secret
        self.engine, self.deps, self.settings = engine, deps, settings
        self._profiles = replace(deps, settings=settings.model_copy(update={"default_locale": PLATFORM_LOCALE}))
        """The adapter's own labels follow the user's language, else the platform's (as replies do)."""
        self._secret = settings.dingtalk_app_secret.get_secret_value()
        self.api = api or DingTalkApi(
            app_key=settings.dingtalk_app_key, app_secret=self._secret,
            base_url=settings.dingtalk_api_url, sessionmaker=deps.sessionmaker,
        )
        self.events = (
            EventCrypto(settings.dingtalk_token.get_secret_value(), settings.dingtalk_aes_key.get_secret_value(), settings.dingtalk_app_key)
            if settings.dingtalk_token and settings.dingtalk_aes_key else None
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._awaiting: dict[str, tuple[str, str]] = {}
        """chat → (record, cardBizId) of a clicked card whose decision waits for the chat's next message."""
        self._stream: asyncio.Task[Any] | None = None

    # -- contract -------------------------------------------------------------------
    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        """Proactive messages: a spent budget (20 a minute per chat) raises DeliveryError(retry_after)."""
        locale = await profile.locale_of(self._profiles, platform=PLATFORM, chat=chat_id)
        ids = [await self._send_one(chat_id, r, locale, wait=False) for r in page_buttons(replies, self.caps)]
        return Sent(chat_id, tuple(ids))

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        if inbound.card_parts(message_id) is None:
            raise DeliveryError("only interactive cards can be updated on DingTalk", permanent=True)
        if replies:
            locale = await profile.locale_of(self._profiles, platform=PLATFORM, chat=chat_id)
            await self.api.update_card(message_id, render.as_card(replies[0], locale))

    def router(self) -> APIRouter:
        api = APIRouter(tags=["dingtalk"])

        @api.post("/dingtalk/robot")
        async def robot(request: Request) -> JSONResponse:
            """Robot messages in HTTP mode, signed with the app secret (one-hour window)."""
            try:
                verify_robot(
                    timestamp=request.headers.get("timestamp", ""), sign=request.headers.get("sign", ""),
                    app_secret=self._secret, now_ms=time.time() * 1000,
                )
            except CryptoError as exc:
                log.warning("dingtalk robot request refused: %s", exc)
                return JSONResponse({"msg": str(exc)}, status_code=401)
            data = _json_object(await request.body())
            if data is None:
                return JSONResponse({"msg": "body is not a JSON object"}, status_code=400)
            await self.on_message(data, "")
            return JSONResponse({})

        @api.post("/dingtalk/events")
        async def events(request: Request) -> JSONResponse:
            """Encrypted event subscription: check_url and events, each answered with encrypted success."""
            return await self._event(request)

        return api

    async def start(self) -> None:
        if self.settings.dingtalk_stream:
            from bots.dingtalk.stream import make_client  # the SDK is imported only when DingTalk streams

            client = make_client(self.api, self._secret, on_message=self.on_message, on_card=self.on_card, spawn=self._spawn)
            self._stream = asyncio.create_task(client.start(), name="dingtalk-stream")

    async def stop(self) -> None:
        if self._stream is not None:
            self._stream.cancel()
            await asyncio.gather(self._stream, return_exceptions=True)
        await self.drain()
        await self.api.close()

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, work: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- inbound --------------------------------------------------------------------
    async def on_message(self, data: dict[str, Any], frame_id: str) -> None:
        """A robot message from either channel: de-duplicated by msgId, then run in a task."""
        found = inbound.parse_robot(data)
        if found is None or not await self._first_time(found.message_id or frame_id):
            return
        self._spawn(self._converse(found))

    async def on_card(self, data: dict[str, Any], frame_id: str) -> None:
        """A card click: the clicked card shows the answer about its record; the rest is sent."""
        click = inbound.parse_card_callback(data)
        if click is None or not await self._first_time(f"card:{frame_id}" if frame_id else ""):
            return
        chat = click.inbound.chat
        self._awaiting.pop(chat, None)
        replies = await self._turn(click.inbound)
        locale = await self._locale(click.inbound)
        if click.ref:
            rest = await self._update_card(click.card_id, click.ref, replies, locale, decided_only=False)
            if rest is None:
                self._remember(chat, click.ref, click.card_id)
            replies = replies if rest is None else rest
        await self._deliver(chat, replies, locale)

    def _remember(self, chat: str, ref: str, card_id: str) -> None:
        """A click whose answer is a question (a rejection's reason): the chat's next answer may decide the card."""
        self._awaiting[chat] = (ref, card_id)
        while len(self._awaiting) > AWAITING_MAX:
            self._awaiting.pop(next(iter(self._awaiting)))

    async def _update_card(
        self, card_id: str, ref: str, replies: list[Reply], locale: str, *, decided_only: bool
    ) -> list[Reply] | None:
        """Update the card showing `ref` from the reply about the same record (with no buttons left, when
        `decided_only`); the replies still to send, or None when no reply is about it or DingTalk refused."""
        for n, reply in enumerate(replies):
            if not isinstance(reply, Card) or not reply.ref or reply.ref[:REF_CHARS] != ref or (decided_only and reply.actions):
                continue
            try:
                await self.api.update_card(card_id, render.as_card(reply, locale))
            except DeliveryError as exc:
                log.warning("dingtalk card not updated: %s", exc)
                return None
            return replies[:n] + replies[n + 1 :]
        return None

    async def _first_time(self, event_id: str) -> bool:
        if not event_id:
            return True
        async with self.deps.sessionmaker() as session:
            fresh = await first_time(session, source=PLATFORM, event_id=event_id)
            await session.commit()
        return fresh

    async def _turn(self, found: inbound.Inbound) -> list[Reply]:
        assert found.event is not None
        key = ConversationKey(PLATFORM, found.corp, found.chat, found.user)
        return await self.engine.handle(Turn(key, found.event, self.caps, locale_hint=PLATFORM_LOCALE))

    async def _locale(self, found: inbound.Inbound) -> str:
        return await profile.locale_of(self._profiles, platform=PLATFORM, workspace=found.corp, user=found.user)

    async def _converse(self, found: inbound.Inbound) -> None:
        if found.event is None:
            locale = await self._locale(found)
            await self._deliver(found.chat, [Text(translate(locale, "dingtalk.unsupported"))], locale)
            return
        waiting = self._awaiting.pop(found.chat, None)
        replies = await self._turn(found)
        locale = await self._locale(found)  # as the turn left it (/lang, binding)
        if waiting is not None:
            ref, card_id = waiting
            rest = await self._update_card(card_id, ref, replies, locale, decided_only=True)
            replies = replies if rest is None else rest
        await self._deliver(found.chat, replies, locale)

    async def _deliver(self, chat: str, replies: Sequence[Reply], locale: str) -> None:
        for reply in page_buttons(replies, self.caps):
            try:
                await self._send_one(chat, reply, locale, wait=True)
            except DeliveryError as exc:
                log.warning("dingtalk reply not delivered: %s", exc)
                return

    async def _send_one(self, chat: str, reply: Reply, locale: str, *, wait: bool) -> str:
        out = render.render(reply, locale)
        card_id = inbound.card_id(chat, out.ref) if out.card is not None else ""
        return await self.api.send(chat, out, card_id=card_id, wait=wait)

    # -- encrypted events -------------------------------------------------------------
    async def _event(self, request: Request) -> JSONResponse:
        if self.events is None:
            return JSONResponse({"msg": "event subscription is not configured"}, status_code=404)
        query = request.query_params
        signature = query.get("msg_signature") or query.get("signature") or ""
        timestamp = query.get("timestamp") or query.get("timeStamp") or ""
        raw = await request.body()
        body = _json_object(raw) if len(raw) <= MAX_BODY else None
        encrypted = body.get("encrypt") if body else None
        if not isinstance(encrypted, str):
            return JSONResponse({"msg": "body must be {\"encrypt\": …}"}, status_code=400)
        try:
            if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > EVENT_WINDOW_MS:
                raise CryptoError("stale timestamp")
            plain = self.events.decrypt(signature=signature, timestamp=timestamp, nonce=query.get("nonce", ""), encrypted=encrypted)
        except CryptoError as exc:
            log.warning("dingtalk event refused: %s", exc)
            return JSONResponse({"msg": str(exc)}, status_code=401)
        event = _json_object(plain) or {}
        log.info("dingtalk event %s acknowledged", str(event.get("EventType", "?"))[:40])
        return JSONResponse(self.events.answer(b"success", str(int(time.time() * 1000))))


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None
