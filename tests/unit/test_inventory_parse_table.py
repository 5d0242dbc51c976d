"""The labelled stock messages (tests/data/inventory_table.py), read line by line against the demo
catalog: product (or why none), count and unit exactly as labelled."""

from __future__ import annotations

import pytest

from tests.data.inventory_table import HELD_OUT, TABLE
from tests.support.inventory_eval import build_catalog, canonical, compare, read_labels, table_products

CATALOG, SKUS = build_catalog(table_products())


def test_the_table_is_big_and_varied_enough():
    assert len(TABLE) >= 150
    assert sum(len(lines) for _, lines in TABLE) >= 200
    kinds = {line.split(" ")[0][:1] for _, lines in TABLE for line in lines}
    assert {"?", "!", "-"} <= kinds


@pytest.mark.parametrize(("message", "expected"), TABLE + HELD_OUT, ids=[f"{n:03d}" for n in range(len(TABLE + HELD_OUT))])
def test_message(message: str, expected: list[str]) -> None:
    assert read_labels(message, CATALOG, SKUS) == [canonical(e) for e in expected]


def test_accuracy_over_the_table_is_at_least_97_percent():
    right = total = 0
    for message, expected in TABLE:
        r, t = compare(expected, read_labels(message, CATALOG, SKUS))
        right, total = right + r, total + t
    assert right / total >= 0.97


def test_assortment_first_then_not_carried():
    carried = {n for n, sku in SKUS.items() if sku in ("X100", "B200")}
    assert read_labels("离心水泵 3台, C37 1台", CATALOG, SKUS, carried) == ["X100 3 台", "#C37 1 台"]
