"""Feishu adapter: POST /feishu/events (messages, bot menu, card actions), sends and card edits.

Feishu redelivers an event not acknowledged within 3 s, so messages are acknowledged first
(after the signature, token and event-id checks) and handled in a task. A card click must
be answered with its toast and updated card in the same 3 s, so the turn runs at once and
the answer waits at most 2.5 s; the rest of the replies go out as new messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bots.base import Capabilities, DeliveryError, Sent
from bots.fallback import page_buttons
from bots.feishu import inbound, render
from bots.feishu.api import FeishuApi
from bots.feishu.envelope import Keys, Rejected, is_verification, open_request
from conversations import profile
from conversations.context import Deps
from conversations.engine import Engine
from conversations.i18n import translate
from conversations.inbound import ConversationKey, FormEvent, Turn
from conversations.messages import Card, Form, Reply, Text
from core.services.inbound_dedupe import first_time
from core.settings import Settings

log = logging.getLogger(__name__)
PLATFORM = "feishu"
CARD_ANSWER_S = 2.5
TOAST_CHARS = 60


class FeishuAdapter:
    name = PLATFORM
    caps = Capabilities(buttons=20, callback_bytes=64, can_edit=True, native_forms=True, native_location=True)

    def __init__(self, engine: Engine, deps: Deps, settings: Settings, api: FeishuApi | None = None) -> None:
        assert settings.feishu_app_id and settings.feishu_app_secret and settings.feishu_verification_token
        self.engine, self.deps = engine, deps
        encrypt_key = settings.feishu_encrypt_key.get_secret_value() if settings.feishu_encrypt_key else None
        self.keys = Keys(settings.feishu_verification_token.get_secret_value(), encrypt_key or None)
        self.api = api or FeishuApi(
            app_id=settings.feishu_app_id, app_secret=settings.feishu_app_secret.get_secret_value(),
            base_url=settings.feishu_api_url, sessionmaker=deps.sessionmaker,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self.platform_hint = inbound.platform_locale(settings.feishu_api_url)
        """The language of users whose client said none (zh-CN on Feishu, en on Lark)."""

    # -- contract -------------------------------------------------------------------
    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        """Proactive messages (notifications): a spent budget raises DeliveryError(retry_after)."""
        locale = await self._chat_locale(chat_id)
        ids = [await self.api.send(chat_id, render.render(r, locale, chat_id)) for r in page_buttons(replies, self.caps)]
        return Sent(chat_id, tuple(ids))

    async def edit(self, chat_id: str, message_id: str, replies: Sequence[Reply]) -> None:
        """Replace a sent card (a decided approval loses its buttons); the first reply is shown."""
        if replies:
            locale = await self._chat_locale(chat_id)
            await self.api.patch_card(message_id, render.as_card(replies[0], locale, chat_id))

    def router(self) -> APIRouter:
        api = APIRouter(tags=["feishu"])

        @api.post("/feishu/events")
        async def events(request: Request) -> JSONResponse:
            """Feishu events and card callbacks (HTTP mode), verified before anything is read."""
            raw = await request.body()
            try:
                payload = open_request(raw, request.headers, self.keys, time.time())
            except Rejected as refused:
                log.warning("feishu request refused: %s", refused.reason)
                return JSONResponse({"msg": refused.reason}, status_code=refused.status)
            if is_verification(payload):
                return JSONResponse({"challenge": str(payload.get("challenge", ""))})
            return JSONResponse(await self._dispatch(payload))

        return api

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await self.drain()
        await self.api.close()

    async def drain(self) -> None:
        """Wait for the turns still in progress (shutdown, and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- events -----------------------------------------------------------------------
    async def _dispatch(self, payload: dict[str, Any]) -> dict[str, Any]:
        header = payload.get("header") if isinstance(payload.get("header"), dict) else {}
        assert isinstance(header, dict)
        event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
        assert isinstance(event, dict)
        kind, tenant = str(header.get("event_type", "")), str(header.get("tenant_key", ""))
        if kind not in ("im.message.receive_v1", "application.bot.menu_v6", "card.action.trigger"):
            return {}  # acknowledged and ignored
        if not await self._first_time(str(header.get("event_id", ""))):
            return {}
        if kind == "card.action.trigger":
            click = inbound.parse_card_action(event, tenant)
            return await self._click(click) if click else {}
        found = inbound.parse_message(event, tenant) if kind == "im.message.receive_v1" else inbound.parse_menu(event, tenant)
        if found is not None:
            self._spawn(self._converse(found))
        return {}

    async def _first_time(self, event_id: str) -> bool:
        if not event_id:
            return True
        async with self.deps.sessionmaker() as session:
            fresh = await first_time(session, source=PLATFORM, event_id=event_id)
            await session.commit()
        if not fresh:
            log.info("feishu event redelivered, ignored")
        return fresh

    def _spawn(self, work: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _key(self, found: inbound.Inbound) -> ConversationKey:
        return ConversationKey(PLATFORM, found.tenant, found.chat, found.user)

    def _hint(self, found: inbound.Inbound) -> str | None:
        return found.locale_hint or self.platform_hint

    async def _turn(self, found: inbound.Inbound) -> list[Reply]:
        assert found.event is not None
        return await self.engine.handle(Turn(self._key(found), found.event, self.caps, self._hint(found)))

    async def _converse(self, found: inbound.Inbound) -> None:
        if found.event is None:
            locale = await self._locale(found)
            await self._deliver(found.chat, [Text(translate(locale, "feishu.unsupported"))], locale)
            return
        replies = await self._turn(found)
        await self._deliver(found.chat, replies, await self._locale(found))

    async def _deliver(self, chat: str, replies: Sequence[Reply], locale: str) -> None:
        """Replies to a user's turn; they wait briefly for the budget rather than fail."""
        for reply in page_buttons(replies, self.caps):
            try:
                await self.api.send(chat, render.render(reply, locale, chat), wait=True)
            except DeliveryError as exc:
                log.warning("feishu reply not delivered: %s", exc)
                return

    # -- card clicks --------------------------------------------------------------------
    async def _click(self, click: inbound.Click) -> dict[str, Any]:
        found = click.inbound
        task = self._spawn(self._turn(found))
        done, _ = await asyncio.wait({task}, timeout=CARD_ANSWER_S)
        locale = await self._locale(found)
        if not done:
            log.warning("feishu card turn slower than %.1f s; replies follow as messages", CARD_ANSWER_S)
            task.add_done_callback(lambda t: self._spawn(self._deliver(found.chat, t.result(), locale)))
            return {"toast": {"type": "info", "content": "…"}}
        replies = task.result()
        card, rest = self._updated_card(click, replies, locale)
        answer: dict[str, Any] = {"toast": {"type": "info", "content": _toast(replies)}}
        if card is not None:
            answer["card"] = {"type": "raw", "data": card}
        if rest:
            self._spawn(self._deliver(found.chat, rest, locale))
        return answer

    def _updated_card(self, click: inbound.Click, replies: list[Reply], locale: str) -> tuple[dict[str, Any] | None, list[Reply]]:
        """What the clicked card becomes, and the replies still to send as new messages."""
        first = replies[0] if replies else None
        chat = click.inbound.chat
        if isinstance(click.inbound.event, FormEvent):
            if isinstance(first, Form) and first.errors:
                return render.as_card(first, locale, chat), replies[1:]
            if isinstance(first, Text) and first.text == translate(locale, "error.form_expired"):
                return render.collapsed(first.text, mark="⚠️"), replies[1:]
            return render.collapsed(translate(locale, "feishu.form_sent")), replies
        if isinstance(first, Card) and first.ref and click.ref == first.ref:
            return render.as_card(first, locale, chat), replies[1:]
        if click.picker_label:
            return render.collapsed(click.picker_label), replies
        return None, replies

    async def _locale(self, found: inbound.Inbound) -> str:
        """The language the engine answered this user in: picked with /lang, else the hint, else the default."""
        return await profile.locale_of(
            self.deps, platform=PLATFORM, workspace=found.tenant, user=found.user, fallback=self._hint(found)
        )

    async def _chat_locale(self, chat: str) -> str:
        """For notifications: the language the notifier wrote them in (picked, else the default)."""
        return await profile.locale_of(self.deps, platform=PLATFORM, chat=chat)


def _toast(replies: list[Reply]) -> str:
    text = next((r.text for r in replies if isinstance(r, Text)), "✓")
    return render.cut(text.split("\n")[0], TOAST_CHARS)
