"""Demo sales pipeline: opportunities in every stage, quotes in every status, approvals waiting.

Quotes are made through the real services (draft → lines → submit → decide), so their
totals, chains and decisions are exactly what the chat would have produced. The
`manager` finds four quotes waiting (one above 100,000, one with a 20 % discount) and
the `director` one, so a newcomer can approve in the web chat right away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.demo.context import Demo
from core.models import (
    ApprovalStep,
    Customer,
    CustomerType,
    Opportunity,
    OpportunityStage,
    PriceList,
    PriceListEntry,
    Product,
    ProductCategory,
    ProductOption,
    StepStatus,
    User,
)
from core.models.opportunities import DEFAULT_PROBABILITY
from core.permissions import scope_for
from core.services import approvals, orders, quotes
from core.services.approval_rules import default_rules
from core.uow import Actor, UnitOfWork

COST_RATIO = {"水泵": "0.62", "电机": "0.68", "传动": "0.60", "压缩机": "0.66", "阀门": "0.55", "配件": "0.45", "电气": "0.70", "液压": "0.60", "耗材": "0.50"}
"""Standard cost as a share of list price, by top category: the quotes' margin hint needs it."""
RULES = default_rules(Decimal(100000), Decimal(500000), Decimal(15))
PROJECTS = ("冷却水循环改造", "废水处理站扩建", "车间供水改造", "压缩空气站扩容", "锅炉给水泵更换", "工艺管道改造", "备件年度采购")


@dataclass(frozen=True)
class Plan:
    owner: str
    sku: str
    qty: int
    options: tuple[int, ...] = ()
    """Indexes into the product's options."""
    line_discount: str = "0"
    overall: str = "0"
    outcome: str = "pending"
    """draft | pending | step1 (manager approved, director pending) | approved | rejected | withdrawn | ordered"""
    hours_ago: int = 2


PLANS = (
    Plan("rep", "X1000", 2, (0,), hours_ago=3),                          # 216,000: the manager
    Plan("rep2", "X200", 5, line_discount="20", hours_ago=2),           # 20 % off: manager, then director
    Plan("rep3", "C37", 3, (0,), hours_ago=5),                           # 153,000: the manager
    Plan("rep6", "X150", 8, overall="8", hours_ago=1),                   # the manager
    Plan("rep", "X1000", 6, (0, 1), outcome="step1", hours_ago=26),      # 699,000: manager approved, director waits
    Plan("rep4", "C55", 2, (0,), hours_ago=4),                           # manager2's team
    Plan("rep", "X100", 2, outcome="draft"),
    Plan("rep2", "P80", 14, outcome="approved", hours_ago=50),
    Plan("rep3", "X200", 4, line_discount="25", outcome="rejected", hours_ago=30),
    Plan("rep6", "C55", 2, outcome="withdrawn", hours_ago=28),
    Plan("rep", "X100", 10, (1,), outcome="ordered", hours_ago=120),
)


async def load_quotes(demo: Demo, products: list[Product]) -> None:
    await _costs(demo, products)
    await _dealer_prices(demo, products)
    by_sku = {p.sku: p for p in products}
    owned = _customers_by_owner(demo)
    opps = await _opportunities(demo, owned, by_sku)
    uow = UnitOfWork(async_sessionmaker(demo.session.bind))
    uow.session = demo.session  # the caller's transaction: load_demo's caller commits it all
    for n, plan in enumerate(PLANS):
        customer = owned[plan.owner][n % len(owned[plan.owner])]
        await _quote(demo, uow, plan, customer, by_sku[plan.sku], opps.get(customer.id))
    await demo.session.flush()


async def _costs(demo: Demo, products: list[Product]) -> None:
    tops = {c.id: c.path.split("/")[0] for c in (await demo.session.scalars(select(ProductCategory))).all()}
    for product in products:
        ratio = Decimal(COST_RATIO.get(tops.get(product.category_id, ""), "0.6"))
        product.standard_cost = (product.base_price * ratio).quantize(Decimal("0.01"))


async def _dealer_prices(demo: Demo, products: list[Product]) -> None:
    dealer = PriceList(name="经销商价 2026", currency="CNY", customer_type=CustomerType.DEALER, active=True)
    demo.session.add(dealer)
    await demo.session.flush()
    demo.session.add_all(
        PriceListEntry(price_list_id=dealer.id, product_id=p.id, price=(p.base_price * Decimal("0.85")).quantize(Decimal(1)))
        for p in products[:20]
    )


