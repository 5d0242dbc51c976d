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
from core.models import ApprovalStep, Quote, QuoteStatus, StepStatus, User
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


async def sweep(uow: UnitOfWork, *, now: datetime, policy: Policy) -> Swept:
    session = uow.session
    rows = (
        await session.execute(
            select(ApprovalStep, Quote)
            .join(Quote, Quote.id == ApprovalStep.quote_id)
            .where(
                ApprovalStep.status == StepStatus.PENDING,
                Quote.status == QuoteStatus.PENDING,
                ApprovalStep.escalated_at.is_(None),
                ApprovalStep.activated_at.is_not(None),
            )
        )
    ).all()
    done = Swept()
    for step, quote in rows:
        assert step.activated_at is not None
        waited = working_hours_between(step.activated_at, now, policy.tz, policy.day_start, policy.day_end)
        if waited >= policy.escalate_after_h and await _escalate(uow, step, quote, now):
            done.escalated += 1
            continue
        if waited >= policy.remind_after_h and step.reminded_at is None and await _remind(uow, step, quote, now):
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


async def _remind(uow: UnitOfWork, step: ApprovalStep, quote: Quote, now: datetime) -> bool:
    if not await _claim(uow.session, step.id, "reminded_at", {"reminded_at": now}):
        return False
    uow.record(ApprovalReminderDue(step.id, quote.id, step.approver_id))
    return True


async def _escalate(uow: UnitOfWork, step: ApprovalStep, quote: Quote, now: datetime) -> bool:
    """To the approver's superior; an approver with nobody above is reminded instead."""
    approver = await uow.session.get_one(User, step.approver_id)
    superior = approver.manager_id
    if superior is None or superior == quote.owner_id:
        return False
    values: dict[str, object] = {"escalated_at": now, "escalated_to_id": superior}
    if step.reminded_at is None:
        values["reminded_at"] = now
    if not await _claim(uow.session, step.id, "escalated_at", values):
        return False
    uow.audit(None, "approval.escalate", "quote", quote.id, step=step.id, to=superior)
    uow.record(ApprovalEscalated(step.id, quote.id, step.approver_id, superior))
    return True


def policy_from(settings: Settings) -> Policy:
    return Policy(
        remind_after_h=settings.approval_remind_after_hours, escalate_after_h=settings.approval_escalate_after_hours,
        tz=zone(settings.timezone), day_start=settings.work_day_start_hour, day_end=settings.work_day_end_hour,
    )
