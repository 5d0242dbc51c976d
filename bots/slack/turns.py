"""What the Slack listeners do after their ack: build the turn, run the engine, deliver natively.

Every conversation with a person lives in the app's direct messages with them, whether
it was started by `/crm` in a channel, a mention, or a DM: customer data stays private, and
proactive messages (reminders, approvals) reach the same chat the dialog is in.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bots.base import Capabilities, DeliveryError, Sent
from bots.slack import inbound, modals, render
from bots.slack.api import SlackApi
from bots.slack.inbound import BadPayload, Clicked
from conversations import profile
from conversations.context import Deps
from conversations.engine import Engine
from conversations.i18n import LOCALES, translate
from conversations.inbound import ActionEvent, ConversationKey, Event, FormEvent, Turn
from conversations.messages import AskLocation, Card, Form, Reply, Text

log = logging.getLogger(__name__)
PLATFORM = "slack"
ACK_BUDGET_S = 2.5
"""A modal submission waits this long for the engine before Slack's 3 s are up."""
EXPIRED = frozenset(translate(locale, "error.action_expired") for locale in LOCALES)
Ack = Callable[..., Awaitable[Any]]


class SlackTurns:
    def __init__(self, engine: Engine, deps: Deps, api: SlackApi, caps: Capabilities, *, concurrency: int = 8) -> None:
        self.engine, self.deps, self.api, self.caps = engine, deps, api, caps
        self._slots = asyncio.Semaphore(concurrency)

    # -- the turn and its delivery ----------------------------------------------------
    async def turn(self, key: ConversationKey, event: Event) -> list[Reply]:
        async with self._slots:
            return await self.engine.handle(Turn(key, event, self.caps))

    async def locale(self, key: ConversationKey | None = None, chat: str | None = None) -> str:
        if key is not None:
            return await profile.locale_of(self.deps, platform=PLATFORM, workspace=key.workspace, user=key.user)
        return await profile.locale_of(self.deps, platform=PLATFORM, chat=chat)

    async def deliver(self, channel: str, replies: list[Reply], locale: str | None = None, *, key: ConversationKey | None = None) -> Sent:
        """Post the replies; `key`: a turn's answer, whose cards are reported to the engine."""
        if locale is None and any(isinstance(r, AskLocation | Form) for r in replies):
            locale = await self.locale(chat=channel)
        messages = render.messages(replies, locale or self.deps.settings.default_locale)
        ids = [await self.api.post(channel, m) for m in messages]
        if key is not None:
            await self.engine.cards_shown(key, [(ref, ts) for m, ts in zip(messages, ids, strict=True) if ts and (ref := render.card_ref(m.blocks))])
        return Sent(channel, tuple(ids))

    async def _key(self, team: str, user: str) -> ConversationKey:
        return ConversationKey(PLATFORM, team, await self.api.dm_channel(user), user)

    # -- slash command, direct message, mention ----------------------------------------
    async def command(self, body: dict[str, Any]) -> None:
        team, user, channel = inbound.team_of(body), inbound.need(body, "user_id"), str(body.get("channel_id", ""))
        key = await self._key(team, user)
        await self._run(key, inbound.command_event(str(body.get("text") or "")))
        response_url = body.get("response_url")
        if channel != key.chat and isinstance(response_url, str):
            await self.api.respond(response_url, translate(await self.locale(key), "slack.in_dm"))

    async def message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im":
            return
        found = inbound.message_event(event)
        if found is None:
            return
        user, channel = inbound.need(event, "user"), inbound.need(event, "channel")
        self.api.remember_dm(user, channel)
        await self._run(ConversationKey(PLATFORM, inbound.team_of(body), channel, user), found)

    async def mention(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        channel = str(event.get("channel", ""))
        found = inbound.text_event(str(event.get("text") or ""))
        if event.get("channel_type") == "im" or channel.startswith("D") or found is None:
            return  # direct messages arrive as message events
        user = inbound.need(event, "user")
        key = await self._key(inbound.team_of(body), user)
        await self._run(key, found)
        await self.api.ephemeral(channel, user, translate(await self.locale(key), "slack.in_dm"))

    async def _run(self, key: ConversationKey, event: Event) -> None:
        replies = await self.turn(key, event)
        await self.deliver(key.chat, replies, key=key)

    # -- App Home -------------------------------------------------------------------
    async def home(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        user = inbound.need(event, "user")
        key = await self._key(inbound.team_of(body), user)
        async with self._slots:
            replies, locale = await profile.agenda_home(self.deps, key)
        await self.api.publish_home(user, render.home(replies, locale))

    # -- buttons ----------------------------------------------------------------------
    async def click(self, click: Clicked) -> None:
        """A callback button: the turn, then the clicked message updated (decided or expired)."""
        key = await self._key(click.team, click.user)
        replies = await self.turn(key, ActionEvent(click.value))
        if _expired(replies):
            await self._expired(click, key, replies[0])
        else:
            replies = await self._update_clicked(click, replies)
            await self.deliver(key.chat, replies, key=key)
        if click.channel is None:
            await self.home({"team_id": click.team}, {"tab": "home", "user": click.user})

    async def _expired(self, click: Clicked, key: ConversationKey, notice: Reply) -> None:
        text = notice.text if isinstance(notice, Text) else ""
        await self.api.ephemeral(click.channel or key.chat, click.user, text)
        if click.channel and click.message_ts:
            await self.api.update(click.channel, click.message_ts, render.decided(click.blocks, "⌛"), text)

    async def _update_clicked(self, click: Clicked, replies: list[Reply]) -> list[Reply]:
        """Replace a card shown again by the engine; strip a dialog choice's buttons once chosen."""
        if click.channel is None or click.message_ts is None:
            return replies
        ref = render.card_ref(click.blocks)
        same = next((r for r in replies if isinstance(r, Card) and ref and r.ref == ref), None)
        if same is not None:
            message = render.render(same, self.deps.settings.default_locale)
            await self.api.update(click.channel, click.message_ts, message.blocks, message.text)
            return [r for r in replies if r is not same]
        if not self.deps.codec.stateless(click.value):
            await self.api.update(click.channel, click.message_ts, render.decided(click.blocks, f"✓ {click.label}"), click.label)
        return replies

    # -- forms as modals ----------------------------------------------------------------
    async def open_form(self, click: Clicked) -> None:
        """The opener's form in a modal; views.open first, while the trigger_id is fresh."""
        try:
            form = modals.decode_form(click.value)
        except ValueError:
            log.warning("a form button without a form in it was clicked")
            return
        key = ConversationKey(PLATFORM, click.team, click.channel or "", click.user)
        meta = {"c": click.channel or "", "ts": click.message_ts or "", "t": form.title[:200]}
        view = modals.modal(form, await self.locale(key), meta)
        await self.api.open_view(click.trigger_id, view)

    async def submit(self, ack: Ack, body: dict[str, Any]) -> None:
        """A modal's fields as one form turn; a refused form answers in the modal itself."""
        view = body.get("view")
        if not isinstance(view, dict):
            raise BadPayload("missing view")
        meta = _meta(view)
        team, user = inbound.team_of(body), inbound.need(body, "user", "id")
        values = modals.submitted(view.get("state") or {})
        key = await self._key(team, user)
        task = asyncio.ensure_future(self.turn(key, FormEvent(dict(values))))
        done, _ = await asyncio.wait({task}, timeout=ACK_BUDGET_S)
        if not done:
            await ack()
            await self.deliver(key.chat, await task, key=key)
            return
        replies = task.result()
        form = next((r for r in replies if isinstance(r, Form)), None)
        if form is not None:
            await self._answer_in_modal(ack, key, form, replies, meta)
            return
        await ack()
        await self._mark_submitted(key, meta)
        await self.deliver(key.chat, replies, key=key)

    async def _answer_in_modal(self, ack: Ack, key: ConversationKey, form: Form, replies: list[Reply], meta: dict[str, str]) -> None:
        if form.errors:
            await ack(response_action="errors", errors=modals.field_errors(form))
            return
        notes = tuple(r.text for r in replies if isinstance(r, Text))
        await ack(response_action="update", view=modals.modal(form, await self.locale(key), meta, notes))

    async def _mark_submitted(self, key: ConversationKey, meta: dict[str, str]) -> None:
        if not (meta.get("c") and meta.get("ts")):
            return
        note = translate(await self.locale(key), "slack.form_sent")
        blocks = render.decided(render.section(f"📝 {meta.get('t', '')}"), note)
        try:
            await self.api.update(meta["c"], meta["ts"], blocks, note)
        except DeliveryError as exc:
            log.info("form message not updated: %s", exc)


def _expired(replies: list[Reply]) -> bool:
    return len(replies) == 1 and isinstance(replies[0], Text) and replies[0].text in EXPIRED


def _meta(view: dict[str, Any]) -> dict[str, str]:
    try:
        meta = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        raise BadPayload("private_metadata") from None
    if not isinstance(meta, dict):
        raise BadPayload("private_metadata")
    return {str(k): str(v) for k, v in meta.items()}
