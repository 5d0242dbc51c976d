"""Who may see which dealer: a dealer user its own company, a channel manager the dealers they manage.

A dealer is a customer of type dealer; its channel manager is the customer's owner, and
the usual customer scope applies (a manager sees the team's dealers, directors, admins
and finance every dealer).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound, PermissionDenied
from core.models import Customer, CustomerType, DealerProduct, Role, User
from core.permissions import Scope


async def own_dealer(session: AsyncSession, user: User) -> Customer:
    """The dealer company a dealer user belongs to."""
    if user.role != Role.DEALER or user.dealer_customer_id is None:
        raise PermissionDenied("dealer.error.not_dealer")
    dealer = await session.get(Customer, user.dealer_customer_id)
    if dealer is None or dealer.type != CustomerType.DEALER:
        raise NotFound("dealer.error.no_company")
    return dealer


async def readable_dealer(session: AsyncSession, scope: Scope, dealer_id: int) -> Customer:
    dealer = await session.get(Customer, dealer_id)
    if dealer is None or dealer.type != CustomerType.DEALER:
        raise NotFound("dealer.error.unknown")
    if not scope.can_read_customer(dealer):
        raise PermissionDenied("dealer.error.not_yours")
    return dealer


async def managed_dealer(session: AsyncSession, scope: Scope, dealer_id: int) -> Customer:
    """A dealer the user manages (sets its safety stock and targets): its owner, their superiors, admins."""
    dealer = await readable_dealer(session, scope, dealer_id)
    if scope.role == Role.DEALER or not scope.can_write_customer(dealer):
        raise PermissionDenied("dealer.error.not_manager")
    return dealer


async def visible_dealers(session: AsyncSession, scope: Scope) -> list[Customer]:
    stmt = (
        select(Customer)
        .where(Customer.type == CustomerType.DEALER, scope.customer_filter())
        .order_by(Customer.region, Customer.name)
    )
    return list((await session.scalars(stmt)).all())


async def dealer_users(session: AsyncSession, dealer_id: int) -> list[int]:
    rows = await session.scalars(
        select(User.id).where(User.dealer_customer_id == dealer_id, User.role == Role.DEALER, User.active.is_(True))
    )
    return list(rows.all())


async def carried(session: AsyncSession, dealer_id: int) -> frozenset[int]:
    """The dealer's assortment; empty: it may report any active product."""
    rows = await session.scalars(select(DealerProduct.product_id).where(DealerProduct.dealer_id == dealer_id))
    return frozenset(rows.all())
