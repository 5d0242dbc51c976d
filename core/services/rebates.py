"""Rebate statements from orders (sell-in) and refunds: which policy, which period, how much.

Each order's total (after every discount) is spread over its lines by amount, so that a
policy for one product category counts exactly that category's share; refunds count in
the period they are made, on the category of the product returned (or spread the same
way when the refund names no product).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    ClaimStatus,
    Order,
    OrderRefund,
    Product,
    ProductCategory,
    QuoteLine,
    RebateClaim,
    RebatePeriod,
    RebatePolicy,
    RebateTier,
)
from core.rebate_math import NextTier, Period, Refund, Sale, Schedule, Tier, Totals, period_sales

CANCELLED = "cancelled"


@dataclass(frozen=True)
class Statement:
    """One dealer's standing under one policy in one period."""

    policy: RebatePolicy
    schedule: Schedule
    period: Period
    category: str | None
    totals: Totals
    tier: Tier | None
    rebate: Decimal
    next: NextTier | None
    claim: RebateClaim | None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


async def policies_for(session: AsyncSession, dealer_id: int, day: date) -> list[RebatePolicy]:
    """Active policies for this dealer (its own and everyone's) valid on `day`."""
    stmt = (
        select(RebatePolicy)
        .where(
            RebatePolicy.active.is_(True), or_(RebatePolicy.dealer_id.is_(None), RebatePolicy.dealer_id == dealer_id),
            RebatePolicy.valid_from <= day, or_(RebatePolicy.valid_to.is_(None), RebatePolicy.valid_to >= day),
        )
        .order_by(RebatePolicy.id)
    )
    return list((await session.scalars(stmt)).all())


async def schedule_of(session: AsyncSession, policy: RebatePolicy) -> Schedule:
    tiers = (await session.scalars(select(RebateTier).where(RebateTier.policy_id == policy.id))).all()
    return Schedule(tuple(Tier(t.threshold, t.rate_pct) for t in tiers), policy.inclusive, policy.currency)


async def category_path(session: AsyncSession, category_id: int | None) -> str | None:
    if category_id is None:
        return None
    category = await session.get(ProductCategory, category_id)
    return category.path if category else None


async def sales_and_refunds(
    session: AsyncSession, dealer_id: int, start: date, end: date, tz: ZoneInfo
) -> tuple[list[Sale], list[Refund]]:
    """Order lines of the dealer's orders made between start and end (local dates, inclusive), the
    refunds made then, and the lines of the (older) orders those refunds are on."""
    low, high = _midnight(start, tz), _midnight(end + timedelta(days=1), tz)
    refunds = (
        await session.execute(
            select(OrderRefund, Order.id, ProductCategory.path)
            .join(Order, Order.id == OrderRefund.order_id)
            .outerjoin(Product, Product.id == OrderRefund.product_id)
            .outerjoin(ProductCategory, ProductCategory.id == Product.category_id)
            .where(Order.customer_id == dealer_id, OrderRefund.refunded_at >= low, OrderRefund.refunded_at < high)
        )
    ).all()
    orders = (
        await session.scalars(
            select(Order).where(
                Order.customer_id == dealer_id, Order.status != CANCELLED,
                or_((Order.created_at >= low) & (Order.created_at < high), Order.id.in_([oid for _, oid, _ in refunds] or [-1])),
            )
        )
    ).all()
    sales = await _order_sales(session, orders, tz)
    back = [
        Refund(oid, r.refunded_at.astimezone(tz).date(), r.amount, path if r.product_id is not None else None)
        for r, oid, path in refunds
    ]
    return [s for s in sales if s.day <= end], back


async def _order_sales(session: AsyncSession, orders: Sequence[Order], tz: ZoneInfo) -> list[Sale]:
    by_quote = {o.quote_id: o for o in orders}
    rows = (
        await session.execute(
            select(QuoteLine.quote_id, QuoteLine.amount, ProductCategory.path)
            .join(Product, Product.id == QuoteLine.product_id)
            .join(ProductCategory, ProductCategory.id == Product.category_id)
            .where(QuoteLine.quote_id.in_(list(by_quote) or [-1]))
            .order_by(QuoteLine.quote_id, QuoteLine.position)
        )
    ).all()
    lines: dict[int, list[tuple[Decimal, str]]] = {}
    for quote_id, amount, path in rows:
        lines.setdefault(quote_id, []).append((amount, path))
    sales: list[Sale] = []
    for quote_id, order in by_quote.items():
        day = order.created_at.astimezone(tz).date()
        sales += _spread(order, day, lines.get(quote_id, []))
    return sales


def _spread(order: Order, day: date, lines: list[tuple[Decimal, str]]) -> list[Sale]:
    """The order total over its lines by amount; the last line takes the rounding rest."""
    total = sum((a for a, _ in lines), Decimal(0))
    if total <= 0:
        return [Sale(order.id, day, order.total, None)]
    out: list[Sale] = []
    left = order.total
    for i, (amount, path) in enumerate(lines):
        share = left if i == len(lines) - 1 else (order.total * amount / total).quantize(Decimal("0.01"))
        left -= share
        out.append(Sale(order.id, day, share, path))
    return out


async def statement(
    session: AsyncSession, dealer_id: int, policy: RebatePolicy, period: Period, tz: ZoneInfo
) -> Statement:
    schedule = await schedule_of(session, policy)
    category = await category_path(session, policy.category_id)
    sales, refunds = await sales_and_refunds(session, dealer_id, period.start, period.end, tz)
    totals = period_sales(sales, refunds, period, category, policy.currency)
    claim = await session.scalar(
        select(RebateClaim)
        .where(RebateClaim.dealer_id == dealer_id, RebateClaim.policy_id == policy.id, RebateClaim.period_key == period.key)
        .order_by(RebateClaim.id.desc())
        .limit(1)
    )
    net = totals.net
    return Statement(
        policy, schedule, period, category, totals, schedule.tier_for(net), schedule.rebate(net), schedule.next_tier(net), claim
    )


def open_claim(claim: RebateClaim | None) -> bool:
    return claim is not None and claim.status in (ClaimStatus.PENDING, ClaimStatus.APPROVED)


def period_kind(policy: RebatePolicy) -> str:
    return "year" if policy.period == RebatePeriod.YEAR else "quarter"
