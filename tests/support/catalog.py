"""A few exact products for quote tests: pumps with options and costs, a motor sold by the box."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Product, ProductCategory, ProductOption, ProductUnit
from core.search.normalize import search_text

PRODUCTS = [
    # sku, name_zh, name_en, unit, price, cost, options, (pack unit, factor)
    ("X100", "X100 离心水泵", "X100 centrifugal pump", "台", "12800", "8300", [("电机升级 15kW", "2600"), ("不锈钢泵体", "3200")], None),
    ("X1000", "X1000 大流量离心泵", "X1000 high-flow centrifugal pump", "台", "96000", "62000", [("100kW 电机", "12000"), ("不锈钢泵体", "8500")], None),
    ("B200", "B200 变频电机", "B200 variable-frequency motor", "台", "4800", "3100", [], ("箱", "2")),
    ("L20", "螺杆空压机专用油 20L", "screw compressor oil 20 L", "桶", "980", None, [], None),
]


async def add_catalog(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    async with sessionmaker() as s:
        category = ProductCategory(name_zh="水泵", name_en="Pumps", path="水泵")
        s.add(category)
        await s.flush()
        for sku, zh, en, unit, price, cost, options, pack in PRODUCTS:
            product = Product(
                sku=sku, name_zh=zh, name_en=en, category_id=category.id, base_unit=unit, base_price=Decimal(price),
                standard_cost=Decimal(cost) if cost else None, currency="CNY", active=True,
                search_text=search_text([zh, en], codes=[sku]),
            )
            s.add(product)
            await s.flush()
            s.add_all(ProductOption(product_id=product.id, name=n, price_delta=Decimal(d)) for n, d in options)
            if pack:
                s.add(ProductUnit(product_id=product.id, unit=pack[0], factor=Decimal(pack[1])))
            found[sku] = product
        await s.commit()
    return found
