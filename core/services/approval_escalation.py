"""Approvals waiting too long: remind the approver, then tell (and empower) their superior.

Run by the scheduler's sweep, by any number of workers: each reminder and each
escalation is claimed with a conditional UPDATE (… WHERE reminded_at IS NULL), so it
happens once; the notification rows it causes carry a de-duplication key as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import zone
from core.dealer_events import ClaimApprovalEscalated, ClaimApprovalReminderDue
from core.events import Event
from core.models import ApprovalStep, ClaimStatus, Quote, QuoteStatus, RebateClaim, StepStatus, User
from core.quote_events import ApprovalEscalated, ApprovalReminderDue
from core.settings import Settings
from core.uow import UnitOfWork
from core.workhours import working_hours_between


@dataclass(frozen=True)
class Policy:
    remind_after_h: float
    escalate_after_h: float
    tz: ZoneInfo
    day_start: int = 9
    day_end: int = 18


@dataclass
class Swept:
    reminded: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class Waiting:
    """A pending step of either chain, with what its events need."""

    step: ApprovalStep
    requester_id: int
    quote_id: int | None = None
    claim_id: int | None = None

    def reminder(self) -> Event:
        s = self.step
        if self.claim_id is not None:
            return ClaimApprovalReminderDue(s.id, self.claim_id, s.approver_id)
        assert self.quote_id is not None
        return ApprovalReminderDue(s.id, self.quote_id, s.approver_id)

    def escalation(self, superior: int) -> Event:
        s = self.step
        if self.claim_id is not None:
            return ClaimApprovalEscalated(s.id, self.claim_id, s.approver_id, superior)
        assert self.quote_id is not None
        return ApprovalEscalated(s.id, self.quote_id, s.approver_id, superior)


async def waiting(session: AsyncSession) -> list[Waiting]:
    """Pending steps not escalated yet, of quotes and rebate claims still pending."""
    open_step = (
        ApprovalStep.status == StepStatus.PENDING, ApprovalStep.escalated_at.is_(None), ApprovalStep.activated_at.is_not(None),
    )
    quotes = await session.execute(
        select(ApprovalStep, Quote).join(Quote, Quote.id == ApprovalStep.quote_id).where(*open_step, Quote.status == QuoteStatus.PENDING)
    )
    claims = await session.execute(
        select(ApprovalStep, RebateClaim).join(RebateClaim, RebateClaim.id == ApprovalStep.claim_id)
        .where(*open_step, RebateClaim.status == ClaimStatus.PENDING)
    )
    found = [Waiting(step, quote.owner_id, quote_id=quote.id) for step, quote in quotes.all()]
    return found + [Waiting(step, claim.requested_by_id, claim_id=claim.id) for step, claim in claims.all()]


async def sweep(uow: UnitOfWork, *, now: datetime, policy: Policy) -> Swept:
    done = Swept()
    for item in await waiting(uow.session):
        step = item.step
        assert step.activated_at is not None
        waited = working_hours_between(step.activated_at, now, policy.tz, policy.day_start, policy.day_end)
        if waited >= policy.escalate_after_h and await _escalate(uow, item, now):
            done.escalated += 1
            continue
        if waited >= policy.remind_after_h and step.reminded_at is None and await _remind(uow, item, now):
            done.reminded += 1
    return done


async def _claim(session: AsyncSession, step_id: int, column: str, values: dict[str, object]) -> bool:
    result = await session.execute(
        update(ApprovalStep)
        .where(ApprovalStep.id == step_id, ApprovalStep.status == StepStatus.PENDING, getattr(ApprovalStep, column).is_(None))
        .values(**values)
        .returning(ApprovalStep.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def _remind(uow: UnitOfWork, item: Waiting, now: datetime) -> bool:
    if not await _claim(uow.session, item.step.id, "reminded_at", {"reminded_at": now}):
        return False
    uow.record(item.reminder())
    return True


async def _escalate(uow: UnitOfWork, item: Waiting, now: datetime) -> bool:
    """To the approver's superior; an approver with nobody above is reminded instead."""
    step = item.step
    approver = await uow.session.get_one(User, step.approver_id)
    superior = approver.manager_id
    if superior is None or superior == item.requester_id:
        return False
    values: dict[str, object] = {"escalated_at": now, "escalated_to_id": superior}
    if step.reminded_at is None:
        values["reminded_at"] = now
    if not await _claim(uow.session, step.id, "escalated_at", values):
        return False
    entity, entity_id = ("rebate_claim", item.claim_id) if item.claim_id is not None else ("quote", item.quote_id)
    uow.audit(None, "approval.escalate", entity, entity_id, step=step.id, to=superior)
    uow.record(item.escalation(superior))
    return True


def policy_from(settings: Settings) -> Policy:
    return Policy(
        remind_after_h=settings.approval_remind_after_hours, escalate_after_h=settings.approval_escalate_after_hours,
        tz=zone(settings.timezone), day_start=settings.work_day_start_hour, day_end=settings.work_day_end_hour,
    )
