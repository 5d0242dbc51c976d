"""Rebates, table-driven: tier edges (inclusive and exclusive), categories, refunds, rounding, periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.rebate_math import (
    Period,
    Refund,
    Sale,
    Schedule,
    Tier,
    parse_period,
    period_sales,
    previous_period,
    quarter_of,
    year_of,
)

TIERS = (Tier(Decimal(1_000_000), Decimal(2)), Tier(Decimal(3_000_000), Decimal(3)))
EXCLUSIVE, INCLUSIVE = Schedule(TIERS, inclusive=False), Schedule(TIERS, inclusive=True)
Q3 = quarter_of(date(2026, 8, 15))


@pytest.mark.parametrize(
    ("schedule", "sales", "rate", "rebate"),
    [
        (EXCLUSIVE, "1200000", "2", "24000.00"),  # the example
        (EXCLUSIVE, "999999.99", None, "0.00"),
        (EXCLUSIVE, "1000000", None, "0.00"),  # "more than": the edge itself does not reach it
        (EXCLUSIVE, "1000000.01", "2", "20000.00"),
        (INCLUSIVE, "1000000", "2", "20000.00"),  # inclusive: the edge reaches it
        (INCLUSIVE, "999999.99", None, "0.00"),
        (EXCLUSIVE, "3000000", "2", "60000.00"),
        (INCLUSIVE, "3000000", "3", "90000.00"),
        (EXCLUSIVE, "3500000", "3", "105000.00"),
        (EXCLUSIVE, "0", None, "0.00"),
        (EXCLUSIVE, "-50000", None, "0.00"),
        (EXCLUSIVE, "1234567.89", "2", "24691.36"),  # 24,691.3578 rounded half up
        (EXCLUSIVE, "1000000.25", "2", "20000.01"),  # 20,000.005 → .01
    ],
)
def test_tiers(schedule: Schedule, sales: str, rate: str | None, rebate: str) -> None:
    tier = schedule.tier_for(Decimal(sales))
    assert (tier.rate_pct if tier else None) == (Decimal(rate) if rate else None)
    assert schedule.rebate(Decimal(sales)) == Decimal(rebate)


@pytest.mark.parametrize(
    ("schedule", "sales", "next_rate", "needed", "extra"),
    [
        (EXCLUSIVE, "2820000", "3", "180000.01", "33600.00"),  # 3,000,000.01 × 3 % (rounded) − 2,820,000 × 2 %
        (INCLUSIVE, "2820000", "3", "180000", "33600.00"),
        (EXCLUSIVE, "500000", "2", "500000.01", "20000.00"),
        (INCLUSIVE, "1000000", "3", "2000000", "70000.00"),
        (EXCLUSIVE, "3000000.01", None, None, None),
    ],
)
def test_next_tier(schedule: Schedule, sales: str, next_rate: str | None, needed: str | None, extra: str | None) -> None:
    found = schedule.next_tier(Decimal(sales))
    if next_rate is None:
        assert found is None
        return
    assert found is not None
    assert (found.tier.rate_pct, found.needed, found.extra) == (Decimal(next_rate), Decimal(needed or 0), Decimal(extra or 0))


def test_tiers_are_sorted_and_currencies_without_cents_round_to_units():
    yen = Schedule((Tier(Decimal(3_000_000), Decimal(3)), Tier(Decimal(1_000_000), Decimal("2.5"))), inclusive=False, currency="JPY")
    assert [t.threshold for t in yen.tiers] == [Decimal(1_000_000), Decimal(3_000_000)]
    assert yen.rebate(Decimal(1_234_567)) == Decimal(30864)


def sale(order: int, day: str, amount: str, category: str | None) -> Sale:
    return Sale(order, date.fromisoformat(day), Decimal(amount), category)


SALES = [
    sale(1, "2026-07-03", "600000", "水泵/离心泵"),
    sale(1, "2026-07-03", "400000", "电机/变频电机"),
    sale(2, "2026-09-30", "500000", "水泵/管道泵"),
    sale(3, "2026-10-01", "900000", "水泵/离心泵"),  # next quarter
    sale(4, "2026-06-30", "300000", "阀门/球阀"),  # last quarter
]


@pytest.mark.parametrize(
    ("refunds", "category", "gross", "back"),
    [
        ([], None, "1500000", "0"),
        ([], "水泵", "1100000", "0"),
        ([], "水泵/离心泵", "600000", "0"),
        ([], "水", "0", "0"),  # a category is a path, not a prefix of a word
        ([], "电机", "400000", "0"),
        ([Refund(1, date(2026, 8, 1), Decimal(50000), "水泵/离心泵")], None, "1500000", "50000"),
        ([Refund(1, date(2026, 8, 1), Decimal(50000), "水泵/离心泵")], "电机", "400000", "0"),
        ([Refund(1, date(2026, 8, 1), Decimal(100000))], "水泵", "1100000", "60000"),  # spread: 600k of 1,000k
        ([Refund(1, date(2026, 8, 1), Decimal(100000))], "电机", "400000", "40000"),
        ([Refund(4, date(2026, 7, 5), Decimal(30000))], None, "1500000", "30000"),  # refund now on last quarter's order
        ([Refund(1, date(2026, 10, 2), Decimal(90000))], None, "1500000", "0"),  # refunded next quarter
        ([Refund(99, date(2026, 8, 1), Decimal(10000))], None, "1500000", "10000"),  # order not in view: whole
    ],
)
def test_period_sales(refunds: list[Refund], category: str | None, gross: str, back: str) -> None:
    totals = period_sales(SALES, refunds, Q3, category, "CNY")
    assert (totals.gross, totals.refunds) == (Decimal(gross), Decimal(back))
    assert totals.net == Decimal(gross) - Decimal(back)


def test_refunds_bring_sales_under_a_tier():
    refund = [Refund(1, date(2026, 8, 1), Decimal(600001), "水泵/离心泵")]
    net = period_sales(SALES, refund, Q3, None, "CNY").net
    assert net == Decimal("899999.00") and EXCLUSIVE.rebate(net) == 0


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [("2026Q1", "2026-01-01", "2026-03-31"), ("2026Q4", "2026-10-01", "2026-12-31"), ("2024Q1", "2024-01-01", "2024-03-31"),
     ("2026", "2026-01-01", "2026-12-31"), ("2026q3", "2026-07-01", "2026-09-30")],
)
def test_periods(key: str, start: str, end: str) -> None:
    period = parse_period(key)
    assert period is not None and (period.start, period.end) == (date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize("key", ["2026Q5", "2026Q0", "26Q1", "Q3", "2026-3", ""])
def test_not_periods(key: str) -> None:
    assert parse_period(key) is None


def test_previous_periods_and_days_left():
    assert previous_period(quarter_of(date(2026, 1, 15)), "quarter").key == "2025Q4"
    assert previous_period(year_of(date(2026, 1, 15)), "year").key == "2025"
    assert Q3.days_left(date(2026, 9, 17)) == 13 and Q3 == Period(date(2026, 7, 1), date(2026, 9, 30), "2026Q3")
