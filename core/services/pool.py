"""The public pool (公海): list, claim with a per-rep cap and a re-claim cooldown, release, recycle idle customers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import zone
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.events import CustomerChanged, CustomerClaimed, CustomerReleased
from core.models import Customer, CustomerGrade, Role, User, utcnow
from core.models.base import UTCDateTime
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


async def claim(
    uow: UnitOfWork, *, actor: Actor, customer_id: int, cap: int, timezone: str, cooldown_days: int = 0
) -> Customer:
    """Take a pool customer; `cooldown_days` keeps its previous owner from taking it straight back."""
    if actor.user.role not in CLAIMERS:
        raise PermissionDenied()
    if await owned_count(uow.session, actor.user.id) >= cap:
        raise InvalidInput("error.pool_cap", cap=cap)
    now = utcnow()
    await _check_cooldown(uow.session, actor.user.id, customer_id, now, cooldown_days, timezone)
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
    customer.released_from_id = previous
    customer.next_contact_at, customer.next_contact_manual = None, False
    uow.audit(actor, "pool.release", "customer", customer.id, previous_owner=previous)
    uow.record(CustomerReleased(customer.id, previous, actor.user.id))
    uow.record(CustomerChanged(customer.id))
    return customer


async def _check_cooldown(
    session: AsyncSession, user_id: int, customer_id: int, now: datetime, days: int, timezone: str
) -> None:
    if days <= 0:
        return
    row = (await session.execute(
        select(Customer.name, Customer.released_at).where(Customer.id == customer_id, Customer.released_from_id == user_id)
    )).first()
    if row is None or row.released_at is None:
        return
    until = row.released_at + timedelta(days=days)
    if until > now:
        raise InvalidInput("pool.error.cooldown", name=row.name, days=days, until=until.astimezone(zone(timezone)).strftime("%Y-%m-%d %H:%M"))


def last_touch() -> ColumnElement[datetime]:
    """The later of the last contact and the claim (the creation time when neither happened)."""
    later = case(
        (Customer.claimed_at > Customer.last_contact_at, Customer.claimed_at),
        else_=func.coalesce(Customer.last_contact_at, Customer.claimed_at),
    )
    return type_coerce(func.coalesce(later, Customer.created_at), UTCDateTime())


@dataclass(frozen=True)
class IdleCustomer:
    """An owned customer nobody has contacted for a while, and when it returns to the pool."""

    customer_id: int
    name: str
    owner_id: int
    grade_code: str
    recycle_at: datetime


async def grades(session: AsyncSession) -> list[CustomerGrade]:
    return list((await session.scalars(select(CustomerGrade).order_by(CustomerGrade.code))).all())


async def idle_between(
    session: AsyncSession, *, grade: CustomerGrade, start: datetime | None, end: datetime, after_id: int = 0,
    limit: int = 1000,
) -> list[IdleCustomer]:
    """Owned customers of a grade whose recycle moment falls in (start, end] (start None: any time up to end)."""
    span = timedelta(days=grade.recycle_days)
    touch = last_touch()
    rows = await session.execute(
        select(Customer.id, Customer.name, Customer.owner_id, touch.label("touch"))
        .where(
            Customer.owner_id.is_not(None), Customer.grade_code == grade.code, Customer.id > after_id,
            touch <= end - span, *([touch > start - span] if start is not None else []),
        )
        .order_by(Customer.id)
        .limit(limit)
    )
    return [IdleCustomer(r.id, r.name, r.owner_id, grade.code, r.touch + span) for r in rows.all()]


async def recycle_idle(
    uow: UnitOfWork, *, now: datetime, grade: CustomerGrade, ids: Collection[int]
) -> list[tuple[int, int]]:
    """Return these customers to the pool if they are still idle beyond their grade's limit.

    Returns (customer, previous owner) pairs. The update re-checks ownership and idleness,
    so two sweeps at once recycle each customer once, and a contact logged meanwhile wins.
    """
    if not ids:
        return []
    cutoff = now - timedelta(days=grade.recycle_days)
    touch = last_touch()
    result = await uow.session.execute(
        update(Customer)
        .where(Customer.id.in_(ids), Customer.owner_id.is_not(None), Customer.grade_code == grade.code, touch <= cutoff)
        .values(
            released_from_id=Customer.owner_id, owner_id=None, released_at=now, released_by_id=None,
            next_contact_at=None, next_contact_manual=False,
        )
        .returning(Customer.id, Customer.released_from_id)
        .execution_options(synchronize_session=False)
    )
    recycled = [(cid, prev) for cid, prev in result.all() if prev is not None]
    for cid, prev in recycled:
        uow.audit(None, "pool.recycle", "customer", cid, previous_owner=prev, idle_days=grade.recycle_days)
        uow.record(CustomerReleased(cid, prev, None))
        uow.record(CustomerChanged(cid))
    return recycled