def _customers_by_owner(demo: Demo) -> dict[str, list[Customer]]:
    ids = {u.id: login for login, u in demo.users.items()}
    owned: dict[str, list[Customer]] = {}
    for customer in sorted(demo.customers, key=lambda c: c.id):
        if customer.owner_id in ids and customer.type != CustomerType.DEALER:
            owned.setdefault(ids[customer.owner_id], []).append(customer)
    return owned


async def _opportunities(demo: Demo, owned: dict[str, list[Customer]], by_sku: dict[str, Product]) -> dict[int, Opportunity]:
    """Three per stage across the reps; the open ones close over the next six months."""
    stages = list(OpportunityStage)
    reps = [r for r in ("rep", "rep2", "rep3", "rep6", "rep4", "rep5") if owned.get(r)]
    first_open: dict[int, Opportunity] = {}
    skus = ("X1000", "X200", "C37", "C55", "X150", "B500", "M75")
    for i in range(len(stages) * 3):
        stage, rep = stages[i % len(stages)], reps[i % len(reps)]
        customer = owned[rep][(i // len(reps)) % len(owned[rep])]
        product = by_sku[skus[i % len(skus)]]
        closed = stage in (OpportunityStage.WON, OpportunityStage.LOST)
        close = demo.today + timedelta(days=-demo.rng.randint(5, 60) if closed else demo.rng.randint(3, 170))
        opp = Opportunity(
            customer_id=customer.id, owner_id=demo.users[rep].id, name=f"{demo.rng.choice(PROJECTS)}（{product.sku}）",
            stage=stage, amount=product.base_price * demo.rng.randint(2, 12), currency="CNY",
            probability=DEFAULT_PROBABILITY[stage], expected_close=close,
            closed_at=demo.at(close, 15) if closed else None,
        )
        demo.session.add(opp)
        if not closed and stage in (OpportunityStage.SOLUTION, OpportunityStage.QUOTE):
            first_open.setdefault(customer.id, opp)
    await demo.session.flush()
    return first_open


async def _quote(demo: Demo, uow: UnitOfWork, plan: Plan, customer: Customer, product: Product, opp: Opportunity | None) -> None:
    user = demo.users[plan.owner]
    actor, scope = Actor(user, "webchat"), await scope_for(demo.session, user)
    at = demo.now - timedelta(hours=plan.hours_ago)
    today = _local(demo, at)
    quote = await quotes.create_draft(uow, actor=actor, scope=scope, customer_id=customer.id, today=today, valid_days=30)
    quote.created_at = at
    if opp is not None:
        quote.opportunity_id = opp.id
    options = (await demo.session.scalars(select(ProductOption.id).where(ProductOption.product_id == product.id).order_by(ProductOption.id))).all()
    await quotes.add_line(
        uow, actor=actor, quote_id=quote.id, product_id=product.id, quantity=Decimal(plan.qty),
        option_ids=[options[i] for i in plan.options if i < len(options)], discount_pct=Decimal(plan.line_discount),
    )
    if plan.overall != "0":
        await quotes.set_discount(uow, actor=actor, quote_id=quote.id, discount_pct=Decimal(plan.overall))
    if plan.outcome == "draft":
        return
    steps = await approvals.submit(uow, actor=actor, scope=scope, quote_id=quote.id, rules=RULES, now=at, today=today)
    await _decide(demo, uow, plan, quote.id, steps, at)


async def _decide(demo: Demo, uow: UnitOfWork, plan: Plan, quote_id: int, steps: list[ApprovalStep], at: datetime) -> None:
    later = at + timedelta(hours=1)
    if plan.outcome == "withdrawn":
        await approvals.withdraw(uow, actor=Actor(demo.users[plan.owner], "webchat"), quote_id=quote_id, now=later)
        return
    for step in steps:
        if plan.outcome == "pending" or (plan.outcome == "step1" and step.position > 1):
            return
        approve = plan.outcome != "rejected"
        await demo.session.refresh(step)
        if step.status != StepStatus.PENDING:
            return
        approver = await uow.session.get_one(User, step.approver_id)
        await approvals.decide(
            uow, actor=Actor(approver, "webchat"), step_id=step.id, approve=approve,
            comment=None if approve else "折扣过大，请控制在 15% 以内后重新提交", now=later, today=_local(demo, later),
        )
        if not approve:
            return
    if plan.outcome == "ordered":
        await orders.convert(uow, actor=Actor(demo.users[plan.owner], "webchat"), quote_id=quote_id, now=later, today=_local(demo, later))


def _local(demo: Demo, moment: datetime) -> date:
    return moment.astimezone(demo.tz).date()
