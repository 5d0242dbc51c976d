"""Opportunities: open ones per customer, the stage moves quotes cause, and the weighted forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Opportunity, OpportunityStage, Quote, Role
from core.models.opportunities import OPEN_STAGES
from core.permissions import Scope
from core.services.pricing import money

STAGE_ORDER = list(OpportunityStage)


async def open_for_customer(session: AsyncSession, customer_id: int) -> list[Opportunity]:
    rows = await session.scalars(
        select(Opportunity)
        .where(Opportunity.customer_id == customer_id, Opportunity.stage.in_(OPEN_STAGES))
        .order_by(Opportunity.expected_close, Opportunity.id)
    )
    return list(rows.all())


async def quote_submitted(session: AsyncSession, quote: Quote) -> None:
    """A submitted quote moves its opportunity to the quote stage (never backwards) at the quote's amount."""
    if quote.opportunity_id is None:
        return
    opp = await session.get_one(Opportunity, quote.opportunity_id)
    if opp.stage in OPEN_STAGES and STAGE_ORDER.index(opp.stage) < STAGE_ORDER.index(OpportunityStage.QUOTE):
        opp.stage = OpportunityStage.QUOTE
        opp.probability = max(opp.probability, 60)
    if opp.stage in OPEN_STAGES:
        opp.amount = quote.total


async def quote_ordered(session: AsyncSession, quote: Quote, now: datetime) -> None:
    """The customer ordered: the opportunity is won, at the order's amount."""
    if quote.opportunity_id is None:
        return
    opp = await session.get_one(Opportunity, quote.opportunity_id)
    opp.stage, opp.probability, opp.amount, opp.closed_at = OpportunityStage.WON, 100, quote.total, now


def forecast_filter(scope: Scope) -> ColumnElement[bool]:
    """Whose opportunities count: a rep's own, a manager's team, everyone's for directors and admins."""
    if scope.role in (Role.DIRECTOR, Role.ADMIN, Role.FINANCE):
        return true()
    return Opportunity.owner_id.in_(scope.team)


@dataclass(frozen=True)
class MonthRow:
    month: date
    """First day of the month of expected close; overdue opportunities count in the current month."""
    count: int
    amount: Decimal
    weighted: Decimal


async def forecast(session: AsyncSession, *, scope: Scope, today: date, months: int = 6) -> list[MonthRow]:
    """Σ amount × probability of open opportunities by month of expected close, from this month on."""
    start = today.replace(day=1)
    rows = (await session.scalars(select(Opportunity).where(Opportunity.stage.in_(OPEN_STAGES), forecast_filter(scope)))).all()
    buckets = [_add_months(start, i) for i in range(months)]
    sums: dict[date, list[Decimal]] = {m: [Decimal(0), Decimal(0), Decimal(0)] for m in buckets}
    for opp in rows:
        month = max(opp.expected_close.replace(day=1), start)
        if month not in sums:
            continue
        cell = sums[month]
        cell[0] += 1
        cell[1] += opp.amount
        cell[2] += opp.amount * Decimal(opp.probability) / 100
    return [MonthRow(m, int(c[0]), money(c[1], "CNY"), money(c[2], "CNY")) for m, c in sums.items()]


def _add_months(day: date, n: int) -> date:
    total = day.month - 1 + n
    return day.replace(year=day.year + total // 12, month=total % 12 + 1, day=1)
