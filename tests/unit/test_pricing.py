"""Quote arithmetic in Decimal, rounded to the currency; typed quantities and discounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import InvalidInput
from core.services import pricing
from core.services.pricing import (
    LineFigures,
    check_quantity,
    parse_discount,
    parse_quantity,
    price_line,
    totals,
)


def test_options_units_discount_and_rounding():
    line = price_line(
        base_price=Decimal("96000"), option_deltas=[Decimal("12000"), Decimal("8500")], factor=Decimal(1),
        quantity=Decimal(3), discount_pct=Decimal("7.5"), currency="CNY", base_cost=Decimal("62000"),
    )
    assert line.unit_price == Decimal("116500.00") and line.list_amount == Decimal("349500.00")
    assert line.amount == Decimal("323287.50")
    box = price_line(base_price=Decimal("4800"), option_deltas=[], factor=Decimal(2), quantity=Decimal(3), discount_pct=Decimal(0), currency="CNY")
    assert box.unit_price == Decimal("9600.00") and box.amount == Decimal("28800.00")
    third = price_line(base_price=Decimal("10"), option_deltas=[], factor=Decimal(1), quantity=Decimal(1), discount_pct=Decimal("33.33"), currency="CNY")
    assert third.amount == Decimal("6.67")  # half-up to the fen
    yen = price_line(base_price=Decimal("999.5"), option_deltas=[], factor=Decimal(1), quantity=Decimal(1), discount_pct=Decimal(0), currency="JPY")
    assert yen.amount == Decimal("1000")


def test_totals_and_largest_discount():
    rows = [LineFigures(Decimal("1000.00"), Decimal("900.00"), Decimal(10), Decimal(500)), LineFigures(Decimal("500.00"), Decimal("500.00"), Decimal(0), Decimal(300))]
    t = totals(rows, Decimal(10), "CNY")
    assert (t.list_total, t.subtotal, t.total) == (Decimal("1500.00"), Decimal("1400.00"), Decimal("1260.00"))
    assert t.max_discount_pct == Decimal("16.00")  # combined 10 % then 10 % overall
    assert t.margin_pct == Decimal("36.51") and t.list_margin_pct == Decimal("46.67")
    assert totals([LineFigures(Decimal(1), Decimal(1), Decimal(0), None)], Decimal(0), "CNY").margin_pct is None


@pytest.mark.parametrize(("text", "value"), [("3", "3"), ("3台", "3"), (" 2,5 kg", "2.5"), ("12 ", "12")])
def test_quantities_as_typed(text, value):
    assert parse_quantity(text) == Decimal(value)


@pytest.mark.parametrize(
    ("qty", "unit", "code"),
    [("0", "台", "quote.error.qty_positive"), ("-2", "台", "quote.error.qty_positive"), ("1.5", "台", "quote.error.qty_whole"),
     ("1000000", "台", "quote.error.qty_too_large"), ("0.0001", "kg", "quote.error.qty_invalid"), ("NaN", "台", "quote.error.qty_positive")],
)
def test_bad_quantities(qty, unit, code):
    with pytest.raises(InvalidInput) as err:
        check_quantity(Decimal(qty), unit)
    assert err.value.code == code


def test_fractions_allowed_for_divisible_units():
    assert check_quantity(Decimal("2.5"), "kg") == Decimal("2.5")


@pytest.mark.parametrize(("text", "value"), [("5", "5"), ("7.5 %", "7.5"), ("0", "0"), ("9折", "10"), ("95折", "5"), ("8.5折", "15")])
def test_discounts_as_typed(text, value):
    assert parse_discount(text) == Decimal(value)


@pytest.mark.parametrize(("text", "code"), [("120", "quote.error.discount_range"), ("-5", "quote.error.discount_range"), ("100", "quote.error.discount_range"), ("abc", "quote.error.discount_invalid"), ("5.555", "quote.error.discount_places")])
def test_bad_discounts(text, code):
    with pytest.raises(InvalidInput) as err:
        parse_discount(text)
    assert err.value.code == code


def test_money_rounds_half_up():
    assert pricing.money(Decimal("0.125")) == Decimal("0.13")
