"""Rebate claims (返利申请) through the approval engine: the dealer's channel manager, then finance.

A claim is a chain of `ApprovalStep`s like a quote's: the same rule of who may decide
(approver, delegate, escalation superior, never the requester), the same conditional
UPDATE that lets exactly one click win, the same card copies edited after the decision.
Only what is the claim's own lives here: which period may be claimed, the amount (computed
from orders and refunds when claimed), and the claim's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import locked
from core.dealer_events import (
    ClaimApprovalRequested,
    ClaimStepDecided,
    RebateClaimDecided,
    RebateClaimSubmitted,
)
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.models import (
    ApprovalStep,
    ApproverKind,
    ClaimStatus,
    Customer,
    RebateClaim,
    RebatePolicy,
    Role,
    StepStatus,
    User,
)
from core.rebate_math import parse_period, period_of
from core.services import absences
from core.services.approvals import acting_for, cancel_waiting, decision_comment, take_step, waiting_for
from core.services.dealers import own_dealer
from core.services.rebates import Statement, open_claim, period_kind, policies_for, statement
from core.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class ClaimOutcome:
    """What a click achieved; `won` is False when someone decided first."""

    won: bool
    step: ApprovalStep
    claim: RebateClaim
    decided_by: User | None
    next_step: ApprovalStep | None = None


async def finance_approver(session: AsyncSession) -> int:
    found = await session.scalar(
        select(User.id).where(User.role == Role.FINANCE, User.active.is_(True)).order_by(User.id).limit(1)
    )
    if found is None:
        raise InvalidInput("rebate.error.no_finance")
    return found


async def _channel_manager(session: AsyncSession, dealer: Customer) -> int:
    owner = await session.get(User, dealer.owner_id) if dealer.owner_id else None
    if owner is None or not owner.active:
        raise InvalidInput("rebate.error.no_channel_manager")
    return owner.id


async def _claimable(
    session: AsyncSession, dealer: Customer, policy_id: int, period_key: str, today: date, tz: ZoneInfo, claim_days: int
) -> Statement:
    """The statement of a closed period of a policy that applies, not claimed yet, with a rebate."""
    policy = await session.get(RebatePolicy, policy_id)
    if policy is None or policy.id not in {p.id for p in await policies_for(session, dealer.id, today)}:
        raise NotFound("rebate.error.policy")
    period = parse_period(period_key)
    if period is None or period != period_of(period.start, period_kind(policy)):
        raise InvalidInput("rebate.error.period", period=period_key[:10])
    if period.end >= today:
        raise InvalidInput("rebate.error.not_closed", period=period.key)
    if today - period.end > timedelta(days=claim_days):
        raise InvalidInput("rebate.error.too_old", period=period.key)
    found = await statement(session, dealer.id, policy, period, tz)
    if open_claim(found.claim):
        raise InvalidInput("rebate.error.claimed", number=found.claim.number if found.claim else "-")
    if found.rebate <= 0 or found.tier is None:
        raise InvalidInput("rebate.error.nothing", period=period.key)
    return found


async def submit(
    uow: UnitOfWork, *, actor: Actor, policy_id: int, period_key: str, now: datetime, today: date, tz: ZoneInfo,
    claim_days: int,
) -> RebateClaim:
    """A closed period's rebate, as computed now, into the chain; one open claim per period."""
    session = uow.session
    dealer = await own_dealer(session, actor.user)
    found = await _claimable(session, dealer, policy_id, period_key, today, tz, claim_days)
    approvers = [await _channel_manager(session, dealer), await finance_approver(session)]
    if actor.user.id in approvers:
        raise PermissionDenied("approval.error.own_quote")
    policy, period, tier = found.policy, found.period, found.tier
    assert tier is not None
    tries = await session.scalar(
        select(func.count()).select_from(RebateClaim)
        .where(RebateClaim.dealer_id == dealer.id, RebateClaim.policy_id == policy.id, RebateClaim.period_key == period.key)
    )
    claim = RebateClaim(
        number=f"RB-{period.key}-{dealer.id}-{policy.id}-{(tries or 0) + 1}"[:30], dealer_id=dealer.id, policy_id=policy.id,
        period_key=period.key, period_start=period.start, period_end=period.end, sales=found.totals.net,
        rate_pct=tier.rate_pct, amount=found.rebate, currency=policy.currency, status=ClaimStatus.PENDING,
        requested_by_id=actor.user.id, submitted_at=now,
    )
    session.add(claim)
    await session.flush()
    steps = [
        ApprovalStep(
            claim_id=claim.id, position=n, approver_id=who, approver_kind=kind, triggers=[["claim", str(claim.amount)]],
            status=StepStatus.PENDING if n == 1 else StepStatus.WAITING, activated_at=now if n == 1 else None,
        )
        for n, (who, kind) in enumerate(zip(approvers, (ApproverKind.CHANNEL, ApproverKind.FINANCE), strict=True), start=1)
    ]
    session.add_all(steps)
    await session.flush()
    uow.audit(actor, "rebate.claim", "customer", dealer.id, claim=claim.number, amount=str(claim.amount))
    uow.record(RebateClaimSubmitted(claim.id, dealer.id, actor.user.id))
    await _request(uow, steps[0], claim, today)
    return claim


