"""Quarterly sell-in targets (销售目标) per dealer, and progress from orders less refunds.

Progress is what the dealer bought from us (its orders) in the quarter, less refunds;
the card shows the four quarters of the year and the dealer's rank among the dealers of
its region that have a target (100万 target, 80万 done → 80 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput
from core.models import Customer, CustomerType, DealerTarget
from core.permissions import Scope
from core.rebate_math import Period, money, period_sales, quarter_of
from core.services.dealers import managed_dealer
from core.services.rebates import sales_and_refunds
from core.uow import Actor, UnitOfWork

MAX_TARGET = Decimal(10) ** 12


@dataclass(frozen=True)
class Quarter:
    period: Period
    target: Decimal | None
    done: Decimal

    @property
    def pct(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.done / self.target * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Progress:
    dealer: Customer
    current: Quarter
    year: list[Quarter]
    rank: tuple[int, int] | None
    """(position, out of) among the region's dealers with a target this quarter."""
    days_left: int


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise InvalidInput("target.error.quarter")
    return quarter_of(date(year, 3 * quarter - 2, 1))


async def set_target(
    uow: UnitOfWork, *, actor: Actor, scope: Scope, dealer_id: int, year: int, quarter: int, amount: Decimal
) -> DealerTarget:
    dealer = await managed_dealer(uow.session, scope, dealer_id)
    quarter_period(year, quarter)
    if amount <= 0 or amount > MAX_TARGET:
        raise InvalidInput("target.error.amount")
    row = await uow.session.scalar(
        select(DealerTarget).where(DealerTarget.dealer_id == dealer.id, DealerTarget.year == year, DealerTarget.quarter == quarter)
    )
    if row is None:
        row = DealerTarget(dealer_id=dealer.id, year=year, quarter=quarter, amount=amount)
        uow.session.add(row)
    row.amount, row.set_by_id = money(amount, row.currency or "CNY"), actor.user.id
    await uow.session.flush()
    uow.audit(actor, "target.set", "customer", dealer.id, year=year, quarter=quarter, amount=str(amount))
    return row


async def _quarters(session: AsyncSession, dealer_id: int, year: int, tz: ZoneInfo) -> list[Quarter]:
    targets = {
        t.quarter: t.amount
        for t in (await session.scalars(select(DealerTarget).where(DealerTarget.dealer_id == dealer_id, DealerTarget.year == year))).all()
    }
    sales, refunds = await sales_and_refunds(session, dealer_id, date(year, 1, 1), date(year, 12, 31), tz)
    out = []
    for q in range(1, 5):
        period = quarter_period(year, q)
        out.append(Quarter(period, targets.get(q), period_sales(sales, refunds, period, None, "CNY").net))
    return out


async def progress(session: AsyncSession, dealer: Customer, today: date, tz: ZoneInfo) -> Progress:
    quarters = await _quarters(session, dealer.id, today.year, tz)
    current = quarters[(today.month - 1) // 3]
    return Progress(dealer, current, quarters, await _rank(session, dealer, current, tz), current.period.days_left(today))


async def _rank(session: AsyncSession, dealer: Customer, current: Quarter, tz: ZoneInfo) -> tuple[int, int] | None:
    """Completion ranking among the dealers of the same region with a target this quarter."""
    if current.pct is None:
        return None
    period = current.period
    year, q = period.start.year, (period.start.month - 1) // 3 + 1
    peers = (
        await session.execute(
            select(Customer.id, DealerTarget.amount)
            .join(DealerTarget, DealerTarget.dealer_id == Customer.id)
            .where(Customer.type == CustomerType.DEALER, Customer.region == dealer.region, DealerTarget.year == year, DealerTarget.quarter == q)
        )
    ).all()
    scores = []
    for peer_id, target in peers:
        sales, refunds = await sales_and_refunds(session, peer_id, period.start, period.end, tz)
        done = period_sales(sales, refunds, period, None, "CNY").net
        scores.append((done / target if target else Decimal(0), peer_id))
    scores.sort(key=lambda s: (-s[0], s[1]))
    position = next(i for i, (_, pid) in enumerate(scores, start=1) if pid == dealer.id)
    return position, len(scores)
