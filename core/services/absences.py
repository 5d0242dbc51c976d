"""Approvers marked away, and the delegates who approve in their place meanwhile."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.dealer_events import ClaimApprovalDelegated
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.models import ApprovalStep, ApproverAbsence, Quote, RebateClaim, Role, StepStatus, User
from core.quote_events import ApprovalDelegated
from core.uow import Actor, UnitOfWork

APPROVER_ROLES = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


def _active(absence: ApproverAbsence | None, today: date) -> bool:
    return absence is not None and (absence.until is None or absence.until >= today)


async def delegate_of(session: AsyncSession, user_id: int, today: date) -> int | None:
    """The delegate standing in for `user_id` today, if they are away."""
    absence = await session.get(ApproverAbsence, user_id, populate_existing=True)
    if absence is None or not _active(absence, today):
        return None
    return absence.delegate_id


async def represented_by(session: AsyncSession, delegate_id: int, today: date) -> list[int]:
    """Approvers who are away and named `delegate_id` to stand in for them."""
    rows = (
        await session.scalars(
            select(ApproverAbsence).where(
                ApproverAbsence.delegate_id == delegate_id,
                or_(ApproverAbsence.until.is_(None), ApproverAbsence.until >= today),
            )
        )
    ).all()
    return [r.user_id for r in rows]


async def candidates(session: AsyncSession, user: User) -> list[User]:
    """Who may stand in: other active managers, directors and admins."""
    rows = await session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(APPROVER_ROLES), User.id != user.id).order_by(User.id)
    )
    return list(rows.all())


async def go_away(
    uow: UnitOfWork, *, actor: Actor, delegate_id: int, until: date | None, today: date
) -> ApproverAbsence:
    """Mark the actor away; steps already waiting for them are offered to the delegate at once."""
    me = actor.user
    if me.role not in APPROVER_ROLES:
        raise PermissionDenied("away.error.not_approver")
    delegate = await uow.session.get(User, delegate_id)
    if delegate is None or not delegate.active:
        raise NotFound("error.user_unknown", login=str(delegate_id))
    if delegate.id == me.id or delegate.role not in APPROVER_ROLES:
        raise InvalidInput("away.error.delegate")
    if until is not None and until < today:
        raise InvalidInput("error.date_past")
    if await delegate_of(uow.session, delegate.id, today) == me.id:
        raise InvalidInput("away.error.circular", name=delegate.name)
    await uow.session.execute(delete(ApproverAbsence).where(ApproverAbsence.user_id == me.id))
    absence = ApproverAbsence(user_id=me.id, delegate_id=delegate.id, until=until)
    uow.session.add(absence)
    await uow.session.flush()
    waiting = (
        await uow.session.execute(
            select(ApprovalStep.id, Quote.id)
            .join(Quote, Quote.id == ApprovalStep.quote_id)
            .where(ApprovalStep.approver_id == me.id, ApprovalStep.status == StepStatus.PENDING, Quote.owner_id != delegate.id)
        )
    ).all()
    for step_id, quote_id in waiting:
        uow.record(ApprovalDelegated(step_id, quote_id, me.id, delegate.id))
    claims = await uow.session.execute(
        select(ApprovalStep.id, RebateClaim.id)
        .join(RebateClaim, RebateClaim.id == ApprovalStep.claim_id)
        .where(ApprovalStep.approver_id == me.id, ApprovalStep.status == StepStatus.PENDING, RebateClaim.requested_by_id != delegate.id)
    )
    for step_id, claim_id in claims.all():
        uow.record(ClaimApprovalDelegated(step_id, claim_id, me.id, delegate.id))
    uow.audit(actor, "approver.away", "user", me.id, delegate=delegate.id, until=until.isoformat() if until else None)
    return absence


async def come_back(uow: UnitOfWork, *, actor: Actor) -> bool:
    result = await uow.session.execute(delete(ApproverAbsence).where(ApproverAbsence.user_id == actor.user.id))
    gone = bool(getattr(result, "rowcount", 0))
    if gone:
        uow.audit(actor, "approver.back", "user", actor.user.id)
    return gone
