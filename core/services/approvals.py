"""Submitting a quote into its approval chain, and deciding each step exactly once.

Every status change locks the quote row first (SELECT … FOR UPDATE on PostgreSQL; SQLite
already serialises writers) and then moves the step with a conditional UPDATE … WHERE
status = 'pending'. Two clicks at the same moment — two approvers, two devices, two
platforms — therefore produce one decision; the other click learns who decided.
The click carries only the step id: what it may do is read from the stored state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import locked
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.models import ApprovalStep, Quote, QuoteComment, QuoteLine, QuoteStatus, StepStatus, User
from core.permissions import Scope
from core.quote_events import (
    ApprovalCommented,
    ApprovalRequested,
    ApprovalStepDecided,
    QuoteDecided,
    QuoteSubmitted,
    QuoteWithdrawn,
)
from core.services import absences
from core.services.approval_rules import Rule, people, plan_chain
from core.services.customers import readable
from core.services.opportunities import quote_submitted
from core.services.quotes import editable
from core.uow import Actor, UnitOfWork

MAX_COMMENT = 1000


@dataclass(frozen=True)
class Outcome:
    """What a click achieved: `won` is False when someone (or something) decided first."""

    won: bool
    step: ApprovalStep
    quote: Quote
    decided_by: User | None
    next_step: ApprovalStep | None = None


async def submit(
    uow: UnitOfWork, *, actor: Actor, scope: Scope, quote_id: int, rules: Sequence[Rule], now: datetime, today: date
) -> list[ApprovalStep]:
    """Draft → pending with its chain of steps (or → approved when no rule applies)."""
    session = uow.session
    quote = await editable(session, actor, quote_id)
    await readable(session, scope, quote.customer_id)
    lines = await session.scalar(select(func.count()).select_from(QuoteLine).where(QuoteLine.quote_id == quote.id))
    if not lines:
        raise InvalidInput("quote.error.empty")
    if quote.total <= 0:
        raise InvalidInput("quote.error.zero_total")
    if quote.valid_until is not None and quote.valid_until < today:
        raise InvalidInput("quote.error.expired", date=quote.valid_until.isoformat())
    everyone = await people(session)
    chain = plan_chain(
        rules, total=quote.total, discount=quote.max_discount_pct, requester=everyone[actor.user.id], people=everyone
    )
    steps = [
        ApprovalStep(
            quote_id=quote.id, position=n, approver_id=p.approver_id, approver_kind=p.kind,
            triggers=[list(t) for t in p.triggers], status=StepStatus.PENDING if n == 1 else StepStatus.WAITING,
            activated_at=now if n == 1 else None,
        )
        for n, p in enumerate(chain, start=1)
    ]
    session.add_all(steps)
    quote.status = QuoteStatus.PENDING if steps else QuoteStatus.APPROVED
    quote.submitted_at, quote.version = now, quote.version + 1
    quote.decided_at = None if steps else now
    await session.flush()
    await quote_submitted(session, quote)
    uow.audit(actor, "quote.submit", "quote", quote.id, total=str(quote.total), steps=len(steps))
    uow.record(QuoteSubmitted(quote.id, actor.user.id, len(steps)))
    if steps:
        await _request(uow, steps[0], quote, today)
    else:
        uow.record(QuoteDecided(quote.id, QuoteStatus.APPROVED.value, actor.user.id, None))
    return steps


async def _request(uow: UnitOfWork, step: ApprovalStep, quote: Quote, today: date) -> None:
    delegate = await absences.delegate_of(uow.session, step.approver_id, today)
    if delegate == quote.owner_id:
        delegate = None
    uow.record(ApprovalRequested(step.id, quote.id, step.approver_id, delegate))


async def decider_role(session: AsyncSession, user: User, step: ApprovalStep, quote: Quote, today: date) -> int | None:
    """May `user` decide `step`? Returns whom they act for (None: themselves); raises if not."""
    return await acting_for(session, user, step, quote.owner_id, today)


async def acting_for(session: AsyncSession, user: User, step: ApprovalStep, requester_id: int, today: date) -> int | None:
    """The rule for every chain (quotes, rebate claims): the approver, their delegate while they are
    away, or the superior after an escalation; never the requester."""
    if user.id == requester_id:
        raise PermissionDenied("approval.error.own_quote")
    if user.id == step.approver_id:
        return None
    if step.escalated_to_id == user.id:
        return step.approver_id
    if await absences.delegate_of(session, step.approver_id, today) == user.id:
        return step.approver_id
    raise PermissionDenied("approval.error.not_yours")


def quote_id_of(step: ApprovalStep) -> int:
    """The quote a step belongs to (steps of other chains, such as rebate claims, are not decided here)."""
    if step.quote_id is None:
        raise NotFound("approval.error.unknown")
    return step.quote_id


async def load_step(session: AsyncSession, step_id: int) -> tuple[ApprovalStep, Quote]:
    step = await session.get(ApprovalStep, step_id, populate_existing=True)
    if step is None:
        raise NotFound("approval.error.unknown")
    quote = await session.get_one(Quote, quote_id_of(step), populate_existing=True)
    return step, quote


async def decide(
    uow: UnitOfWork, *, actor: Actor, step_id: int, approve: bool, comment: str | None, now: datetime, today: date
) -> Outcome:
    session = uow.session
    step, quote = await load_step(session, step_id)
    on_behalf = await decider_role(session, actor.user, step, quote, today)
    comment = decision_comment(comment, approve)
    quote = await locked(session, Quote, quote.id)
    if quote.status != QuoteStatus.PENDING:
        return await current_outcome(session, step.id)
    status = StepStatus.APPROVED if approve else StepStatus.REJECTED
    if not await take_step(session, step.id, status, actor=actor, on_behalf=on_behalf, comment=comment, now=now):
        return await current_outcome(session, step.id)
    step, quote = await load_step(session, step.id)
    next_step = None
    if approve:
        next_step = await _advance(uow, step, quote, now, today)
    else:
        await _reject(session, quote, now)
    uow.audit(actor, f"approval.{status.value}", "quote", quote.id, step=step.id, comment=comment, on_behalf_of=on_behalf)
    uow.record(ApprovalStepDecided(step.id, quote.id, status.value, actor.user.id, quote.owner_id))
    if quote.status != QuoteStatus.PENDING:
        uow.record(QuoteDecided(quote.id, quote.status.value, quote.owner_id, actor.user.id))
    return Outcome(True, step, quote, actor.user, next_step)


def decision_comment(comment: str | None, approve: bool) -> str | None:
    """The comment as stored: trimmed, bounded, and required for a rejection."""
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise InvalidInput("error.too_long", limit=MAX_COMMENT)
    if not approve and not comment:
        raise InvalidInput("approval.error.reason_required")
    return comment


async def take_step(
    session: AsyncSession, step_id: int, status: StepStatus, *, actor: Actor, on_behalf: int | None, comment: str | None,
    now: datetime,
) -> bool:
    """The one conditional UPDATE that makes a decision: True for the click that moved the step
    out of pending, False for every other (it learns who decided from the stored step)."""
    won = await session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.id == step_id, ApprovalStep.status == StepStatus.PENDING)
        .values(
            status=status, decided_by_id=actor.user.id, on_behalf_of_id=on_behalf, decided_at=now,
            decided_platform=actor.platform[:20], comment=comment,
        )
        .returning(ApprovalStep.id)
        .execution_options(synchronize_session=False)
    )
    return won.first() is not None


async def _advance(uow: UnitOfWork, step: ApprovalStep, quote: Quote, now: datetime, today: date) -> ApprovalStep | None:
    following = await uow.session.scalar(
        select(ApprovalStep)
        .where(ApprovalStep.quote_id == quote.id, ApprovalStep.status == StepStatus.WAITING)
        .order_by(ApprovalStep.position)
        .limit(1)
    )
    if following is None:
        quote.status, quote.decided_at, quote.version = QuoteStatus.APPROVED, now, quote.version + 1
        return None
    following.status, following.activated_at = StepStatus.PENDING, now
    await uow.session.flush()
    await _request(uow, following, quote, today)
    return following


async def _reject(session: AsyncSession, quote: Quote, now: datetime) -> None:
    quote.status, quote.decided_at, quote.version = QuoteStatus.REJECTED, now, quote.version + 1
    await cancel_waiting(session, ApprovalStep.quote_id == quote.id)


async def cancel_waiting(session: AsyncSession, of_request: ColumnElement[bool]) -> None:
    """The steps of a closed request (a quote's, a claim's) that were still waiting: cancelled."""
    await session.execute(
        update(ApprovalStep)
        .where(of_request, ApprovalStep.status == StepStatus.WAITING)
        .values(status=StepStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


async def current_outcome(session: AsyncSession, step_id: int) -> Outcome:
    """The step as stored, for a click that came too late: who decided, and how."""
    step, quote = await load_step(session, step_id)
    by = await session.get(User, step.decided_by_id) if step.decided_by_id else None
    return Outcome(False, step, quote, by)


async def withdraw(uow: UnitOfWork, *, actor: Actor, quote_id: int, now: datetime) -> Quote:
    """The requester takes a pending quote back; its open steps are cancelled (their cards edited)."""
    quote = await uow.session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("quote.error.unknown")
    if quote.owner_id != actor.user.id:
        raise PermissionDenied("quote.error.not_yours")
    quote = await locked(uow.session, Quote, quote_id)
    if quote.status != QuoteStatus.PENDING:
        raise InvalidInput("quote.error.not_pending", status=quote.status.value)
    open_steps = (
        await uow.session.scalars(
            select(ApprovalStep).where(
                ApprovalStep.quote_id == quote.id, ApprovalStep.status.in_([StepStatus.PENDING, StepStatus.WAITING])
            )
        )
    ).all()
    for step in open_steps:
        if step.status == StepStatus.PENDING:
            uow.record(ApprovalStepDecided(step.id, quote.id, StepStatus.CANCELLED.value, actor.user.id, quote.owner_id))
        step.status = StepStatus.CANCELLED
    quote.status, quote.decided_at, quote.version = QuoteStatus.WITHDRAWN, now, quote.version + 1
    uow.audit(actor, "quote.withdraw", "quote", quote.id)
    uow.record(QuoteWithdrawn(quote.id, actor.user.id, tuple(s.id for s in open_steps)))
    return quote


async def add_comment(uow: UnitOfWork, *, actor: Actor, step_id: int, text: str, today: date) -> QuoteComment:
    """An approver's question (no decision): kept on the quote and sent to the requester."""
    step, quote = await load_step(uow.session, step_id)
    await decider_role(uow.session, actor.user, step, quote, today)
    if step.status != StepStatus.PENDING or quote.status != QuoteStatus.PENDING:
        raise InvalidInput("approval.error.closed")
    text = text.strip()
    if not text:
        raise InvalidInput("error.empty_text")
    if len(text) > MAX_COMMENT:
        raise InvalidInput("error.too_long", limit=MAX_COMMENT)
    note = QuoteComment(quote_id=quote.id, step_id=step.id, author_id=actor.user.id, text=text, platform=actor.platform[:20])
    uow.session.add(note)
    await uow.session.flush()
    uow.audit(actor, "approval.comment", "quote", quote.id, step=step.id)
    uow.record(ApprovalCommented(note.id, quote.id, step.id, actor.user.id, quote.owner_id))
    return note


async def pending_for(session: AsyncSession, user: User, today: date) -> list[ApprovalStep]:
    """Steps waiting for `user`: as approver, as a delegate of someone away, or after escalation."""
    stmt = (
        select(ApprovalStep)
        .join(Quote, Quote.id == ApprovalStep.quote_id)
        .where(
            await waiting_for(session, user, today),
            Quote.status == QuoteStatus.PENDING,
            Quote.owner_id != user.id,
        )
        .order_by(ApprovalStep.activated_at, ApprovalStep.id)
    )
    return list((await session.scalars(stmt)).all())


async def waiting_for(session: AsyncSession, user: User, today: date) -> ColumnElement[bool]:
    """Pending steps `user` may decide: as approver, as a delegate of someone away, or after escalation."""
    stood_in = await absences.represented_by(session, user.id, today)
    return (ApprovalStep.status == StepStatus.PENDING) & (
        (ApprovalStep.approver_id == user.id)
        | (ApprovalStep.escalated_to_id == user.id)
        | ApprovalStep.approver_id.in_(stood_in or [-1])
    )
