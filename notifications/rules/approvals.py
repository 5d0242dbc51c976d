"""Approval notifications: cards to approvers, outcomes and questions to requesters, reminders.

Every kind here is written by a subscriber to a quote or approval event, inside the
transaction that decided it, so a card exists exactly when its step does. Card kinds
(request, reminder, escalated) carry stateless Approve / Reject / Comment buttons and
are dropped before sending once their step is no longer pending; after sending, the
copy is recorded (`notifications.approval_cards`) so a decision edits it everywhere.
The escalation sweep (remind after N working hours, then the superior) is this module's
scheduled part.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.approval_card import approval_card
from conversations.messages import Action, Card, Field, Reply, Text
from conversations.quote_cards import decision_text, quote_fields, status_line, step_role
from core.events import EventBus
from core.models import ApprovalStep, Quote, QuoteComment, QuoteStatus, StepStatus, User, utcnow
from core.quote_events import (
    ApprovalCommented,
    ApprovalDelegated,
    ApprovalEscalated,
    ApprovalReminderDue,
    ApprovalRequested,
    ApprovalStepDecided,
    QuoteDecided,
)
from core.services import rebate_claims
from core.services.approval_escalation import policy_from, sweep
from core.services.quote_views import QuoteView, load_view
from core.settings import Settings
from core.uow import UnitOfWork
from notifications.compose import Composer, Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.base import Pending, Rule, RuleEnv

REQUEST, REMINDER, ESCALATED = "approval_request", "approval_reminder", "approval_escalated"
OUTCOME, PROGRESS, COMMENT = "approval_outcome", "approval_progress", "approval_comment"
CARD_KINDS = (REQUEST, REMINDER, ESCALATED)
"""Kinds whose message is an approval card (ref_id = the step id), edited after the decision."""


async def _write(session: AsyncSession, composer: Composer, kind: str, key: str, user_ids: Sequence[int],
                 ref_id: int, build: Callable[[Recipient], tuple[str, tuple[Reply, ...]]]) -> None:
    """One row per recipient (active users only), due now, timed by their quiet hours."""
    recipients = await composer.recipients(session, list(dict.fromkeys(user_ids)))
    now, items = utcnow(), []
    for to in recipients.values():
        summary, replies = build(to)
        items.append(OutboxItem(
            user_id=to.user.id, kind=kind, dedupe_key=f"{kind}:{key}:{to.user.id}", due_at=now,
            send_after=to.send_time(now, routine=False), summary=summary, replies=replies, ref_id=ref_id,
        ))
    await enqueue(session, items)


def _card(composer: Composer, view: QuoteView, step: ApprovalStep, intro: str | None) -> Callable[[Recipient], tuple[str, tuple[Reply, ...]]]:
    def build(to: Recipient) -> tuple[str, tuple[Reply, ...]]:
        v = to.voice
        card = approval_card(view, step, v, composer.codec)
        summary = v.t("notify.approval.summary", number=view.quote.number or "-", total=v.fmt.money(view.quote.total, view.quote.currency))
        return summary, ((Text(v.t(intro, name=view.name(step.approver_id, v.locale))), card) if intro else (card,))

    return build


class StepEvent(Protocol):
    @property
    def step_id(self) -> int: ...

    @property
    def quote_id(self) -> int: ...


E = TypeVar("E", bound=StepEvent)


def _card_handler(
    composer: Composer, kind: str, intro: str | None, who: Callable[[E], list[int | None]]
) -> Callable[[AsyncSession, E], Awaitable[None]]:
    async def handle(session: AsyncSession, event: E) -> None:
        view = await load_view(session, event.quote_id)
        step = next(s for s in view.steps if s.id == event.step_id)
        if step.status != StepStatus.PENDING:
            return
        recipients = [u for u in who(event) if u is not None]
        await _write(session, composer, kind, str(step.id), recipients, step.id, _card(composer, view, step, intro))

    return handle


def _approver_and_delegate(e: ApprovalRequested) -> list[int | None]:
    return [e.approver_id, e.delegate_id]


def _delegate(e: ApprovalDelegated) -> list[int | None]:
    return [e.delegate_id]


def _approver(e: ApprovalReminderDue) -> list[int | None]:
    return [e.approver_id]


def _superior(e: ApprovalEscalated) -> list[int | None]:
    return [e.superior_id]


def _requester_handler(composer: Composer) -> Callable[[AsyncSession, QuoteDecided], Awaitable[None]]:
    async def handle(session: AsyncSession, event: QuoteDecided) -> None:
        view = await load_view(session, event.quote_id)
        if event.decided_by_id == event.requester_id:
            return

        def build(to: Recipient) -> tuple[str, tuple[Reply, ...]]:
            v, q = to.voice, view.quote
            decided = [s for s in view.steps if s.status in (StepStatus.APPROVED, StepStatus.REJECTED)]
            fields = quote_fields(view, v) + [Field(v.t("approval.f.decision"), decision_text(view, s, v)) for s in decided]
            actions: tuple[Action, ...] = ()
            if q.status == QuoteStatus.APPROVED:
                actions = (v.button(v.t("quote.btn.order"), "qs", f"o{q.id}", style="primary"),)
            title = v.t(f"notify.approval.{q.status.value}", number=q.number or "-")
            return title, (Card(title, tuple(fields), actions, subtitle=status_line(view, v), ref=f"quote:{q.id}"),)

        await _write(session, composer, OUTCOME, f"{event.quote_id}:{event.status}", [event.requester_id], event.quote_id, build)

    return handle


def _progress_handler(composer: Composer) -> Callable[[AsyncSession, ApprovalStepDecided], Awaitable[None]]:
    """One step passed and another waits: the requester hears where the quote is now."""

    async def handle(session: AsyncSession, event: ApprovalStepDecided) -> None:
        view = await load_view(session, event.quote_id)
        nxt = view.current
        if event.status != StepStatus.APPROVED.value or nxt is None:
            return

        def build(to: Recipient) -> tuple[str, tuple[Reply, ...]]:
            v = to.voice
            text = v.t("notify.approval.progress", number=view.quote.number or "-", by=view.name(event.decided_by_id, v.locale),
                       name=view.name(nxt.approver_id, v.locale), role=step_role(v, nxt))
            return text, (Text(text),)

        await _write(session, composer, PROGRESS, str(event.step_id), [event.requester_id], event.quote_id, build)

    return handle


def _comment_handler(composer: Composer) -> Callable[[AsyncSession, ApprovalCommented], Awaitable[None]]:
    async def handle(session: AsyncSession, event: ApprovalCommented) -> None:
        note = await session.get_one(QuoteComment, event.comment_id)
        quote = await session.get_one(Quote, event.quote_id)
        author = await session.get_one(User, event.author_id)

        def build(to: Recipient) -> tuple[str, tuple[Reply, ...]]:
            v = to.voice
            text = v.t("notify.approval.comment", name=author.display_name(v.locale), number=quote.number or "-", text=note.text[:500])
            return text, (Text(text), Card(quote.number or "-", (), (v.button(v.t("quote.btn.open"), "qs", f"v{quote.id}"),)))

        await _write(session, composer, COMMENT, str(note.id), [event.recipient_id], event.quote_id, build)

    return handle


def subscribe(bus: EventBus, composer: Composer) -> None:
    bus.subscribe(ApprovalRequested, _card_handler(composer, REQUEST, None, _approver_and_delegate))
    bus.subscribe(ApprovalDelegated, _card_handler(composer, REQUEST, "notify.approval.delegated", _delegate))
    bus.subscribe(ApprovalReminderDue, _card_handler(composer, REMINDER, "notify.approval.reminder", _approver))
    bus.subscribe(ApprovalEscalated, _card_handler(composer, ESCALATED, "notify.approval.escalated", _superior))
    bus.subscribe(QuoteDecided, _requester_handler(composer))
    bus.subscribe(ApprovalStepDecided, _progress_handler(composer))
    bus.subscribe(ApprovalCommented, _comment_handler(composer))


async def still_pending(session: AsyncSession, rows: Sequence[Pending], settings: Settings) -> set[int]:
    """A card whose step was decided before it went out is not sent at all."""
    ids = {r.ref_id for r in rows if r.ref_id is not None}
    open_ = set((await session.scalars(
        select(ApprovalStep.id).join(Quote, Quote.id == ApprovalStep.quote_id)
        .where(ApprovalStep.id.in_(ids), ApprovalStep.status == StepStatus.PENDING, Quote.status == QuoteStatus.PENDING)
    )).all()) if ids else set()
    open_ |= await rebate_claims.open_steps(session, ids - open_)  # a rebate claim's steps use the same cards
    return {r.id for r in rows if r.ref_id in open_}


async def escalation_sweep(env: RuleEnv, at: datetime) -> int:
    """Reminders and escalations due as of `at`; their rows are written by the subscribers above."""
    async with UnitOfWork(env.sessionmaker, env.bus) as uow:
        done = await sweep(uow, now=at, policy=policy_from(env.settings))
        await uow.commit()
    return done.reminded + done.escalated


RULES = (
    Rule(REQUEST, stale=still_pending),
    Rule(REMINDER, sweep=escalation_sweep, stale=still_pending),
    Rule(ESCALATED, stale=still_pending),
    Rule(OUTCOME),
    Rule(PROGRESS),
    Rule(COMMENT),
)
