"""Counts as dealers write them, and their conversion to the product's base unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.inventory.lines import parse_lines
from core.inventory.numerals import parse_number
from core.inventory.scan import segments
from core.inventory.units import MAX_QUANTITY, Problem, UnitInfo, to_base


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", "12"), ("0", "0"), ("1.5", "1.5"), ("十二", "12"), ("两", "2"), ("二十五", "25"), ("十", "10"),
        ("一百零五", "105"), ("一百五", "150"), ("两千五", "2500"), ("两千零五", "2005"), ("一千零五十", "1050"),
        ("三千五", "3500"), ("九十九", "99"), ("两百", "200"), ("一万二", "12000"), ("十万", "100000"),
        ("五十万", "500000"), ("两万五", "25000"), ("1.5万", "15000"), ("3万5", "35000"), ("1万2千", "12000"),
        ("1.5千", "1500"), ("壹佰贰拾", "120"), ("零", "0"), ("〇", "0"), ("一亿", "100000000"),
    ],
)
def test_numerals(text: str, value: str) -> None:
    found = parse_number(text)
    assert found is not None and found == Decimal(value)


@pytest.mark.parametrize("text", ["", "万", "百", "千", "五五", "三相", "二十二十", "十百", "1.2.3", "abc", "万向"])
def test_not_numerals(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("value", "unit", "base", "problem"),
    [
        ("5", "箱", "10", None),  # B200: 1 箱 = 2 台
        ("1.5", "箱", "3", None),
        ("5", "台", "5", None),
        ("5", None, "5", None),
        ("5", "个", "5", None),  # any count word means pieces
        ("5", "pcs", "5", None),
        ("5", "box", "10", None),  # an English box is the product's 箱 (or 盒)
        ("0", None, "0", None),
        ("5", "袋", None, Problem.WRONG_UNIT),
        ("5", "盒", None, Problem.WRONG_UNIT),
        ("0.5", "台", None, Problem.FRACTION),
        ("-5", None, None, Problem.NEGATIVE),
        ("10000001", None, None, Problem.TOO_LARGE),
        ("5000001", "箱", None, Problem.TOO_LARGE),
        ("10000000", None, "10000000", None),
    ],
)
def test_units_to_base(value: str, unit: str | None, base: str | None, problem: Problem | None) -> None:
    motor = UnitInfo("台", {"箱": Decimal(2)})
    got = to_base(Decimal(value), unit, motor)
    assert got.problem == problem
    assert got.base == (Decimal(base) if base is not None else None)


def test_bags_and_boxes():
    inhibitor = UnitInfo("袋", {"箱": Decimal(24)})
    assert to_base(Decimal(1), "箱", inhibitor).base == 24
    assert to_base(Decimal(30), "袋", inhibitor).base == 30
    assert to_base(Decimal(2), "box", inhibitor).base == 48
    assert to_base(Decimal(3), "台", inhibitor).problem == Problem.WRONG_UNIT  # a bag is not a piece
    gasket = UnitInfo("片", {"盒": Decimal(50)})
    assert to_base(Decimal(2), "box", gasket).base == 100


def test_missing_and_vague_counts():
    motor = UnitInfo("台", {})
    assert to_base(None, None, motor).problem == Problem.NO_QUANTITY
    assert to_base(None, None, motor, said="很多").problem == Problem.NOT_A_NUMBER
    assert MAX_QUANTITY == Decimal(10) ** 7


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("X100 12, B200 5", ["x100 12", "b200 5"]),
        ("X100 12，B200 5、X150 3；P50 4;P80 1", ["x100 12", "b200 5", "x150 3", "p50 4", "p80 1"]),
        ("X100 12 / B200 5 | C37 1", ["x100 12", "b200 5", "c37 1"]),
        ("X100 12台和B200 5台", ["x100 12台", "b200 5台"]),
        ("X100 12\nB200 5", ["x100 12", "b200 5"]),
        ("F10 1,200片, R15 2", ["f10 1200片", "r15 2"]),
        ("2026-11-24 X100 12", ["x100 12"]),
        ("1. X100 12\n2. B200 3", ["x100 12", "b200 3"]),
        ("Ｘ１００　１２台", ["x100 12台"]),
    ],
)
def test_segments(text: str, parts: list[str]) -> None:
    assert segments(text) == parts


def test_specifications_are_never_counts():
    lines = parse_lines("E22 变频器 22 kW 2台, L20 专用油 20L 3桶, V50 DN50 5个")
    assert [(ln.words[-1], ln.value, ln.unit) for ln in lines] == [
        ("22kw", Decimal(2), "台"), ("20l", Decimal(3), "桶"), ("dn50", Decimal(5), "个"),
    ]


def test_a_numeral_inside_a_name_is_not_a_count():
    (line,) = parse_lines("Y132 三相异步电机 5台")
    assert line.words == ("y132", "三相异步电机") and line.value == 5
