"""Turning ranked index slots into hits: rows loaded in the caller's session, access rules
checked on each row, exact distances, and stale slots dropped (the row is gone)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.geo import Point, distance_m
from core.models import Customer, User
from core.permissions import Scope
from core.search import CustomerHit

if TYPE_CHECKING:
    from core.search.indexed import IndexedSearch

Row = TypeVar("Row")
_WITH_OWNER = (
    select(Customer, User.name)
    .outerjoin(User, User.id == Customer.owner_id)
    .where(Customer.id.in_(bindparam("ids", expanding=True)))
)
"""Built once: every search and every nearby list loads its hits with it."""
SPARE = 4
"""Extra rows loaded in case some ranked slots point at rows deleted a moment ago."""


async def load(session: AsyncSession, model: type[Row], ids: list[int]) -> dict[int, Row]:
    if not ids:
        return {}
    entity: Any = model
    rows = (await session.scalars(select(entity).where(entity.id.in_(ids)))).all()
    return {row.id: row for row in rows}


async def owner_names(session: AsyncSession, ids: set[int | None]) -> dict[int | None, str]:
    ids.discard(None)
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {uid: name for uid, name in rows.all()}


async def customer_hits(
    search: IndexedSearch,
    session: AsyncSession,
    scope: Scope,
    ranked: list[tuple[int, float, str | None]],
    *,
    limit: int,
    near: Point | None,
    known: dict[int, float] | None = None,
) -> list[CustomerHit]:
    """`known`: exact distances already computed per slot (nearby), reused when the row has not moved."""
    ix = search.customers.index
    head = ranked[: limit + SPARE]
    ids = [int(ix.cols["entity"][slot]) for slot, _, _ in head]
    rows: dict[int, Customer] = {}
    owners: dict[int | None, str] = {}
    if ids:
        for row, owner_name in (await session.execute(_WITH_OWNER, {"ids": ids})).all():
            rows[row.id] = row
            owners[row.owner_id] = owner_name
    hits: list[CustomerHit] = []
    for slot, score, via in head:
        customer = rows.get(int(ix.cols["entity"][slot]))
        if customer is None:
            ix.remove(int(ix.cols["entity"][slot]))
            continue
        visible = scope.can_read_customer(customer)
        far = None
        if near is not None and customer.lat is not None and customer.lon is not None:
            same_place = customer.lat == ix.cols["lat"][slot] and customer.lon == ix.cols["lon"][slot]
            far = known[slot] if known and slot in known and same_place else distance_m(near, Point(customer.lat, customer.lon))
        owner = owners.get(customer.owner_id) if customer.owner_id else None
        hits.append(CustomerHit(customer, score, visible, owner, far, via if visible else None))
        if len(hits) == limit:
            break
    return hits
