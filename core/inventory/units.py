"""A count in the unit it was given, turned into the product's base unit (24 袋 = 1 箱 …)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.inventory.lexicon import BOX_UNITS, PIECE_UNITS

MAX_QUANTITY = Decimal(10) ** 7
"""More than this in one line is a typo, not a stock count."""


class Problem(enum.StrEnum):
    NO_QUANTITY = "no_quantity"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    FRACTION = "fraction"
    WRONG_UNIT = "wrong_unit"


@dataclass(frozen=True)
class UnitInfo:
    """What the conversion needs of a product."""

    base_unit: str
    packs: Mapping[str, Decimal]
    """Other units: one of them = factor base units (箱 → 2)."""


@dataclass(frozen=True)
class Converted:
    base: Decimal | None
    factor: Decimal = Decimal(1)
    unit: str = ""
    """The unit the count was read in (as the product knows it)."""
    problem: Problem | None = None


def factor_for(unit: str | None, info: UnitInfo) -> tuple[Decimal, str] | None:
    """(base units per `unit`, the product's name for that unit); None: the product is not counted so."""
    if unit is None or unit == info.base_unit or unit == "pcs":
        return Decimal(1), info.base_unit
    if unit in info.packs:
        return info.packs[unit], unit
    if unit == "box":
        for box in BOX_UNITS:
            if box in info.packs:
                return info.packs[box], box
            if box == info.base_unit:
                return Decimal(1), box
        return None
    if unit in PIECE_UNITS and info.base_unit in PIECE_UNITS:
        return Decimal(1), info.base_unit
    return None


def to_base(value: Decimal | None, unit: str | None, info: UnitInfo, *, said: str = "") -> Converted:
    if value is None:
        return Converted(None, problem=Problem.NOT_A_NUMBER if said else Problem.NO_QUANTITY)
    if value < 0:
        return Converted(None, problem=Problem.NEGATIVE)
    found = factor_for(unit, info)
    if found is None:
        return Converted(None, problem=Problem.WRONG_UNIT)
    factor, name = found
    base = value * factor
    if value > MAX_QUANTITY or base > MAX_QUANTITY:
        return Converted(None, factor, name, Problem.TOO_LARGE)
    if base != base.to_integral_value():
        return Converted(None, factor, name, Problem.FRACTION)
    return Converted(base.quantize(Decimal(1)), factor, name)
