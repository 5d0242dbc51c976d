"""Check-ins of a manager's team, with their trust signals, for review (not silently trusted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Customer, User, Visit
from core.permissions import SEE_ALL, Scope


@dataclass(frozen=True)
class TeamVisit:
    visit: Visit
    rep: User
    customer: Customer


async def team_check_ins(session: AsyncSession, *, scope: Scope, since: datetime, flagged_only: bool = False, limit: int = 30) -> list[TeamVisit]:
    stmt = (
        select(Visit, User, Customer)
        .join(User, User.id == Visit.user_id)
        .join(Customer, Customer.id == Visit.customer_id)
        .where(Visit.checked_in_at >= since)
        .order_by(Visit.checked_in_at.desc())
        .limit(limit * 4 if flagged_only else limit)
    )
    if scope.role not in SEE_ALL:
        stmt = stmt.where(Visit.user_id.in_(scope.team))
    rows = [TeamVisit(v, u, c) for v, u, c in (await session.execute(stmt)).all()]
    if flagged_only:
        rows = [r for r in rows if r.visit.trust_flags or not r.visit.inside_fence]
    return rows[:limit]