async def _request(uow: UnitOfWork, step: ApprovalStep, claim: RebateClaim, today: date) -> None:
    delegate = await absences.delegate_of(uow.session, step.approver_id, today)
    if delegate == claim.requested_by_id:
        delegate = None
    uow.record(ClaimApprovalRequested(step.id, claim.id, step.approver_id, delegate))


async def load_step(session: AsyncSession, step_id: int) -> tuple[ApprovalStep, RebateClaim]:
    step = await session.get(ApprovalStep, step_id, populate_existing=True)
    if step is None or step.claim_id is None:
        raise NotFound("approval.error.unknown")
    claim = await session.get_one(RebateClaim, step.claim_id, populate_existing=True)
    return step, claim


async def decide(
    uow: UnitOfWork, *, actor: Actor, step_id: int, approve: bool, comment: str | None, now: datetime, today: date
) -> ClaimOutcome:
    session = uow.session
    step, claim = await load_step(session, step_id)
    on_behalf = await acting_for(session, actor.user, step, claim.requested_by_id, today)
    comment = decision_comment(comment, approve)
    claim = await locked(session, RebateClaim, claim.id)
    if claim.status != ClaimStatus.PENDING:
        return await current_outcome(session, step.id)
    status = StepStatus.APPROVED if approve else StepStatus.REJECTED
    if not await take_step(session, step.id, status, actor=actor, on_behalf=on_behalf, comment=comment, now=now):
        return await current_outcome(session, step.id)
    step, claim = await load_step(session, step.id)
    following = await _following(session, claim.id) if approve else None
    if following is not None:
        following.status, following.activated_at = StepStatus.PENDING, now
        await session.flush()
        await _request(uow, following, claim, today)
    else:
        await _close(session, claim, ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED, now)
    uow.audit(actor, f"approval.{status.value}", "rebate_claim", claim.id, step=step.id, comment=comment, on_behalf_of=on_behalf)
    uow.record(ClaimStepDecided(step.id, claim.id, status.value, actor.user.id, claim.requested_by_id))
    if claim.status != ClaimStatus.PENDING:
        uow.record(RebateClaimDecided(claim.id, claim.status.value, claim.requested_by_id, actor.user.id))
    return ClaimOutcome(True, step, claim, actor.user, following)


async def _following(session: AsyncSession, claim_id: int) -> ApprovalStep | None:
    return await session.scalar(
        select(ApprovalStep)
        .where(ApprovalStep.claim_id == claim_id, ApprovalStep.status == StepStatus.WAITING)
        .order_by(ApprovalStep.position)
        .limit(1)
    )


async def _close(session: AsyncSession, claim: RebateClaim, status: ClaimStatus, now: datetime) -> None:
    claim.status, claim.decided_at, claim.version = status, now, claim.version + 1
    if status != ClaimStatus.APPROVED:
        await cancel_waiting(session, ApprovalStep.claim_id == claim.id)


async def current_outcome(session: AsyncSession, step_id: int) -> ClaimOutcome:
    step, claim = await load_step(session, step_id)
    by = await session.get(User, step.decided_by_id) if step.decided_by_id else None
    return ClaimOutcome(False, step, claim, by)


async def pending_for(session: AsyncSession, user: User, today: date) -> list[ApprovalStep]:
    """Claim steps waiting for `user`: as approver, as a delegate, or after an escalation."""
    stmt = (
        select(ApprovalStep)
        .join(RebateClaim, RebateClaim.id == ApprovalStep.claim_id)
        .where(
            await waiting_for(session, user, today),
            RebateClaim.status == ClaimStatus.PENDING,
            RebateClaim.requested_by_id != user.id,
        )
        .order_by(ApprovalStep.activated_at, ApprovalStep.id)
    )
    return list((await session.scalars(stmt)).all())


async def open_steps(session: AsyncSession, step_ids: set[int]) -> set[int]:
    """Claim steps still waiting, on a claim still pending: their cards are worth sending."""
    if not step_ids:
        return set()
    rows = await session.scalars(
        select(ApprovalStep.id).join(RebateClaim, RebateClaim.id == ApprovalStep.claim_id)
        .where(ApprovalStep.id.in_(step_ids), ApprovalStep.status == StepStatus.PENDING, RebateClaim.status == ClaimStatus.PENDING)
    )
    return set(rows.all())
