"""Drafting quotes: customer, lines with options, units and quantities, discounts, totals.

Only the requester edits a quote, and only while it is a draft; every change recomputes
the stored totals with `core.services.pricing`, so what is shown and what is approved
are the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput, NotFound, PermissionDenied
from core.models import (
    Customer,
    Opportunity,
    PriceList,
    PriceListEntry,
    Product,
    ProductOption,
    ProductUnit,
    Quote,
    QuoteLine,
    QuoteLineOption,
    QuoteStatus,
    Role,
)
from core.permissions import SELLERS, Scope
from core.services import pricing
from core.services.customers import readable
from core.uow import Actor, UnitOfWork

MAX_LINES = 50


async def create_draft(
    uow: UnitOfWork, *, actor: Actor, scope: Scope, customer_id: int, today: date, valid_days: int, currency: str = "CNY"
) -> Quote:
    if actor.user.role not in SELLERS:
        raise PermissionDenied("quote.error.not_seller")
    customer = await readable(uow.session, scope, customer_id)
    price_list = await price_list_for(uow.session, customer, currency)
    quote = Quote(
        customer_id=customer.id, owner_id=actor.user.id, status=QuoteStatus.DRAFT, currency=currency,
        price_list_id=price_list.id if price_list else None, discount_pct=Decimal(0),
        valid_until=today + timedelta(days=valid_days),
    )
    uow.session.add(quote)
    await uow.session.flush()
    quote.number = f"Q-{today.year}-{quote.id:05d}"
    uow.audit(actor, "quote.create", "quote", quote.id, customer_id=customer.id)
    return quote


async def price_list_for(session: AsyncSession, customer: Customer, currency: str) -> PriceList | None:
    """The active list for the customer's type, else the general one, else none (base prices)."""
    lists = (
        await session.scalars(select(PriceList).where(PriceList.active.is_(True), PriceList.currency == currency))
    ).all()
    typed = [p for p in lists if p.customer_type == customer.type]
    general = [p for p in lists if p.customer_type is None]
    found = typed or general
    return found[0] if found else None


async def editable(session: AsyncSession, actor: Actor, quote_id: int) -> Quote:
    quote = await session.get(Quote, quote_id, populate_existing=True)
    if quote is None:
        raise NotFound("quote.error.unknown")
    if quote.owner_id != actor.user.id:
        raise PermissionDenied("quote.error.not_yours")
    if quote.status != QuoteStatus.DRAFT:
        raise InvalidInput("quote.error.not_draft", status=quote.status.value)
    return quote


async def link_opportunity(uow: UnitOfWork, *, actor: Actor, quote_id: int, opportunity_id: int | None) -> Quote:
    quote = await editable(uow.session, actor, quote_id)
    if opportunity_id is not None:
        opp = await uow.session.get(Opportunity, opportunity_id)
        if opp is None or opp.customer_id != quote.customer_id:
            raise InvalidInput("quote.error.opportunity")
    quote.opportunity_id = opportunity_id
    return quote


async def product_price(session: AsyncSession, quote: Quote, product: Product) -> Decimal:
    if quote.price_list_id is not None:
        entry = await session.scalar(
            select(PriceListEntry.price).where(
                PriceListEntry.price_list_id == quote.price_list_id, PriceListEntry.product_id == product.id
            )
        )
        if entry is not None:
            return Decimal(entry)
    return Decimal(product.base_price)


async def unit_factor(session: AsyncSession, product: Product, unit: str | None) -> tuple[str, Decimal]:
    if unit is None or unit == product.base_unit:
        return product.base_unit, Decimal(1)
    factor = await session.scalar(
        select(ProductUnit.factor).where(ProductUnit.product_id == product.id, ProductUnit.unit == unit)
    )
    if factor is None:
        raise InvalidInput("quote.error.unit", unit=unit[:10], product=product.sku)
    return unit, Decimal(factor)


async def valid_options(session: AsyncSession, product: Product, option_ids: Sequence[int]) -> list[ProductOption]:
    if not option_ids:
        return []
    found = (
        await session.scalars(select(ProductOption).where(ProductOption.id.in_(set(option_ids))))
    ).all()
    if len(found) != len(set(option_ids)) or any(o.product_id != product.id for o in found):
        raise InvalidInput("quote.error.option", product=product.sku)
    return sorted(found, key=lambda o: o.id)


