"""The demo product catalog: products.csv plus generated spare parts, with a category tree."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Product, ProductCategory, ProductOption, ProductUnit
from core.search.normalize import search_text

CSV_PATH = Path(__file__).with_name("products.csv")

CATEGORY_EN: dict[str, str] = {
    "水泵": "Pumps", "离心泵": "Centrifugal pumps", "管道泵": "Inline pumps", "排污泵": "Sewage pumps",
    "计量泵": "Metering pumps", "电机": "Motors", "变频电机": "Variable-frequency motors",
    "异步电机": "Induction motors", "防爆电机": "Explosion-proof motors", "传动": "Power transmission",
    "减速机": "Gear reducers", "联轴器": "Couplings", "压缩机": "Compressors",
    "螺杆空压机": "Screw air compressors", "后处理": "Air treatment", "空压机配件": "Compressor parts",
    "阀门": "Valves", "球阀": "Ball valves", "蝶阀": "Butterfly valves", "调节阀": "Control valves",
    "配件": "Parts", "密封": "Seals", "轴承": "Bearings", "泵配件": "Pump parts", "电气": "Electrical",
    "变频器": "Inverters", "传感器": "Sensors", "仪表": "Gauges", "液压": "Hydraulics",
    "液压站": "Hydraulic power units", "耗材": "Consumables", "润滑": "Lubricants",
}


@dataclass(frozen=True)
class ProductRow:
    sku: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    pack_unit: str | None
    pack_size: Decimal | None
    price: Decimal
    options: tuple[tuple[str, Decimal], ...] = ()


def parse_options(text: str) -> tuple[tuple[str, Decimal], ...]:
    """'电机升级 15kW:+2600;不锈钢泵体:+3200' → (('电机升级 15kW', 2600), ('不锈钢泵体', 3200))."""
    options: list[tuple[str, Decimal]] = []
    for item in text.split(";"):
        if item.strip():
            name, delta = item.rsplit(":", 1)
            options.append((name.strip(), Decimal(delta.strip())))
    return tuple(options)


def csv_rows() -> list[ProductRow]:
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return [
            ProductRow(
                sku=r["sku"], name_zh=r["name_zh"], name_en=r["name_en"], category=r["category"], unit=r["unit"],
                pack_unit=r["pack_unit"] or None, pack_size=Decimal(r["pack_size"]) if r["pack_size"] else None,
                price=Decimal(r["base_price_cny"]), options=parse_options(r["options"] or ""),
            )
            for r in csv.DictReader(handle)
        ]


def _part(sku: str, zh: str, en: str, category: str, unit: str, price: int, pack: tuple[str, int] | None = None) -> ProductRow:
    return ProductRow(
        sku, f"{sku} {zh}", f"{sku} {en}", category, unit,
        pack[0] if pack else None, Decimal(pack[1]) if pack else None, Decimal(price),
    )


def extra_rows() -> list[ProductRow]:
    """About thirty spare parts and accessories, so that the catalog feels like a real one."""
    rows = [_part(f"K{d}", f"机械密封 轴径 {d}mm", f"mechanical seal shaft {d} mm", "配件/密封", "套", 180 + 8 * d, ("盒", 10))
            for d in (25, 30, 35, 40, 45, 55)]
    rows += [_part(f"R{m}", f"深沟球轴承 {m}", f"deep groove ball bearing {m}", "配件/轴承", "个", p, ("盒", 20))
             for m, p in (("6206", 42), ("6207", 55), ("6305", 48), ("6308", 96))]
    rows += [_part(f"R{m}", f"圆锥滚子轴承 {m}", f"tapered roller bearing {m}", "配件/轴承", "个", p, ("盒", 10))
             for m, p in (("30210", 118), ("32212", 196))]
    rows += [_part(f"N{pump}", f"叶轮（{pump} 用）", f"impeller for {pump}", "配件/泵配件", "个", p)
             for pump, p in (("X100", 1100), ("X150", 1450), ("X200", 1980), ("X1000", 6800), ("S300", 890))]
    rows += [
        _part("F20", "O 型圈套装", "O-ring kit", "配件/密封", "套", 68, ("盒", 20)),
        _part("F30", "泵体密封垫", "pump casing gasket", "配件/密封", "片", 26, ("盒", 50)),
        _part("J40", "梅花联轴器 L100", "jaw coupling L100", "传动/联轴器", "个", 210),
        _part("J60", "弹性柱销联轴器 LX3", "pin coupling LX3", "传动/联轴器", "个", 460),
        _part("CF37", "空气滤芯（C37 用）", "air filter element for C37", "压缩机/空压机配件", "个", 260, ("箱", 6)),
        _part("CO37", "油滤芯（C37 用）", "oil filter for C37", "压缩机/空压机配件", "个", 180, ("箱", 6)),
        _part("CS55", "油气分离芯（C55 用）", "oil separator for C55", "压缩机/空压机配件", "个", 1350),
        _part("L20", "螺杆空压机专用油 20L", "screw compressor oil 20 L", "耗材/润滑", "桶", 980, ("箱", 2)),
        _part("L5", "通用锂基润滑脂", "lithium grease", "耗材/润滑", "桶", 150, ("箱", 6)),
        _part("PG16", "耐震压力表 1.6MPa", "vibration-proof pressure gauge 1.6 MPa", "电气/仪表", "个", 120, ("盒", 10)),
        _part("PT25", "压力变送器 2.5MPa", "pressure transmitter 2.5 MPa", "电气/传感器", "个", 760),
        _part("FL80", "电磁流量计 DN80", "electromagnetic flow meter DN80", "电气/仪表", "台", 5800),
        _part("E37", "变频器 37kW", "frequency inverter 37 kW", "电气/变频器", "台", 9800),
        _part("V150", "V150 蝶阀 DN150", "V150 butterfly valve DN150", "阀门/蝶阀", "个", 1150),
    ]
    return rows


async def _categories(session: AsyncSession, rows: list[ProductRow]) -> dict[str, int]:
    by_path: dict[str, ProductCategory] = {}
    for row in rows:
        parts = row.category.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path not in by_path:
                parent = by_path.get("/".join(parts[: depth - 1])) if depth > 1 else None
                if parent is not None and parent.id is None:
                    await session.flush()
                by_path[path] = ProductCategory(
                    name_zh=parts[depth - 1], name_en=CATEGORY_EN.get(parts[depth - 1]), path=path,
                    parent_id=parent.id if parent else None,
                )
                session.add(by_path[path])
    await session.flush()
    return {path: cat.id for path, cat in by_path.items()}


def _product(row: ProductRow, category_id: int) -> Product:
    return Product(
        sku=row.sku, name_zh=row.name_zh, name_en=row.name_en, category_id=category_id, base_unit=row.unit,
        base_price=row.price, currency="CNY", active=True,
        search_text=search_text([row.name_zh, row.name_en], codes=[row.sku]),
    )


async def load_catalog(session: AsyncSession) -> list[Product]:
    rows = csv_rows() + extra_rows()
    category_ids = await _categories(session, rows)
    products = [_product(row, category_ids[row.category]) for row in rows]
    session.add_all(products)
    await session.flush()
    for row, product in zip(rows, products, strict=True):
        if row.pack_unit and row.pack_size:
            session.add(ProductUnit(product_id=product.id, unit=row.pack_unit, factor=row.pack_size))
        for name, delta in row.options:
            session.add(ProductOption(product_id=product.id, name=name, price_delta=delta))
    await session.flush()
    return products
