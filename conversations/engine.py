"""The engine: one turn in, replies out, in one unit of work.

It resolves the chat identity, loads the dialog, routes the event (command, button,
text, location, photo, form) to a flow, saves the dialog with the flow's changes in the
same transaction, and turns domain errors into a clear message with nothing written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from conversations import form_filler
from conversations.approval_card import step_of
from conversations.context import Ctx, Deps
from conversations.flow import Flow
from conversations.flows.menu import MenuFlow, is_greeting, not_understood
from conversations.i18n import normalise_locale
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
from conversations.messages import Form, Reply, Text
from conversations.state import expiry
from conversations.tokens import BadToken
from core.errors import DomainError
from core.permissions import scope_for
from core.services import approval_cards, identities, inbound_dedupe
from core.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_TEXT = 4000
CANCEL_WORDS = {"cancel", "取消", "退出", "quit", "/cancel"}


class Engine:
    def __init__(self, deps: Deps, flows: Sequence[Flow], *, bind_flow: Flow, checkin_flow: Flow) -> None:
        self.deps = deps
        self.flows = {f.code: f for f in flows}
        self.commands = {c.lower(): f for f in flows for c in f.commands}
        self.free_text = [f for f in flows if f.free_text_roles]
        self.location_flows = [f for f in flows if f.location_roles]
        self.bind_flow, self.checkin_flow = bind_flow, checkin_flow

    async def handle(self, turn: Turn) -> list[Reply]:
        async with UnitOfWork(self.deps.sessionmaker, self.deps.bus) as uow:
            ctx = Ctx(turn=turn, deps=self.deps, uow=uow, locale=self.deps.settings.default_locale)
            ctx.launch = self._launch
            try:
                if not await self._first_delivery(turn, uow):
                    return []
                await self._identify(ctx)
                replies = await self._route(ctx)
                replies = self._degrade_forms(ctx, replies)
                replies = self._mark_question(ctx, replies)
                await self._save_dialog(ctx)
                await uow.commit()
                return replies
            except DomainError as exc:
                await uow.rollback()
                return self._explain(ctx, exc)
            except Exception:
                await uow.rollback()
                log.exception("turn failed on %s", turn.key.platform)
                return [Text(ctx.t("error.internal"))]

    async def cards_shown(self, key: ConversationKey, shown: Sequence[tuple[str, str]]) -> None:
        """An adapter reports the cards a turn's answer put on screen, as (Card.ref, message id).
        The approval cards among them are remembered like the pushed ones, so that a decision
        taken anywhere else edits them too (no stale buttons in the approver's /approvals list).
        Never raises: the answer is already on screen, and only a later edit of it can be lost."""
        steps = [(step, message_id) for ref, message_id in shown if (step := step_of(ref)) is not None]
        if not steps:
            return
        try:
            async with UnitOfWork(self.deps.sessionmaker, self.deps.bus) as uow:
                user = await identities.bound_user(uow.session, platform=key.platform, workspace=key.workspace, external_user_id=key.user)
                if user is None:
                    return
                for step_id, message_id in steps:
                    await approval_cards.record(
                        uow.session, step_id=step_id, user_id=user.id, platform=key.platform, chat_id=key.chat, message_ids=[message_id],
                    )
                await uow.commit()
        except Exception:
            log.exception("could not remember the cards shown in a %s chat", key.platform)

    async def _first_delivery(self, turn: Turn, uow: UnitOfWork) -> bool:
        """A platform redelivering an event (slow webhook answer, restart) gets nothing done twice:
        the event's marker is written in the same transaction as the turn's effects."""
        if turn.event_id is None:
            return True
        source, event_id = turn.event_id
        if await inbound_dedupe.first_time(uow.session, source=source, event_id=event_id):
            return True
        log.info("%s event %s was handled before; dropped", source, event_id)
        return False

    async def _identify(self, ctx: Ctx) -> None:
        key = ctx.turn.key
        ctx.user = await identities.bound_user(
            ctx.session, platform=key.platform, workspace=key.workspace, external_user_id=key.user
        )
        hint = normalise_locale(ctx.turn.locale_hint)
        if ctx.user is not None:
            ctx.scope = await scope_for(ctx.session, ctx.user)
        ctx.dialog = await self.deps.state.load(ctx.session, key.storage_key(), ctx.turn.received_at)
        picked = ctx.user.locale if ctx.user else (ctx.dialog.data.get("locale") if ctx.dialog else None)
        ctx.locale = picked or hint or self.deps.settings.default_locale

    async def _route(self, ctx: Ctx) -> list[Reply]:
        event = ctx.turn.event
        if not ctx.turn.addressed and ctx.dialog is None and not isinstance(event, ActionEvent | CommandEvent):
            return []  # people talking in a group, not to the bot: no "not understood", no binding prompt
        if isinstance(event, TextEvent):
            problem = self._check_text(ctx, event.text)
            if problem:
                return problem
            if event.text.strip().lower() in CANCEL_WORDS:
                return self._cancel(ctx)
        if isinstance(event, CommandEvent) and event.name in ("cancel", "取消"):
            return self._cancel(ctx)
        if isinstance(event, LocationEvent) and event.update_of_live:
            return await self._live_moved(ctx, event)
        if ctx.user is None:
            return await self._unbound(ctx, event)
        if isinstance(event, FormEvent) and not self._form_is_current(ctx, event):
            return [Text(ctx.t("error.form_expired"))]
        if isinstance(event, ActionEvent):
            return await self._action(ctx, event.token)
        if isinstance(event, CommandEvent):
            return await self._command(ctx, event.name, event.args)
        if ctx.dialog is not None:
            if form_filler.active(ctx) and isinstance(event, TextEvent):
                answered = form_filler.answer(ctx, event.text)
                if not isinstance(answered, FormEvent):
                    return answered
                event = answered
            elif form_filler.active(ctx) and isinstance(event, FormEvent):
                form_filler.drop(ctx)  # the whole form came at once, from the web form page
            flow = self.flows.get(ctx.dialog.flow)
            if flow is not None and flow.waits_for(ctx, event):
                return await flow.on_event(ctx, event)
            ctx.finish()
        return await self._idle(ctx, event)

    async def _live_moved(self, ctx: Ctx, event: LocationEvent) -> list[Reply]:
        """A shared live location reports every few seconds for hours, whatever dialog is open:
        it only refreshes the open visit and never answers (no prompts, no "unexpected")."""
        if ctx.user is None or not self._allowed(ctx, self.checkin_flow):
            return []
        return await self.checkin_flow.on_event(ctx, event)

    async def _unbound(self, ctx: Ctx, event: Event) -> list[Reply]:
        if isinstance(event, ActionEvent) and not self._is_language_action(event.token):
            return [Text(ctx.t("bind.prompt"))]
        if isinstance(event, ActionEvent):
            return await self._action(ctx, event.token)
        if isinstance(event, CommandEvent):
            return await self.bind_flow.start(ctx, event.args if event.name in ("start", "bind") else "")
        return await self.bind_flow.on_event(ctx, event)

    def _is_language_action(self, token: str) -> bool:
        try:
            ref = self.deps.codec.decode(token)
        except BadToken:
            return False
        return ref.flow == "lg"

    async def _action(self, ctx: Ctx, token: str) -> list[Reply]:
        try:
            ref = self.deps.codec.decode(token)
        except BadToken:
            return [Text(ctx.t("error.action_expired"))]
        if ref.flow == form_filler.FLOW:
            if not (ctx.dialog and ctx.dialog.instance == ref.instance and form_filler.active(ctx)):
                return [Text(ctx.t("error.action_expired"))]
            answered = form_filler.answer_action(ctx, ref.arg)
            if not isinstance(answered, FormEvent):
                return answered
            return await self.flows[ctx.dialog.flow].on_event(ctx, answered)
        flow = self.flows.get(ref.flow)
        if flow is None:
            return [Text(ctx.t("error.action_expired"))]
        if not ref.stateless and (ctx.dialog is None or (ctx.dialog.flow, ctx.dialog.instance) != (ref.flow, ref.instance)):
            return [Text(ctx.t("error.action_expired"))]
        if not self._allowed(ctx, flow):
            return [Text(ctx.t("error.permission"))]
        return await flow.on_action(ctx, ref.arg)

    def _form_is_current(self, ctx: Ctx, event: FormEvent) -> bool:
        """A form naming its dialog run (by its submit token) belongs to that run, and only while open."""
        if event.token is None:
            return True
        try:
            ref = self.deps.codec.decode(event.token)
        except BadToken:
            return False
        return ref.stateless or (ctx.dialog is not None and (ctx.dialog.flow, ctx.dialog.instance) == (ref.flow, ref.instance))

    async def _command(self, ctx: Ctx, name: str, args: str) -> list[Reply]:
        flow = self.commands.get(name.lower())
        if flow is None:
            return not_understood(ctx, ctx.t("error.unknown_command", command=name[:40]))
        return await self.start(ctx, flow, args)

    async def _launch(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        flow = self.commands.get(command)
        return await (self.start(ctx, flow, args) if flow else self._command(ctx, command, args))

    async def start(self, ctx: Ctx, flow: Flow, args: str) -> list[Reply]:
        if not self._allowed(ctx, flow):
            return [Text(ctx.t("error.permission"))]
        if ctx.dialog is not None:
            ctx.finish()
        return await flow.start(ctx, args.strip())

    def _allowed(self, ctx: Ctx, flow: Flow) -> bool:
        return flow.roles is None or (ctx.user is not None and ctx.user.role in flow.roles)

    async def _idle(self, ctx: Ctx, event: Event) -> list[Reply]:
        """An event with no dialog open: a command word, a location, a photo, or help."""
        if isinstance(event, TextEvent):
            word, _, rest = event.text.strip().lstrip("/").partition(" ")
            flow = self.commands.get(word.lower())
            if flow is not None:
                return await self.start(ctx, flow, rest)
            if is_greeting(event.text):
                return await self.start(ctx, self.flows[MenuFlow.code], "")
            taken = await self._free_text(ctx, event.text)
            if taken is not None:
                return taken
            return not_understood(ctx, ctx.t("dialog.not_understood"))
        if isinstance(event, LocationEvent | MediaEvent):
            # Sharing a location or a photo with nothing open means "I am at a customer"
            # (an engineer's location: "I am here", for dispatch or to arrive at a ticket).
            if self._allowed(ctx, self.checkin_flow):
                return await self.checkin_flow.on_event(ctx, event)
            role = ctx.user.role if ctx.user else None
            taker = next((f for f in self.location_flows if role in f.location_roles), None)
            if isinstance(event, LocationEvent) and taker is not None:
                return await taker.on_location(ctx, event)
            return [Text(ctx.t("checkin.not_for_role"))]
        return [Text(ctx.t("error.form_expired"))]

    async def _free_text(self, ctx: Ctx, text: str) -> list[Reply] | None:
        """Flows that read plain messages for the user's role (a dealer's stock count), in order."""
        role = ctx.user.role if ctx.user else None
        for flow in self.free_text:
            if role in flow.free_text_roles:
                replies = await flow.on_free_text(ctx, text)
                if replies is not None:
                    return replies
        return None

    def _cancel(self, ctx: Ctx) -> list[Reply]:
        had_dialog = ctx.dialog is not None
        ctx.finish()
        return [Text(ctx.t("dialog.cancelled" if had_dialog else "dialog.nothing_to_cancel"))]

    def _check_text(self, ctx: Ctx, text: str) -> list[Reply]:
        if not text.strip():
            return [Text(ctx.t("error.empty_text"))]
        if len(text) > MAX_TEXT:
            return [Text(ctx.t("error.text_too_long", limit=MAX_TEXT, length=len(text)))]
        return []

    def _degrade_forms(self, ctx: Ctx, replies: list[Reply]) -> list[Reply]:
        """No native forms: ask one field per message (logged, visible to the user)."""
        if ctx.turn.caps.native_forms or ctx.dialog is None:
            return replies
        out: list[Reply] = []
        for reply in replies:
            if isinstance(reply, Form):
                log.info("form %r degraded to step-by-step on %s", reply.title, ctx.turn.key.platform)
                page = self.deps.form_page
                url = page(ctx.turn.key, ctx.locale, ctx.dialog.instance) if page else None
                out += form_filler.begin(ctx, reply, page_url=url)
            else:
                out.append(reply)
        return out

    def _mark_question(self, ctx: Ctx, replies: list[Reply]) -> list[Reply]:
        """An answer that ends in plain text while a dialog stays open ends in a question."""
        if ctx.dialog is None or not replies or not isinstance(replies[-1], Text):
            return replies
        return [*replies[:-1], replace(replies[-1], awaits_answer=True)]

    async def _save_dialog(self, ctx: Ctx) -> None:
        if not ctx.dialog_changed:
            return
        key = ctx.turn.key.storage_key()
        if ctx.dialog is None:
            await self.deps.state.clear(ctx.session, key)
        else:
            ttl = expiry(ctx.turn.received_at, self.deps.settings.dialog_ttl_minutes)
            await self.deps.state.save(ctx.session, key, ctx.dialog, ttl)

    def _explain(self, ctx: Ctx, exc: DomainError) -> list[Reply]:
        message = ctx.t(exc.code, **exc.params)
        if ctx.dialog is not None and ctx.dialog.version:
            message += "\n" + ctx.t("dialog.retry_or_cancel")
        return [Text(message)]