async def add_line(
    uow: UnitOfWork,
    *,
    actor: Actor,
    quote_id: int,
    product_id: int,
    quantity: Decimal,
    option_ids: Sequence[int] = (),
    unit: str | None = None,
    discount_pct: Decimal = Decimal(0),
) -> QuoteLine:
    session = uow.session
    quote = await editable(session, actor, quote_id)
    product = await session.get(Product, product_id)
    if product is None or not product.active:
        raise InvalidInput("quote.error.product")
    unit_name, factor = await unit_factor(session, product, unit)
    pricing.check_quantity(quantity, unit_name)
    pricing.check_discount(discount_pct)
    options = await valid_options(session, product, option_ids)
    count = await session.scalar(select(func.count()).select_from(QuoteLine).where(QuoteLine.quote_id == quote.id)) or 0
    if count >= MAX_LINES:
        raise InvalidInput("quote.error.too_many_lines", limit=MAX_LINES)
    base = await product_price(session, quote, product)
    figures = pricing.price_line(
        base_price=base, option_deltas=[o.price_delta for o in options], factor=factor, quantity=quantity,
        discount_pct=discount_pct, currency=quote.currency, base_cost=product.standard_cost,
    )
    line = QuoteLine(
        quote_id=quote.id, position=count + 1, product_id=product.id, unit=unit_name, unit_factor=factor,
        description=" + ".join([product.name_zh, *(o.name for o in options)])[:300], quantity=quantity,
        unit_price=figures.unit_price, unit_cost=figures.unit_cost, discount_pct=discount_pct,
        list_amount=figures.list_amount, amount=figures.amount,
    )
    session.add(line)
    await session.flush()
    session.add_all(QuoteLineOption(line_id=line.id, option_id=o.id, name=o.name, price_delta=o.price_delta) for o in options)
    await recompute(session, quote)
    uow.audit(actor, "quote.line_add", "quote", quote.id, product=product.sku, quantity=str(quantity))
    return line


async def remove_line(uow: UnitOfWork, *, actor: Actor, quote_id: int, line_id: int) -> Quote:
    quote = await editable(uow.session, actor, quote_id)
    line = await uow.session.get(QuoteLine, line_id)
    if line is None or line.quote_id != quote.id:
        raise NotFound("quote.error.line")
    await uow.session.execute(delete(QuoteLineOption).where(QuoteLineOption.line_id == line.id))
    await uow.session.delete(line)
    await uow.session.flush()
    await renumber(uow.session, quote.id)
    await recompute(uow.session, quote)
    uow.audit(actor, "quote.line_remove", "quote", quote.id, line=line_id)
    return quote


async def set_discount(uow: UnitOfWork, *, actor: Actor, quote_id: int, discount_pct: Decimal) -> Quote:
    """The overall discount on the sum of the lines."""
    quote = await editable(uow.session, actor, quote_id)
    quote.discount_pct = pricing.check_discount(discount_pct)
    await recompute(uow.session, quote)
    uow.audit(actor, "quote.discount", "quote", quote.id, pct=str(discount_pct))
    return quote


async def lines_of(session: AsyncSession, quote_id: int) -> list[QuoteLine]:
    return list(
        (await session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote_id).order_by(QuoteLine.position))).all()
    )


async def renumber(session: AsyncSession, quote_id: int) -> None:
    for n, line in enumerate(await lines_of(session, quote_id), start=1):
        line.position = n


async def recompute(session: AsyncSession, quote: Quote) -> pricing.Totals:
    await session.flush()
    lines = await lines_of(session, quote.id)
    result = pricing.totals(
        (
            pricing.LineFigures(
                ln.list_amount, ln.amount, ln.discount_pct, ln.unit_cost * ln.quantity if ln.unit_cost is not None else None
            )
            for ln in lines
        ),
        quote.discount_pct,
        quote.currency,
    )
    quote.list_total, quote.subtotal, quote.total = result.list_total, result.subtotal, result.total
    quote.max_discount_pct = result.max_discount_pct
    quote.cost_total = pricing.money(result.cost_total, quote.currency) if result.cost_total is not None else None
    return result


def can_read(scope: Scope, quote: Quote, *, approver_ids: Sequence[int] = ()) -> bool:
    """The requester, their superiors, directors and admins, finance, and whoever is asked to approve it."""
    if scope.role in (Role.DIRECTOR, Role.ADMIN, Role.FINANCE):
        return True
    return quote.owner_id in scope.team or scope.user.id in approver_ids
