"""Reading the labelled stock messages (tests/data/inventory_table.py) the way the table writes them,
shared by the table test and benchmarks/inventory_parse.py."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import Decimal

from core.demo.catalog import csv_rows, extra_rows
from core.demo.dealers import CHANNEL_PRODUCTS
from core.inventory.read import ReadLine, read_report
from core.inventory.resolve import Found
from core.search.mentions import ProductCatalog, standalone_catalog
from core.search.normalize import search_text


def table_products() -> list[tuple[str, str, str]]:
    """(sku, name_zh, name_en) of the demo catalog and the dealer consumables."""
    rows = [(r.sku, r.name_zh, r.name_en) for r in csv_rows() + extra_rows()]
    return rows + [(p.sku, p.name_zh, p.name_en) for p in CHANNEL_PRODUCTS]


def build_catalog(products: Iterable[tuple[str, str, str]]) -> tuple[ProductCatalog, dict[int, str]]:
    items = list(products)
    skus = {n: sku for n, (sku, _, _) in enumerate(items, start=1)}
    catalog = standalone_catalog((n, search_text([zh, en], codes=[sku]), True) for n, (sku, zh, en) in enumerate(items, start=1))
    return catalog, skus


def _number(value: Decimal | None) -> str:
    if value is None:
        return "?"
    text = format(value.normalize(), "f")
    return text


def label(line: ReadLine, skus: dict[int, str]) -> str:
    res = line.resolution
    if res.found == Found.RESOLVED:
        product = skus[res.ids[0]]
    elif res.found == Found.AMBIGUOUS:
        product = "?" + ",".join(sorted(skus[i] for i in res.ids))
    elif res.found == Found.NOT_CARRIED:
        product = "#" + skus[res.ids[0]]
    else:
        product = "!" if res.found == Found.UNKNOWN else "-"
    return f"{product} {_number(line.raw.value)} {line.raw.unit or '-'}"


def canonical(expected: str) -> str:
    product, qty, unit = expected.split(" ")
    if product.startswith("?"):
        product = "?" + ",".join(sorted(product[1:].split(",")))
    return f"{product} {qty} {unit}"


def read_labels(message: str, catalog: ProductCatalog, skus: dict[int, str], carried: Collection[int] | None = None) -> list[str]:
    return [label(line, skus) for line in read_report(message, catalog, carried)]


def compare(expected: list[str], got: list[str]) -> tuple[int, int]:
    """(lines exactly right, lines counted): position by position; a missing or extra line is wrong."""
    want = [canonical(e) for e in expected]
    right = sum(1 for a, b in zip(want, got, strict=False) if a == b)
    return right, max(len(want), len(got))
