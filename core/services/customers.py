"""Customers: reading with access rules, the 360 view, grades and the next contact date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import follow_up_due, zone
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.events import CustomerChanged, CustomerCreated
from core.models import (
    Contact,
    Customer,
    CustomerGrade,
    CustomerType,
    Lead,
    LeadStatus,
    Task,
    TaskStatus,
    User,
    Visit,
)
from core.permissions import Scope
from core.search.normalize import search_text
from core.uow import Actor, UnitOfWork


async def readable(session: AsyncSession, scope: Scope, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("error.customer_unknown")
    if not scope.can_read_customer(customer):
        raise PermissionDenied("error.customer_not_yours")
    return customer


async def writable(session: AsyncSession, scope: Scope, customer_id: int) -> Customer:
    customer = await readable(session, scope, customer_id)
    if not scope.can_write_customer(customer):
        raise PermissionDenied("error.customer_not_yours")
    return customer


def refresh_search_text(customer: Customer, contacts: list[Contact] | None = None) -> None:
    phones = [customer.phone] + [p for c in contacts or [] for p in (c.phone, c.mobile)]
    customer.search_text = search_text(
        [customer.name, customer.name_en, *(customer.aliases or [])], codes=[customer.code], phones=phones
    )


@dataclass(frozen=True)
class Customer360:
    customer: Customer
    grade: CustomerGrade
    owner: User | None
    contacts: list[Contact]
    visits: list[Visit]
    open_leads: list[Lead]
    open_tasks: list[Task]
    parent: Customer | None
    extras: dict[str, list[str]] = field(default_factory=dict)
    """Sections contributed by other modules (quotes, tickets, stock) as labelled lines."""


async def customer_360(session: AsyncSession, *, scope: Scope, customer_id: int) -> Customer360:
    customer = await readable(session, scope, customer_id)
    grade = await session.get_one(CustomerGrade, customer.grade_code)
    owner = await session.get(User, customer.owner_id) if customer.owner_id else None
    contacts = (
        await session.scalars(
            select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.is_primary.desc(), Contact.id)
        )
    ).all()
    visits = (
        await session.scalars(
            select(Visit).where(Visit.customer_id == customer.id).order_by(Visit.checked_in_at.desc()).limit(3)
        )
    ).all()
    leads = (
        await session.scalars(
            select(Lead).where(
                Lead.customer_id == customer.id, Lead.status.in_([LeadStatus.NEW, LeadStatus.ASSIGNED, LeadStatus.CONTACTED])
            )
        )
    ).all()
    tasks = (
        await session.scalars(
            select(Task).where(Task.customer_id == customer.id, Task.status == TaskStatus.OPEN).order_by(Task.due_at)
        )
    ).all()
    parent = await session.get(Customer, customer.parent_id) if customer.parent_id else None
    return Customer360(customer, grade, owner, list(contacts), list(visits), list(leads), list(tasks), parent)


async def schedule_next_contact(
    session: AsyncSession, customer: Customer, *, contacted_at: datetime, timezone: str
) -> None:
    """After a contact: next one by the grade's rhythm, unless the rep set a date by hand."""
    customer.last_contact_at = contacted_at
    if not customer.next_contact_manual or (customer.next_contact_at and customer.next_contact_at <= contacted_at):
        grade = await session.get_one(CustomerGrade, customer.grade_code)
        customer.next_contact_at = follow_up_due(contacted_at, grade.follow_up_days, zone(timezone))
        customer.next_contact_manual = False


async def change_grade(uow: UnitOfWork, *, actor: Actor, scope: Scope, customer_id: int, grade_code: str, timezone: str) -> Customer:
    customer = await writable(uow.session, scope, customer_id)
    grade = await uow.session.get(CustomerGrade, grade_code)
    if grade is None:
        raise InvalidInput("error.grade_unknown", value=grade_code)
    old = customer.grade_code
    customer.grade_code = grade.code
    if not customer.next_contact_manual and customer.last_contact_at is not None:
        customer.next_contact_at = follow_up_due(customer.last_contact_at, grade.follow_up_days, zone(timezone))
    uow.audit(actor, "customer.grade", "customer", customer.id, old=old, new=grade.code)
    uow.record(CustomerChanged(customer.id))
    return customer


async def set_next_contact(
    uow: UnitOfWork, *, actor: Actor, scope: Scope, customer_id: int, when: datetime
) -> Customer:
    customer = await writable(uow.session, scope, customer_id)
    customer.next_contact_at, customer.next_contact_manual = when, True
    uow.audit(actor, "customer.next_contact", "customer", customer.id, at=when.isoformat())
    return customer


async def next_code(session: AsyncSession, *, industry: str, region: str) -> str:
    """Coding rule: industry-region-serial, e.g. 机械-华东-001."""
    prefix = f"{industry}-{region}-"
    count = await session.scalar(select(func.count()).select_from(Customer).where(Customer.code.startswith(prefix)))
    serial = (count or 0) + 1
    while await session.scalar(select(Customer.id).where(Customer.code == f"{prefix}{serial:03d}")):
        serial += 1
    return f"{prefix}{serial:03d}"


async def create_customer(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    name: str,
    industry: str,
    region: str,
    grade_code: str = "potential",
    owner_id: int | None = None,
    type_: CustomerType = CustomerType.END_CUSTOMER,
    **fields: object,
) -> Customer:
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("error.customer_name")
    customer = Customer(
        code=await next_code(uow.session, industry=industry, region=region),
        name=name,
        industry=industry,
        region=region,
        grade_code=grade_code,
        owner_id=owner_id,
        type=type_,
        **fields,
    )
    refresh_search_text(customer)
    uow.session.add(customer)
    await uow.session.flush()
    uow.audit(actor, "customer.create", "customer", customer.id, code=customer.code)
    uow.record(CustomerCreated(customer.id))
    return customer
