"""Access rules: who may see and change which customers, leads and visits.

A rep sees own customers plus the pool, a manager the team's, a director and admin
everything; finance and engineers read every customer but change none; a dealer sees
only its own company.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import PermissionDenied
from core.models import Customer, Lead, Role, User

SEE_ALL = {Role.DIRECTOR, Role.ADMIN}
READ_ALL = SEE_ALL | {Role.FINANCE, Role.ENGINEER}
SELLERS = {Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN}


async def team_ids(session: AsyncSession, user: User) -> frozenset[int]:
    """The user and everyone reporting to them, directly or not."""
    rows = (await session.execute(select(User.id, User.manager_id))).all()
    children: dict[int | None, list[int]] = {}
    for uid, mid in rows:
        children.setdefault(mid, []).append(uid)
    found, stack = {user.id}, [user.id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


@dataclass(frozen=True)
class Scope:
    """What one user may see and change, resolved once per turn."""

    user: User
    team: frozenset[int]

    @property
    def role(self) -> Role:
        return self.user.role

    def customer_filter(self) -> ColumnElement[bool]:
        if self.role in READ_ALL:
            return true()
        if self.role == Role.DEALER:
            if self.user.dealer_customer_id is None:
                return false()
            return or_(
                Customer.id == self.user.dealer_customer_id, Customer.parent_id == self.user.dealer_customer_id
            )
        return or_(Customer.owner_id.in_(self.team), Customer.owner_id.is_(None))

    def can_read_customer(self, customer: Customer) -> bool:
        if self.role in READ_ALL:
            return True
        if self.role == Role.DEALER:
            dealer = self.user.dealer_customer_id
            return dealer is not None and dealer in (customer.id, customer.parent_id)
        return customer.owner_id is None or customer.owner_id in self.team

    def can_write_customer(self, customer: Customer) -> bool:
        if self.role in SEE_ALL:
            return True
        if self.role in (Role.REP, Role.MANAGER):
            return customer.owner_id is not None and customer.owner_id in self.team
        return False

    def can_log_contact(self, customer: Customer) -> bool:
        """Reps and managers log visits at customers they may see (pool ones included)."""
        return self.role in SELLERS and self.can_read_customer(customer)

    def lead_filter(self) -> ColumnElement[bool]:
        if self.role in SEE_ALL:
            return true()
        if self.role in (Role.REP, Role.MANAGER):
            return or_(Lead.assignee_id.in_(self.team), Lead.created_by_id.in_(self.team))
        return and_(Lead.created_by_id == self.user.id)

    def can_read_lead(self, lead: Lead) -> bool:
        if self.role in SEE_ALL:
            return True
        if self.role in (Role.REP, Role.MANAGER):
            return lead.assignee_id in self.team or lead.created_by_id in self.team
        return lead.created_by_id == self.user.id

    def can_create_lead(self) -> bool:
        return self.role in SELLERS or self.role in (Role.ENGINEER, Role.DEALER)

    def can_assign(self) -> bool:
        return self.role in (Role.MANAGER, Role.DIRECTOR, Role.ADMIN)

    def can_read_user_records(self, owner_id: int) -> bool:
        """Visits, contact records and tasks of a user: the user, their superiors, and admins."""
        return self.role in SEE_ALL or owner_id in self.team

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied()


async def scope_for(session: AsyncSession, user: User) -> Scope:
    team = await team_ids(session, user) if user.role == Role.MANAGER else frozenset({user.id})
    return Scope(user=user, team=team)
