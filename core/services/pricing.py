"""Quote arithmetic: line prices with options and units, discounts, totals and the margin hint.

Pure functions on Decimal, rounded half-up to the currency's minor unit at each amount a
person sees (line, subtotal, total), so the lines always add up to what the card shows.
The chat layer never computes money; it shows what this module returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core.errors import InvalidInput

MINOR_UNITS = {"JPY": 0, "KRW": 0}
"""Currencies without cents; every other one is rounded to 2 places (CNY, USD, EUR …)."""
MAX_QUANTITY = Decimal("100000")
"""More than this on one line is a typo, not a quote."""
DIVISIBLE_UNITS = frozenset({"kg", "千克", "公斤", "g", "克", "吨", "t", "m", "米", "l", "升", "m²", "㎡", "平方米", "m³", "立方米"})
"""Units counted in fractions; every other unit (台, 个, 套, 箱 …) is counted in whole pieces."""
HUNDRED = Decimal(100)
NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?|[+-]?[.,]\d+)\s*(\S*)\s*$")
ZHE = re.compile(r"^\s*(\d{1,2}(?:\.\d)?)\s*折\s*$")


def places(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def money(value: Decimal, currency: str = "CNY") -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places(currency)), rounding=ROUND_HALF_UP)


def percent(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_quantity(text: str) -> Decimal:
    """'3', '3台', '1,5', '2.5 kg' → the number; anything else → InvalidInput."""
    m = NUMBER.match(text.replace("，", ",").replace(" ", " "))
    if not m:
        raise InvalidInput("quote.error.qty_invalid", value=text.strip()[:30])
    try:
        return Decimal(m.group(1).replace(",", "."))
    except InvalidOperation:
        raise InvalidInput("quote.error.qty_invalid", value=text.strip()[:30]) from None


def quantity_unit(text: str) -> str | None:
    """The unit written after a quantity ('3箱' → '箱'), None when there is none or no number."""
    m = NUMBER.match(text.replace("，", ",").replace(" ", " "))
    return m.group(2) if m and m.group(2) else None


def check_quantity(quantity: Decimal, unit: str) -> Decimal:
    if not quantity.is_finite() or quantity <= 0:
        raise InvalidInput("quote.error.qty_positive")
    if quantity > MAX_QUANTITY:
        raise InvalidInput("quote.error.qty_too_large", limit=f"{MAX_QUANTITY:,.0f}")
    if unit.lower() not in DIVISIBLE_UNITS and quantity != quantity.to_integral_value():
        raise InvalidInput("quote.error.qty_whole", unit=unit)
    if quantity != quantity.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP):
        raise InvalidInput("quote.error.qty_invalid", value=str(quantity)[:30])
    return quantity


def parse_discount(text: str) -> Decimal:
    """'5', '5%', '7.5 %', '-0' and the Chinese '9折' (10 % off) or '95折' (5 % off) → percent off."""
    raw = text.strip().replace("％", "%")
    if m := ZHE.match(raw):
        digits = m.group(1)
        paid = Decimal(digits) * (10 if "." in digits or len(digits) == 1 else 1)
        return check_discount(HUNDRED - paid)
    raw = raw.removesuffix("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput("quote.error.discount_invalid", value=text.strip()[:30]) from None
    return check_discount(value)


def check_discount(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0 or value >= HUNDRED:
        raise InvalidInput("quote.error.discount_range")
    if value != percent(value):
        raise InvalidInput("quote.error.discount_places")
    return value


@dataclass(frozen=True)
class LinePrice:
    unit_price: Decimal
    """One quoted unit at list price, options included."""
    unit_cost: Decimal | None
    list_amount: Decimal
    amount: Decimal


def price_line(
    *,
    base_price: Decimal,
    option_deltas: Iterable[Decimal],
    factor: Decimal,
    quantity: Decimal,
    discount_pct: Decimal,
    currency: str,
    base_cost: Decimal | None = None,
    option_cost_ratio: Decimal | None = None,
) -> LinePrice:
    """Options add to each base unit; a pack of `factor` base units costs factor × that."""
    deltas = list(option_deltas)
    unit_price = money((base_price + sum(deltas, Decimal(0))) * factor, currency)
    list_amount = money(unit_price * quantity, currency)
    amount = money(list_amount * (HUNDRED - discount_pct) / HUNDRED, currency)
    unit_cost = None
    if base_cost is not None:
        option_cost = sum(deltas, Decimal(0)) * (option_cost_ratio if option_cost_ratio is not None else base_cost / base_price)
        unit_cost = money((base_cost + option_cost) * factor, currency)
    return LinePrice(unit_price, unit_cost, list_amount, amount)


@dataclass(frozen=True)
class LineFigures:
    list_amount: Decimal
    amount: Decimal
    discount_pct: Decimal
    cost: Decimal | None
    """Unit cost × quantity, None when unknown."""


@dataclass(frozen=True)
class Totals:
    list_total: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    """What the overall discount takes off the subtotal."""
    total: Decimal
    max_discount_pct: Decimal
    cost_total: Decimal | None

    @property
    def margin_pct(self) -> Decimal | None:
        """Estimated gross margin of the total, when every line has a cost."""
        if self.cost_total is None or self.total <= 0:
            return None
        return percent((self.total - self.cost_total) / self.total * HUNDRED)

    @property
    def list_margin_pct(self) -> Decimal | None:
        if self.cost_total is None or self.list_total <= 0:
            return None
        return percent((self.list_total - self.cost_total) / self.list_total * HUNDRED)


def totals(lines: Iterable[LineFigures], overall_pct: Decimal, currency: str) -> Totals:
    """The quote's sums; `max_discount_pct` is the largest of any line's, the overall, and the combined one."""
    rows = list(lines)
    list_total = sum((r.list_amount for r in rows), Decimal(0))
    subtotal = sum((r.amount for r in rows), Decimal(0))
    total = money(subtotal * (HUNDRED - overall_pct) / HUNDRED, currency)
    combined = percent((list_total - total) / list_total * HUNDRED) if list_total > 0 else Decimal(0)
    biggest = max([combined, overall_pct, *(r.discount_pct for r in rows)])
    costs = [r.cost for r in rows]
    cost_total = None if not rows or any(c is None for c in costs) else sum((c for c in costs if c is not None), Decimal(0))
    return Totals(list_total, subtotal, subtotal - total, total, percent(biggest), cost_total)
