"""The public pool (公海): list, claim with a per-rep cap, release."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.events import CustomerChanged, CustomerClaimed, CustomerReleased
from core.models import Customer, Role, User, utcnow
from core.permissions import Scope
from core.services.customers import schedule_next_contact
from core.uow import Actor, UnitOfWork

CLAIMERS = {Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN}


async def pool_regions(session: AsyncSession) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(Customer.region, func.count())
        .where(Customer.owner_id.is_(None), Customer.region.is_not(None))
        .group_by(Customer.region)
        .order_by(func.count().desc())
    )
    return [(region, n) for region, n in rows.all() if region]


async def pool_by_region(session: AsyncSession, *, region: str, limit: int = 10, offset: int = 0) -> list[Customer]:
    rows = await session.scalars(
        select(Customer)
        .where(Customer.owner_id.is_(None), Customer.region == region)
        .order_by(Customer.released_at.desc().nulls_last(), Customer.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows.all())


async def owned_count(session: AsyncSession, user_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(Customer).where(Customer.owner_id == user_id)) or 0)


async def claim(uow: UnitOfWork, *, actor: Actor, customer_id: int, cap: int, timezone: str) -> Customer:
    if actor.user.role not in CLAIMERS:
        raise PermissionDenied()
    if await owned_count(uow.session, actor.user.id) >= cap:
        raise InvalidInput("error.pool_cap", cap=cap)
    now = utcnow()
    # Only one of two reps claiming at the same moment gets the customer.
    result = await uow.session.execute(
        update(Customer)
        .where(Customer.id == customer_id, Customer.owner_id.is_(None))
        .values(owner_id=actor.user.id, claimed_at=now)
        .returning(Customer.id)
    )
    if result.first() is None:
        customer = await uow.session.get(Customer, customer_id)
        if customer is None:
            raise NotFound("error.customer_unknown")
        owner = await uow.session.get(User, customer.owner_id) if customer.owner_id else None
        raise Conflict("error.already_claimed", owner=owner.name if owner else "?")
    customer = await uow.session.get_one(Customer, customer_id, populate_existing=True)
    await schedule_next_contact(uow.session, customer, contacted_at=now, timezone=timezone)
    customer.last_contact_at = None if customer.last_contact_at == now else customer.last_contact_at
    uow.audit(actor, "pool.claim", "customer", customer.id)
    uow.record(CustomerClaimed(customer.id, actor.user.id))
    uow.record(CustomerChanged(customer.id))
    return customer


async def release(uow: UnitOfWork, *, actor: Actor, scope: Scope, customer_id: int) -> Customer:
    customer = await uow.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("error.customer_unknown")
    if customer.owner_id is None:
        raise InvalidInput("error.already_in_pool")
    if not scope.can_write_customer(customer):
        raise PermissionDenied("error.customer_not_yours")
    previous = customer.owner_id
    customer.owner_id, customer.released_at, customer.released_by_id = None, utcnow(), actor.user.id
    customer.next_contact_at, customer.next_contact_manual = None, False
    uow.audit(actor, "pool.release", "customer", customer.id, previous_owner=previous)
    uow.record(CustomerReleased(customer.id, previous, actor.user.id))
    uow.record(CustomerChanged(customer.id))
    return customer
