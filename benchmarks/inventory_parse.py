"""Dealer stock messages: how many lines FieldChat reads exactly right, and how fast, against a
naive parser in the same run.

Accuracy: the labelled messages of tests/data/inventory_table.py (TABLE; HELD_OUT, written after
the parser was tuned, is printed beside it), read against the demo catalog: a line is right when
its product (or its ambiguity / unknown / missing verdict), count and unit are exactly the label.
Speed: a 10,000-product catalog (the demo one plus generated products in its style) in a migrated
SQLite file, indexed as a worker indexes it; five-line messages are read end to end as a chat turn
reads them (`IndexedSearch.product_catalog()` with its change-log poll, then `read_report`), and
in memory only. The anchor is the parser one writes first: split at separators, take the last
number (and unit) of each piece, `rapidfuzz.process.extractOne(WRatio)` over all product names.
Its accuracy is measured on the same table and on the generated messages.

Targets: ≥ 97 % of the table's lines exactly right; p50 ≤ 5 ms per five-line message (end to end).
Run: `.venv/bin/python benchmarks/inventory_parse.py` (about a minute; no arguments).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process, utils  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from benchmarks.inventory_data import GenProduct, Line, generate_products, messages, rows  # noqa: E402
from benchmarks.search_data import percentile  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.inventory.read import read_report  # noqa: E402
from core.inventory.resolve import Found  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.models import Product, ProductCategory  # noqa: E402
from core.search.indexed import IndexedSearch  # noqa: E402
from core.search.mentions import ProductCatalog, standalone_catalog  # noqa: E402
from tests.data.inventory_table import HELD_OUT, TABLE  # noqa: E402
from tests.support.inventory_eval import build_catalog, compare, read_labels, table_products  # noqa: E402

CATALOG_SIZE = 10_000
MESSAGES = 400
TARGETS = {"table_accuracy": 0.97, "p50_ms_5_lines": 5.0}
_SPLIT = re.compile(r"[\n\r;,、。|/，；]+")
_TAIL = re.compile(r"^(.*?)(-?\d+(?:\.\d+)?)\s*(台|个|件|袋|箱|套|片|盒|桶|pcs|box|boxes)?\s*$")


class Anchor:
    """The naive parser: separators, the last number, one fuzzy scan of every name per piece."""

    def __init__(self, products: list[tuple[str, str, str]]) -> None:
        self.skus = [sku for sku, _, _ in products]
        self.names = [utils.default_process(f"{sku} {zh} {en}") for sku, zh, en in products]

    def read(self, message: str) -> list[tuple[str, str, str]]:
        out = []
        for piece in _SPLIT.split(message):
            m = _TAIL.match(piece.strip())
            if not m or not m.group(1).strip():
                continue
            best = process.extractOne(utils.default_process(m.group(1)), self.names, scorer=fuzz.WRatio)
            out.append((self.skus[best[2]] if best else "!", m.group(2), m.group(3) or "-"))
        return out


def anchor_table_accuracy(anchor: Anchor) -> float:
    right = total = 0
    for message, expected in TABLE:
        got = [f"{sku} {qty} {unit if unit not in ('boxes',) else 'box'}" for sku, qty, unit in anchor.read(message)]
        r, t = compare(expected, got)
        right, total = right + r, total + t
    return right / total


def table_accuracy(table: list[tuple[str, list[str]]]) -> tuple[float, int, int]:
    catalog, skus = build_catalog(table_products())
    right = total = 0
    for message, expected in table:
        r, t = compare(expected, read_labels(message, catalog, skus))
        right, total = right + r, total + t
    return right / total, right, total


def ours_right(catalog: ProductCatalog, skus: dict[int, str], message: str, lines: list[Line]) -> int:
    got = read_report(message, catalog)
    return sum(
        1 for g, want in zip(got, lines, strict=False)
        if g.resolution.found == Found.RESOLVED and skus[g.resolution.ids[0]] == want.sku and g.raw.value == want.count
    )


def anchor_right(anchor: Anchor, message: str, lines: list[Line]) -> int:
    return sum(1 for (sku, qty, _), want in zip(anchor.read(message), lines, strict=False) if sku == want.sku and Decimal(qty) == want.count)


async def sqlite_search(path: Path, products: list[tuple[str, str, str]]) -> IndexedSearch:
    """A migrated SQLite file holding the catalog, and the index a worker builds from it."""
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    async with engine.begin() as conn:
        category = (await conn.execute(insert(ProductCategory).values(name_zh="基准", path="基准").returning(ProductCategory.id))).scalar_one()
        values = [
            {"sku": sku, "name_zh": zh, "name_en": en, "category_id": category, "base_unit": "台", "base_price": Decimal(100),
             "currency": "CNY", "active": True, "search_text": text}
            for (sku, zh, en), (_, text, _) in zip(products, rows(products, []), strict=True)
        ]
        for start in range(0, len(values), 2000):
            await conn.execute(insert(Product), values[start : start + 2000])
    search = IndexedSearch(engine)
    await search.warm()
    return search


async def through_the_index(products: list[tuple[str, str, str]], sample: list[tuple[str, list[Line]]]) -> list[float]:
    """Milliseconds per message as a chat turn reads it: the index's change-log poll, then the read."""
    with tempfile.TemporaryDirectory(prefix="fieldchat-inv-") as tmp:
        search = await sqlite_search(Path(tmp) / "catalog.db", products)
        for message, _ in sample[:20]:  # warm-up: first calls of rapidfuzz, opencc, numpy
            read_report(message, await search.product_catalog())
        times = []
        for message, _ in sample:
            started = time.perf_counter()
            read_report(message, await search.product_catalog())
            times.append((time.perf_counter() - started) * 1000)
        await search.engine.dispose()
    return times


