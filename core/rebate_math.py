"""Rebate arithmetic, free of the database: periods, period sales less refunds, tiers, rebates.

The rate of the highest tier reached applies to the whole period's sales (more than
1,000,000 → 2 %: 1,200,000 earns 24,000). Whether sales equal to a threshold reach it is
the policy's choice (inclusive ≥ or exclusive >). Amounts are Decimal and the rebate is
rounded half-up to the currency's minor unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

MINOR_DIGITS = {"JPY": 0, "KRW": 0}
"""Currencies without cents; every other one has two decimals."""


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_DIGITS.get(currency, 2))


def money(value: Decimal, currency: str) -> Decimal:
    return value.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


# -- periods ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    end: date
    """Last day, inclusive."""
    key: str
    """'2026Q3' or '2026'."""

    def days_left(self, today: date) -> int:
        return (self.end - today).days

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def quarter_of(day: date) -> Period:
    q = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * q - 2, 1)
    nxt = date(day.year + 1, 1, 1) if q == 4 else date(day.year, 3 * q + 1, 1)
    return Period(start, nxt - timedelta(days=1), f"{day.year}Q{q}")


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31), str(day.year))


def period_of(day: date, kind: str) -> Period:
    return year_of(day) if kind == "year" else quarter_of(day)


def previous_period(period: Period, kind: str) -> Period:
    return period_of(period.start - timedelta(days=1), kind)


def parse_period(key: str) -> Period | None:
    """'2026Q3' → the third quarter of 2026; '2026' → the year; anything else → None."""
    key = key.strip().upper()
    if len(key) == 4 and key.isdigit():
        return year_of(date(int(key), 1, 1))
    if len(key) == 6 and key[:4].isdigit() and key[4] == "Q" and key[5] in "1234":
        return quarter_of(date(int(key[:4]), 3 * int(key[5]) - 2, 1))
    return None


# -- sales ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sale:
    """One order line's share of the order total (after every discount)."""

    order_id: int
    day: date
    amount: Decimal
    category: str | None
    """The product's category path ('水泵/离心泵')."""


@dataclass(frozen=True)
class Refund:
    order_id: int
    day: date
    amount: Decimal
    category: str | None = None
    """The returned product's category; None: spread over the order's lines by amount."""


@dataclass(frozen=True)
class Totals:
    gross: Decimal
    refunds: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds


def in_category(path: str | None, root: str | None) -> bool:
    return root is None or (path is not None and (path == root or path.startswith(root + "/")))


def period_sales(sales: Iterable[Sale], refunds: Iterable[Refund], period: Period, category: str | None, currency: str) -> Totals:
    """Sales of the period in the category, less the refunds made in the period (on any order)."""
    sales = list(sales)
    gross = sum((s.amount for s in sales if period.contains(s.day) and in_category(s.category, category)), Decimal(0))
    by_order: dict[int, list[Sale]] = defaultdict(list)
    for s in sales:
        by_order[s.order_id].append(s)
    back = Decimal(0)
    for r in refunds:
        if period.contains(r.day):
            back += _refund_share(r, by_order.get(r.order_id, []), category)
    return Totals(money(gross, currency), money(back, currency))


def _refund_share(refund: Refund, lines: Sequence[Sale], category: str | None) -> Decimal:
    if refund.category is not None or not lines:
        return refund.amount if in_category(refund.category, category) or category is None else Decimal(0)
    total = sum((s.amount for s in lines), Decimal(0))
    if total <= 0:
        return Decimal(0)
    inside = sum((s.amount for s in lines if in_category(s.category, category)), Decimal(0))
    return refund.amount * inside / total


# -- tiers ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tier:
    threshold: Decimal
    rate_pct: Decimal


@dataclass(frozen=True)
class NextTier:
    tier: Tier
    needed: Decimal
    """More sales needed to reach it."""
    extra: Decimal
    """How much more rebate the period would earn right at that point."""


@dataclass(frozen=True)
class Schedule:
    tiers: tuple[Tier, ...]
    inclusive: bool
    currency: str = "CNY"

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", tuple(sorted(self.tiers, key=lambda t: t.threshold)))

    def reaches(self, sales: Decimal, tier: Tier) -> bool:
        return sales >= tier.threshold if self.inclusive else sales > tier.threshold

    def tier_for(self, sales: Decimal) -> Tier | None:
        reached = [t for t in self.tiers if self.reaches(sales, t)]
        return reached[-1] if reached else None

    def rebate(self, sales: Decimal) -> Decimal:
        tier = self.tier_for(sales)
        if tier is None or sales <= 0:
            return money(Decimal(0), self.currency)
        return money(sales * tier.rate_pct / 100, self.currency)

    def next_tier(self, sales: Decimal) -> NextTier | None:
        ahead = [t for t in self.tiers if not self.reaches(sales, t)]
        if not ahead:
            return None
        tier = ahead[0]
        needed = tier.threshold - sales + (Decimal(0) if self.inclusive else minor_unit(self.currency))
        at = sales + needed
        return NextTier(tier, needed, self.rebate(at) - self.rebate(sales))
