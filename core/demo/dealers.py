"""Demo dealer channel: three dealers with bound users (login `dealer` among them), the dealer
consumables counted in bags (1 箱 = 24 袋), assortments, stock snapshots, safety stock (联众 under
it), quarterly targets, a tiered rebate policy, and orders that leave 联众 just short of its next
tier this quarter with last quarter's rebate ready to claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.demo.context import Demo
from core.models import (
    Customer,
    CustomerType,
    DealerProduct,
    DealerTarget,
    Order,
    OrderRefund,
    Product,
    ProductCategory,
    ProductUnit,
    Quote,
    QuoteLine,
    QuoteStatus,
    RebatePeriod,
    RebatePolicy,
    RebateTier,
    Role,
    SafetyStock,
    StockLine,
    StockReport,
    User,
)
from core.rebate_math import quarter_of
from core.search.normalize import search_text


@dataclass(frozen=True)
class ChannelProduct:
    sku: str
    name_zh: str
    name_en: str
    price: int
    per_box: int


CHANNEL_PRODUCTS = (
    ChannelProduct("W1", "W1 水处理阻垢剂 1kg 袋装", "W1 scale inhibitor 1 kg bag", 45, 24),
    ChannelProduct("W5", "W5 管道清洗剂 5kg 袋装", "W5 pipe cleaner 5 kg bag", 160, 4),
)
"""Consumables dealers sell by the bag and count by the box (1 箱 = 24 袋)."""
CHANNEL_CATEGORY = ("耗材/水处理", "水处理", "Water treatment")
DEALER_USERS = (("dealer", None), ("dealer2", ("徐敏", "Xu Min")), ("dealer3", ("高峰", "Gao Feng")))
"""The demo `dealer` exists already (bound to 联众); two more are made for the next dealers."""
ASSORTMENT = ("X100", "X150", "X200", "P50", "P80", "S300", "B200", "B500", "Y132", "Y160", "V50", "V80", "V100",
              "F10", "K20", "R15", "R25", "T30", "T45", "L8", "NX100", "NX150", "W1", "W5")
"""What 联众 may report; compressors are not its business."""
SAFETY = {"X100": 10, "B200": 6, "V50": 40, "W1": 48, "K20": 20}
SNAPSHOTS = (
    (14, {"X100": 14, "X150": 5, "B200": 8, "V50": 60, "W1": 96, "K20": 30, "R15": 120}),
    (3, {"X100": 6, "X150": 4, "B200": 7, "V50": 52, "W1": 72, "K20": 24, "R15": 100, "S300": 2}),
)
TIERS = ((1_000_000, "2"), (3_000_000, "3"))
"""渠道返利: more than ¥1,000,000 a quarter → 2 %, more than ¥3,000,000 → 3 % (edges not included)."""
PLAN = (
    # dealer index, previous quarter's sales, this quarter's sales, this quarter's target
    (0, 1_450_000, 2_820_000, 3_000_000),
    (1, 880_000, 640_000, 1_200_000),
    (2, 1_120_000, 1_310_000, 1_500_000),
)


async def load_dealers(demo: Demo, products: list[Product]) -> None:
    dealers = await _dealers(demo)
    catalog = {p.sku: p for p in products} | await _channel_products(demo)
    await _users(demo, dealers)
    s = demo.session
    s.add_all(DealerProduct(dealer_id=dealers[0].id, product_id=catalog[sku].id) for sku in ASSORTMENT)
    s.add_all(SafetyStock(dealer_id=dealers[0].id, product_id=catalog[k].id, min_qty=Decimal(v)) for k, v in SAFETY.items())
    await _snapshots(demo, dealers, catalog)
    await _targets_and_orders(demo, dealers, catalog)
    await _policy(demo)
    await s.flush()


async def _dealers(demo: Demo) -> list[Customer]:
    """联众 (the demo dealer's company) first, then the generated dealers, owned dealers only."""
    dealers = [c for c in demo.customers if c.type == CustomerType.DEALER and c.owner_id is not None]
    bound = demo.users["dealer"].dealer_customer_id
    dealers.sort(key=lambda c: (c.id != bound, c.id))
    return dealers[:3]


async def _channel_products(demo: Demo) -> dict[str, Product]:
    path, name_zh, name_en = CHANNEL_CATEGORY
    s = demo.session
    parent = await s.scalar(select(ProductCategory).where(ProductCategory.path == path.split("/")[0]))
    category = ProductCategory(name_zh=name_zh, name_en=name_en, path=path, parent_id=parent.id if parent else None)
    s.add(category)
    await s.flush()
    made: dict[str, Product] = {}
    for cp in CHANNEL_PRODUCTS:
        product = Product(
            sku=cp.sku, name_zh=cp.name_zh, name_en=cp.name_en, category_id=category.id, base_unit="袋",
            base_price=Decimal(cp.price), currency="CNY", active=True,
            search_text=search_text([cp.name_zh, cp.name_en], codes=[cp.sku]),
        )
        s.add(product)
        await s.flush()
        s.add(ProductUnit(product_id=product.id, unit="箱", factor=Decimal(cp.per_box)))
        made[cp.sku] = product
    return made


async def _users(demo: Demo, dealers: list[Customer]) -> None:
    template = demo.users["dealer"]
    for (login, names), dealer in zip(DEALER_USERS, dealers, strict=False):
        if names is None:
            template.dealer_customer_id = dealer.id
            continue
        user = User(
            company_id=template.company_id, login=login, name=names[0], name_en=names[1], role=Role.DEALER,
            phone=demo.mobile(), timezone=template.timezone, active=True, dealer_customer_id=dealer.id,
        )
        demo.session.add(user)
        await demo.session.flush()
        demo.users[login] = user


async def _snapshots(demo: Demo, dealers: list[Customer], catalog: dict[str, Product]) -> None:
    for n, dealer in enumerate(dealers):
        reporter = next(u for u in demo.users.values() if u.dealer_customer_id == dealer.id)
        for days_ago, counts in SNAPSHOTS:
            day = demo.today - timedelta(days=days_ago + n)
            report = StockReport(
                dealer_id=dealer.id, reported_by_id=reporter.id, reported_at=demo.at(day, 17, 30), report_date=day,
                platform="demo", draft_key=f"demo-{day.isoformat()}", source_text="",
            )
            demo.session.add(report)
            await demo.session.flush()
            scale = Decimal(1) if n == 0 else Decimal(n + 1)
            demo.session.add_all(
                StockLine(report_id=report.id, product_id=catalog[sku].id, quantity=Decimal(q) * scale, entered=f"{q}")
                for sku, q in counts.items()
            )


async def _targets_and_orders(demo: Demo, dealers: list[Customer], catalog: dict[str, Product]) -> None:
    current = quarter_of(demo.today)
    previous = quarter_of(current.start - timedelta(days=1))
    for index, last_sales, sales, target in PLAN:
        dealer = dealers[index]
        for period, amount, goal in ((previous, last_sales, last_sales + 100_000), (current, sales, target)):
            q = (period.start.month - 1) // 3 + 1
            demo.session.add(DealerTarget(dealer_id=dealer.id, year=period.start.year, quarter=q, amount=Decimal(goal)))
            end = min(period.end, demo.today)
            await _orders(demo, dealer, catalog, Decimal(amount), period.start, end)


async def _orders(demo: Demo, dealer: Customer, catalog: dict[str, Product], amount: Decimal, start: date, end: date) -> None:
    """Four orders between start and end summing to `amount`: pumps, motors, valves, water treatment."""
    mix = (("X100", Decimal("0.45")), ("B200", Decimal("0.30")), ("V50", Decimal("0.15")), ("W1", Decimal("0.10")))
    span = max((end - start).days, 0)
    owner = dealer.owner_id
    assert owner is not None
    for n, (sku, share) in enumerate(mix):
        value = (amount * share).quantize(Decimal(1))
        product = catalog[sku]
        quote = Quote(
            number=f"Q-D{dealer.id}-{start:%y%m}-{n + 1}", customer_id=dealer.id, owner_id=owner, status=QuoteStatus.ORDERED,
            currency="CNY", list_total=value, subtotal=value, total=value,
        )
        demo.session.add(quote)
        await demo.session.flush()
        demo.session.add(QuoteLine(
            quote_id=quote.id, position=1, product_id=product.id, description=product.name_zh, unit=product.base_unit,
            quantity=(value / product.base_price).quantize(Decimal(1)), unit_price=product.base_price,
            list_amount=value, amount=value,
        ))
        day = start + timedelta(days=span * n // len(mix))
        order = Order(
            number=f"SO-D{dealer.id}-{start:%y%m}-{n + 1}", quote_id=quote.id, customer_id=dealer.id, owner_id=owner,
            total=value, currency="CNY", status="open", created_at=min(demo.at(day, 10), demo.now),
        )
        demo.session.add(order)
        await demo.session.flush()
        if n == 3 and dealer.id != demo.users["dealer"].dealer_customer_id:
            refund_day = min(day + timedelta(days=1), demo.today)
            demo.session.add(OrderRefund(order_id=order.id, product_id=product.id, amount=(value / 10).quantize(Decimal(1)),
                                         refunded_at=min(demo.at(refund_day, 15), demo.now), note="退货 (demo)"))


async def _policy(demo: Demo) -> None:
    policy = RebatePolicy(
        name="渠道返利 2026", period=RebatePeriod.QUARTER, inclusive=False, currency="CNY",
        valid_from=date(demo.today.year - 1, 1, 1), active=True,
    )
    demo.session.add(policy)
    await demo.session.flush()
    demo.session.add_all(RebateTier(policy_id=policy.id, threshold=Decimal(t), rate_pct=Decimal(r)) for t, r in TIERS)
