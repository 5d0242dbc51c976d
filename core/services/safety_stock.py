"""Safety stock (安全库存) per dealer and product, set by the channel manager, and what to reorder."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput
from core.inventory.units import MAX_QUANTITY
from core.models import Product, ProductUnit, SafetyStock
from core.permissions import Scope
from core.services.dealers import managed_dealer
from core.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class Reorder:
    """How far below the minimum a product is, and what to order to fill it up."""

    gap: Decimal
    """Base units missing to reach the minimum."""
    suggest: Decimal
    """Base units to order: up to the reorder level, in whole packs when the product has a pack."""
    packs: int | None = None
    pack_unit: str | None = None


async def set_minimum(
    uow: UnitOfWork, *, actor: Actor, scope: Scope, dealer_id: int, product_id: int, minimum: Decimal,
    reorder_to: Decimal | None = None,
) -> SafetyStock:
    dealer = await managed_dealer(uow.session, scope, dealer_id)
    product = await uow.session.get(Product, product_id)
    if product is None or not product.active:
        raise InvalidInput("stock.error.unknown_product")
    if minimum < 0 or minimum > MAX_QUANTITY or minimum != minimum.to_integral_value():
        raise InvalidInput("safety.error.minimum", limit=int(MAX_QUANTITY))
    if reorder_to is not None and (reorder_to < minimum or reorder_to > MAX_QUANTITY):
        raise InvalidInput("safety.error.reorder")
    row = await uow.session.scalar(
        select(SafetyStock).where(SafetyStock.dealer_id == dealer.id, SafetyStock.product_id == product.id)
    )
    if row is None:
        row = SafetyStock(dealer_id=dealer.id, product_id=product.id, min_qty=minimum)
        uow.session.add(row)
    row.min_qty, row.reorder_to, row.set_by_id = minimum, reorder_to, actor.user.id
    await uow.session.flush()
    uow.audit(actor, "safety.set", "customer", dealer.id, product=product.id, minimum=str(minimum))
    return row


async def levels(session: AsyncSession, dealer_id: int) -> dict[int, SafetyStock]:
    rows = await session.scalars(select(SafetyStock).where(SafetyStock.dealer_id == dealer_id))
    return {r.product_id: r for r in rows.all()}


async def below_safety(session: AsyncSession, dealer_id: int, counted: Mapping[int, Decimal]) -> list[SafetyStock]:
    """The levels these counts fall under (strictly below the minimum)."""
    if not counted:
        return []
    rows = await session.scalars(
        select(SafetyStock).where(SafetyStock.dealer_id == dealer_id, SafetyStock.product_id.in_(counted)).order_by(SafetyStock.product_id)
    )
    return [r for r in rows.all() if counted[r.product_id] < r.min_qty]


def reorder(level: SafetyStock, quantity: Decimal, factor: Decimal, pack: tuple[str, Decimal] | None) -> Reorder:
    """Order up to `reorder_to` (or minimum × factor); round up to whole packs (B200: 1 箱 = 2 台)."""
    target = level.reorder_to if level.reorder_to is not None else level.min_qty * factor
    gap = max(level.min_qty - quantity, Decimal(0))
    suggest = max(target - quantity, gap)
    if pack is None or pack[1] <= 0:
        return Reorder(gap, suggest.to_integral_value())
    packs = math.ceil(suggest / pack[1])
    return Reorder(gap, pack[1] * packs, packs, pack[0])


async def packs_of(session: AsyncSession, product_ids: list[int]) -> dict[int, tuple[str, Decimal]]:
    """Each product's largest pack unit (the one orders come in)."""
    rows = await session.scalars(select(ProductUnit).where(ProductUnit.product_id.in_(product_ids or [-1])))
    best: dict[int, tuple[str, Decimal]] = {}
    for u in rows.all():
        if u.factor > 1 and (u.product_id not in best or u.factor > best[u.product_id][1]):
            best[u.product_id] = (u.unit, u.factor)
    return best
