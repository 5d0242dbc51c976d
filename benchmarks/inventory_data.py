"""A 10,000-product catalog and five-line stock messages for benchmarks/inventory_parse.py.

Products are the demo catalog plus generated ones in the same style: a SKU of series letters
and a number ('HX2045'), a Chinese name of material or type + product noun + a spec, and an
English name, some counted in boxes. Messages name five products the way dealers do (SKU,
SKU + noun, count first, lower case, Chinese numerals, units, every kind of separator); each
line knows the product and count it means, so the anchor's accuracy can be measured too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from core.search.normalize import search_text

NOUNS = (
    ("离心泵", "centrifugal pump", "台"), ("管道泵", "inline pump", "台"), ("排污泵", "sewage pump", "台"),
    ("计量泵", "metering pump", "台"), ("变频电机", "variable-frequency motor", "台"), ("异步电机", "induction motor", "台"),
    ("减速机", "gear reducer", "台"), ("空压机", "air compressor", "台"), ("球阀", "ball valve", "个"),
    ("蝶阀", "butterfly valve", "个"), ("闸阀", "gate valve", "个"), ("止回阀", "check valve", "个"),
    ("机械密封", "mechanical seal", "套"), ("轴承", "bearing", "个"), ("联轴器", "coupling", "个"),
    ("传感器", "sensor", "个"), ("变频器", "inverter", "台"), ("滤芯", "filter element", "个"),
    ("垫片", "gasket", "片"), ("润滑脂", "grease", "桶"), ("叶轮", "impeller", "个"), ("压力表", "pressure gauge", "个"),
)
KINDS = (
    ("不锈钢", "stainless"), ("铸铁", "cast-iron"), ("立式", "vertical"), ("卧式", "horizontal"), ("防爆", "explosion-proof"),
    ("高温", "high-temperature"), ("耐腐蚀", "corrosion-resistant"), ("节能", "energy-saving"), ("重型", "heavy-duty"),
    ("微型", "miniature"), ("双级", "two-stage"), ("自吸", "self-priming"), ("电动", "electric"), ("气动", "pneumatic"),
)
SPECS = ("DN25", "DN40", "DN50", "DN65", "DN80", "DN100", "DN150", "2.2kW", "5.5kW", "7.5kW", "11kW", "15kW", "22kW",
         "1.6MPa", "2.5MPa", "25mm", "35mm", "45mm")
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SEPARATORS = ("，", "\n", "、", "; ", ", ", " / ")
CN_COUNTS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 8: "八", 10: "十", 12: "十二", 15: "十五", 20: "二十", 25: "二十五"}


@dataclass(frozen=True)
class GenProduct:
    sku: str
    name_zh: str
    name_en: str
    noun: str
    unit: str
    pack: int | None


@dataclass(frozen=True)
class Line:
    text: str
    sku: str
    count: Decimal
    """As typed (5 for '5箱')."""


def generate_products(existing: list[tuple[str, str, str]], total: int, seed: int = 11) -> list[GenProduct]:
    rng = random.Random(seed)
    taken = {sku.lower() for sku, _, _ in existing}
    out: list[GenProduct] = []
    while len(existing) + len(out) < total:
        series = rng.choice(LETTERS) + (rng.choice(LETTERS) if rng.random() < 0.7 else "")
        sku = f"{series}{rng.randint(10, 9999)}"
        if sku.lower() in taken:
            continue
        taken.add(sku.lower())
        noun, noun_en, unit = rng.choice(NOUNS)
        kind, kind_en = rng.choice(KINDS)
        spec = rng.choice(SPECS)
        pack = rng.choice((None, None, 6, 10, 24)) if unit != "台" else None
        out.append(GenProduct(sku, f"{sku} {kind}{noun} {spec}", f"{sku} {kind_en} {noun_en} {spec}", noun, unit, pack))
    return out


def rows(existing: list[tuple[str, str, str]], generated: list[GenProduct]) -> list[tuple[int, str, bool]]:
    """(id, search_text, active) for the index: ids 1… in catalog order."""
    names = [(sku, zh, en) for sku, zh, en in existing] + [(p.sku, p.name_zh, p.name_en) for p in generated]
    return [(n, search_text([zh, en], codes=[sku]), True) for n, (sku, zh, en) in enumerate(names, start=1)]


def _line(rng: random.Random, p: GenProduct) -> Line:
    n = rng.choice(tuple(CN_COUNTS))
    style = rng.randrange(8)
    if style == 0:
        return Line(f"{p.sku} {n}", p.sku, Decimal(n))
    if style == 1:
        return Line(f"{p.sku}{p.noun} {n}{p.unit}", p.sku, Decimal(n))
    if style == 2:
        return Line(f"{p.sku.lower()} {CN_COUNTS[n]}{p.unit}", p.sku, Decimal(n))
    if style == 3:
        return Line(f"{n}{p.unit}{p.sku}", p.sku, Decimal(n))
    if style == 4:
        return Line(f"{p.sku} x{n}", p.sku, Decimal(n))
    if style == 5 and p.pack:
        return Line(f"{p.sku} {n}箱", p.sku, Decimal(n))
    if style == 6:
        return Line(f"{p.sku}：{n}", p.sku, Decimal(n))
    return Line(f"{p.name_zh} {n}{p.unit}", p.sku, Decimal(n))


def messages(products: list[GenProduct], count: int, seed: int = 5) -> list[tuple[str, list[Line]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        lines = [_line(rng, p) for p in rng.sample(products, 5)]
        out.append((rng.choice(SEPARATORS).join(ln.text for ln in lines), lines))
    return out
