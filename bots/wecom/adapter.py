"""The WeCom self-built app: the verified callback, turns into the engine, replies out.

`GET /wecom/callback` answers URL verification with the decrypted echostr, verbatim.
`POST /wecom/callback` checks the timestamp window, the signature, the ciphertext and the
CorpID, de-duplicates by MsgId (or the event's sender/time/key), answers at once (WeCom
retries after 5 s) and runs the turn after the answer. Replies go out through
`message/send` within the per-member budget; a clicked card is updated so that its
buttons turn into one grey label. Nothing secret or positional is logged.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence

import httpx
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import PlainTextResponse, Response

from bots.base import Capabilities, DeliveryError, Sent
from bots.budget import WECOM_MEMBER, Budget
from bots.wecom import crypto, render
from bots.wecom.api import WeComApi
from bots.wecom.inbound import MAX_BODY, BadXml, WeComMessage, event_of, message_of, parse_xml
from conversations import profile
from conversations.context import Deps
from conversations.engine import Engine
from conversations.i18n import translate
from conversations.inbound import ConversationKey, Event, MediaEvent, Turn
from conversations.messages import AskLocation, Reply
from core.errors import DomainError
from core.services import inbound_dedupe, media
from core.settings import Settings

log = logging.getLogger(__name__)
PLATFORM = "wecom"
REPLAY_WINDOW_S = 300
"""Callbacks whose timestamp is further than this from our clock are refused (replays)."""
MAX_INTERACTIVE_WAIT_S = 90.0
"""A reply to a member over budget waits this long at most for the window to free a slot."""


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


class WeComAdapter:
    name = PLATFORM
    caps = Capabilities(buttons=render.BUTTONS, callback_bytes=64, can_edit=True, native_forms=False, native_location=True)

    def __init__(
        self,
        engine: Engine,
        deps: Deps,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        assert settings.wecom_enabled and settings.wecom_corp_id and settings.wecom_agent_id
        self.engine, self.deps, self.settings = engine, deps, settings
        self.corp_id = settings.wecom_corp_id
        self._token = _secret(settings.wecom_token)
        self._key = crypto.aes_key(_secret(settings.wecom_encoding_aes_key))
        self.clock, self.sleep = clock, sleep
        self.api = WeComApi(
            corp_id=self.corp_id, agent_id=settings.wecom_agent_id, secret=_secret(settings.wecom_secret),
            sessionmaker=deps.sessionmaker, base_url=settings.wecom_api_url, transport=transport,
        )
        self.budget = Budget(PLATFORM, WECOM_MEMBER, clock=clock, shared=deps.sessionmaker)
        self._task_ids: Iterator[str] = (f"fc{os.urandom(6).hex()}{n}" for n in itertools.count())
        self._menu_task: asyncio.Task[None] | None = None

    # -- contract -------------------------------------------------------------
    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        """Proactive: over the member's budget it raises DeliveryError(retry_after) and sends nothing."""
        return await self._deliver(chat_id, list(replies), wait=False)

    async def would_exceed(self, chat_id: str, n: int = 1) -> float:
        """Seconds until `n` more messages to this member fit WeCom's 30/min and 1,000/h."""
        return await self.budget.would_exceed(chat_id, n)

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        """A sent template card ('rc:…') loses its buttons for a label saying what became of it;
        other messages cannot be edited. `send` lists card ids first, so the one recorded for a
        later edit (the first) is the card even when a long card's full text went before it."""
        if not message_id.startswith("rc:"):
            log.info("wecom: message %s is not a card; it cannot be edited", message_id[:20])
            return
        fallback = translate(await self._locale(chat_id), "wecom.card_done")
        await self.api.update_card(chat_id, message_id[3:], render.edited_card(list(replies), fallback))

    def router(self) -> APIRouter:
        api = APIRouter(tags=["wecom"])
        api.add_api_route("/wecom/callback", self._verify_url, methods=["GET"], response_model=None)
        api.add_api_route("/wecom/callback", self._callback, methods=["POST"], response_model=None)
        return api

    async def start(self) -> None:
        if self.settings.wecom_create_menu:
            self._menu_task = asyncio.create_task(self.create_menu())

    async def stop(self) -> None:
        if self._menu_task is not None and not self._menu_task.done():
            self._menu_task.cancel()
        await self.api.close()

    async def create_menu(self) -> None:
        """Install the app menu; a failure (e.g. the server IP not yet trusted) is logged, not fatal."""
        try:
            await self.api.create_menu(render.menu(self.settings.wecom_locale))
            log.info("wecom app menu created")
        except DeliveryError as exc:
            log.warning("wecom app menu not created: %s", exc)

    # -- callback -------------------------------------------------------------
    def _fresh(self, timestamp: str) -> bool:
        try:
            return abs(self.clock() - int(timestamp)) <= REPLAY_WINDOW_S
        except ValueError:
            return False

    def _open(self, request: Request, encrypted: str) -> bytes | Response:
        q = request.query_params
        signature, timestamp, nonce = q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
        if not (signature and timestamp and nonce and encrypted):
            return PlainTextResponse("missing msg_signature, timestamp, nonce or payload", status_code=400)
        if not self._fresh(timestamp):
            log.warning("wecom callback refused: timestamp outside the replay window")
            return PlainTextResponse("stale or invalid timestamp", status_code=403)
        try:
            return crypto.open_callback(
                token=self._token, key=self._key, receive_id=self.corp_id,
                msg_signature=signature, timestamp=timestamp, nonce=nonce, encrypted=encrypted,
            )
        except crypto.WeComCryptoError as exc:
            log.warning("wecom callback refused: %s", exc)
            return PlainTextResponse("verification failed", status_code=403)

    async def _verify_url(self, request: Request) -> Response:
        """URL verification on saving the callback settings: echo the decrypted echostr as is."""
        echostr = request.query_params.get("echostr", "").replace(" ", "+")  # a '+' not %-encoded
        opened = self._open(request, echostr)
        if isinstance(opened, Response):
            return opened
        return PlainTextResponse(opened.decode("utf-8", errors="replace"))

    async def _callback(self, request: Request, background: BackgroundTasks) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return PlainTextResponse("body too large", status_code=413)
        body = await request.body()
        try:
            encrypted = parse_xml(body).get("Encrypt", "")
        except BadXml as exc:
            return PlainTextResponse(f"bad request: {exc}", status_code=400)
        opened = self._open(request, encrypted)
        if isinstance(opened, Response):
            return opened
        try:
            msg = message_of(parse_xml(opened))
        except BadXml:
            return PlainTextResponse("bad request: the decrypted message is not XML", status_code=400)
        if (msg.corp and msg.corp != self.corp_id) or not msg.user:
            return PlainTextResponse("verification failed", status_code=403)
        async with self.deps.sessionmaker() as session:
            first = await inbound_dedupe.first_time(session, source=PLATFORM, event_id=msg.dedupe_id())
            await session.commit()
        if first:
            background.add_task(self._process, msg)
        return PlainTextResponse("")

    # -- turns ----------------------------------------------------------------
    def key(self, user: str) -> ConversationKey:
        return ConversationKey(PLATFORM, self.corp_id, user, user)

    async def _process(self, msg: WeComMessage) -> None:
        """Run one callback's turn after the answer; errors are logged, never raised into the server."""
        try:
            event = await self._image(msg) if msg.msg_type == "image" else event_of(msg)
            if event is None:
                log.debug("wecom: %s %s ignored", msg.msg_type, msg.event)
                return
            turn = Turn(self.key(msg.user), event, self.caps, locale_hint=self.settings.wecom_locale)
            replies = await self.engine.handle(turn)
            if msg.event == "template_card_event" and msg.get("ResponseCode"):
                await self._close_card(msg, replies)
            if replies:
                await self._deliver(msg.user, replies, wait=True)
        except DeliveryError as exc:
            log.warning("wecom: reply to a member not delivered: %s", exc)
        except Exception:
            log.exception("wecom: callback processing failed")

    async def _image(self, msg: WeComMessage) -> Event | None:
        media_id = msg.get("MediaId")
        if not media_id:
            return None
        try:
            data, mime = await self.api.download(media_id)
            async with self.deps.sessionmaker() as session:
                ref = await media.store(session, data=data, mime=mime)
                await session.commit()
        except (DeliveryError, DomainError) as exc:
            log.warning("wecom: image not kept (%s); referring to WeCom's copy", exc)
            ref = f"wecom:{media_id[:200]}"
        return MediaEvent("image", ref)

    async def _close_card(self, msg: WeComMessage, replies: list[Reply]) -> None:
        try:
            await self.api.update_card(msg.user, msg.get("ResponseCode"), await self._done_card(msg.user, replies))
        except DeliveryError as exc:
            log.warning("wecom: clicked card not updated: %s", exc)

    async def _locale(self, user: str) -> str:
        """The member's picked language, else the WeCom hint; read only when the adapter has words of its own."""
        return await profile.locale_of(
            self.deps, platform=PLATFORM, workspace=self.corp_id, user=user, fallback=self.settings.wecom_locale,
        )

    async def _done_card(self, user: str, replies: list[Reply]) -> render.Body:
        fallback = "" if render.outcome(replies) else translate(await self._locale(user), "wecom.card_done")
        return render.done_card(replies, fallback)

    async def _deliver(self, user: str, replies: list[Reply], *, wait: bool) -> Sent:
        locale = await self._locale(user) if any(isinstance(r, AskLocation) for r in replies) else self.settings.wecom_locale
        outs = render.render_all(replies, locale=locale, task_ids=self._task_ids)
        try:
            await self.budget.take(user, len(outs))
        except DeliveryError as exc:
            if not wait or exc.permanent or (exc.retry_after or 0) > MAX_INTERACTIVE_WAIT_S:
                raise
            log.info("wecom: member over budget; reply waits %.0f s", exc.retry_after or 0)
            await self.sleep(exc.retry_after or 0)
            await self.budget.take(user, len(outs))
        ids: list[str] = []
        for out in outs:
            if isinstance(out, render.Upload):
                media_id = await self.api.upload(out.kind, out.filename, out.mime, out.data)
                ids.append(await self.api.send(user, {"msgtype": out.kind, out.kind: {"media_id": media_id}}))
            else:
                ids.append(await self.api.send(user, out))
        cards = [i for i in ids if i.startswith("rc:")]  # only template cards can be edited later:
        return Sent(user, tuple(cards + [i for i in ids if not i.startswith("rc:")]))  # theirs first
