"""A dealer channel for tests: the demo catalog, the world's dealer (联众, channel manager `rep`),
a second dealer (华东 too), the `finance` approver, and helpers to place orders and policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.demo.catalog import load_catalog
from core.models import (
    Customer,
    CustomerType,
    DealerProduct,
    Order,
    OrderRefund,
    Product,
    ProductCategory,
    Quote,
    QuoteLine,
    QuoteStatus,
    RebatePeriod,
    RebatePolicy,
    RebateTier,
    SafetyStock,
    utcnow,
)
from core.services.customers import refresh_search_text
from tests.support.world import World


@dataclass
class Channel:
    products: dict[str, Product] = field(default_factory=dict)
    dealer2: int = 0

    def pid(self, sku: str) -> int:
        return self.products[sku].id


async def make_channel(sessionmaker: async_sessionmaker[AsyncSession], world: World) -> Channel:
    channel = Channel()
    async with sessionmaker() as s:
        for product in await load_catalog(s):
            channel.products[product.sku] = product
        other = Customer(
            code="贸易-华东-002", name="无锡通达机电贸易有限公司", name_en="Wuxi Tongda M&E Trading", aliases=[],
            type=CustomerType.DEALER, grade_code="normal", owner_id=world.uid("rep2"), region="华东", city="无锡",
        )
        s.add(other)
        await s.flush()
        refresh_search_text(other, [])
        channel.dealer2 = other.id
        await s.commit()
    return channel


async def set_assortment(sessionmaker: async_sessionmaker[AsyncSession], dealer_id: int, product_ids: list[int]) -> None:
    async with sessionmaker() as s:
        s.add_all(DealerProduct(dealer_id=dealer_id, product_id=p) for p in product_ids)
        await s.commit()


async def set_safety(sessionmaker: async_sessionmaker[AsyncSession], dealer_id: int, levels: dict[int, int]) -> None:
    async with sessionmaker() as s:
        s.add_all(SafetyStock(dealer_id=dealer_id, product_id=p, min_qty=Decimal(m)) for p, m in levels.items())
        await s.commit()


async def add_policy(
    sessionmaker: async_sessionmaker[AsyncSession], tiers: list[tuple[int, str]], *, inclusive: bool = False,
    period: RebatePeriod = RebatePeriod.QUARTER, category: str | None = None, dealer_id: int | None = None,
) -> int:
    async with sessionmaker() as s:
        category_id = None
        if category is not None:
            from sqlalchemy import select

            category_id = await s.scalar(select(ProductCategory.id).where(ProductCategory.path == category))
        policy = RebatePolicy(
            name="渠道返利 2026", period=period, category_id=category_id, dealer_id=dealer_id, inclusive=inclusive,
            currency="CNY", valid_from=date(2020, 1, 1), active=True,
        )
        s.add(policy)
        await s.flush()
        s.add_all(RebateTier(policy_id=policy.id, threshold=Decimal(t), rate_pct=Decimal(r)) for t, r in tiers)
        await s.commit()
        return policy.id


async def add_order(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, dealer_id: int, lines: list[tuple[Product, str]],
    at: datetime | None = None, total: str | None = None,
) -> int:
    """An order (from an ordered quote) with these line amounts; `total` applies an overall discount."""
    at = at or utcnow()
    async with sessionmaker() as s:
        amounts = [Decimal(a) for _, a in lines]
        subtotal = sum(amounts, Decimal(0))
        quote = Quote(
            customer_id=dealer_id, owner_id=world.uid("rep"), status=QuoteStatus.ORDERED, currency="CNY",
            list_total=subtotal, subtotal=subtotal, total=Decimal(total) if total else subtotal,
        )
        s.add(quote)
        await s.flush()
        s.add_all(
            QuoteLine(
                quote_id=quote.id, position=n, product_id=p.id, description=p.name_zh, unit=p.base_unit,
                quantity=Decimal(1), unit_price=a, list_amount=a, amount=a,
            )
            for n, (p, a) in enumerate(zip([p for p, _ in lines], amounts, strict=True), start=1)
        )
        order = Order(
            number=f"SO-T-{quote.id:05d}", quote_id=quote.id, customer_id=dealer_id, owner_id=world.uid("rep"),
            total=quote.total, currency="CNY", status="open", created_at=at,
        )
        s.add(order)
        await s.commit()
        return order.id


async def add_refund(
    sessionmaker: async_sessionmaker[AsyncSession], order_id: int, amount: str, at: datetime, product: Product | None = None,
) -> None:
    async with sessionmaker() as s:
        s.add(OrderRefund(order_id=order_id, product_id=product.id if product else None, amount=Decimal(amount), refunded_at=at))
        await s.commit()