async def speed() -> dict[str, float]:
    base = table_products()
    generated: list[GenProduct] = generate_products(base, CATALOG_SIZE)
    products = base + [(p.sku, p.name_zh, p.name_en) for p in generated]
    sample = messages(generated, MESSAGES)
    memory = standalone_catalog(rows(base, generated))
    skus = dict(enumerate((sku for sku, _, _ in products), start=1))
    end_to_end = await through_the_index(products, sample)
    in_memory = []
    ours = 0
    for message, lines in sample:
        started = time.perf_counter()
        read_report(message, memory)
        in_memory.append((time.perf_counter() - started) * 1000)
        ours += ours_right(memory, skus, message, lines)
    anchor = Anchor(products)
    naive, theirs = [], 0
    for message, lines in sample:
        started = time.perf_counter()
        anchor.read(message)
        naive.append((time.perf_counter() - started) * 1000)
        theirs += anchor_right(anchor, message, lines)
    total = 5 * len(sample)
    print(f"catalog {len(products)} products, {len(sample)} five-line messages")
    print(f"FieldChat end to end (index poll + read): p50 {percentile(end_to_end, 50):.2f} ms, p99 {percentile(end_to_end, 99):.2f} ms")
    print(f"FieldChat in memory:                      p50 {percentile(in_memory, 50):.2f} ms, p99 {percentile(in_memory, 99):.2f} ms")
    print(f"anchor (naive rapidfuzz over all names):  p50 {percentile(naive, 50):.2f} ms, p99 {percentile(naive, 99):.2f} ms")
    print(f"generated lines right: FieldChat {ours}/{total} ({ours / total:.1%}), anchor {theirs}/{total} ({theirs / total:.1%})")
    return {
        "p50_ms_5_lines": round(percentile(end_to_end, 50), 2), "p99_ms_5_lines": round(percentile(end_to_end, 99), 2),
        "p50_ms_in_memory": round(percentile(in_memory, 50), 2), "anchor_p50_ms_5_lines": round(percentile(naive, 50), 2),
        "speedup": round(percentile(naive, 50) / percentile(end_to_end, 50), 1),
        "generated_accuracy": round(ours / total, 4), "anchor_generated_accuracy": round(theirs / total, 4),
    }


async def main() -> None:
    accuracy, right, total = table_accuracy(TABLE)
    held, held_right, held_total = table_accuracy(HELD_OUT)
    anchor_acc = anchor_table_accuracy(Anchor(table_products()))
    print(f"table: {right}/{total} lines exactly right ({accuracy:.1%}) over {len(TABLE)} messages; "
          f"held out: {held_right}/{held_total} ({held:.1%}); anchor on the table: {anchor_acc:.1%}")
    figures = {"table_accuracy": round(accuracy, 4), "table_lines": total, "held_out_accuracy": round(held, 4),
               "anchor_table_accuracy": round(anchor_acc, 4), **await speed()}
    ok = figures["table_accuracy"] >= TARGETS["table_accuracy"] and figures["p50_ms_5_lines"] <= TARGETS["p50_ms_5_lines"]
    print("BENCHMARK " + json.dumps({"name": "inventory_parse", "figures": figures, "targets": TARGETS, "ok": ok}, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
