"""Customers: reading with access rules, the 360 view, grades and the next contact date."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import follow_up_due, zone
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.events import CustomerChanged, CustomerCreated
from core.models import (
    Contact,
    Customer,
    CustomerGrade,
    CustomerType,
    Equipment,
    Lead,
    LeadStatus,
    Opportunity,
    Quote,
    ServiceRating,
    Task,
    TaskStatus,
    Ticket,
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
class History:
    """Which kinds of record a customer has at all (in any status, anyone's): one statement
    tells the 360 which of its section queries would come back empty, so they are not run."""

    contacts: bool = True
    visits: bool = True
    leads: bool = True
    tasks: bool = True
    equipment: bool = True
    tickets: bool = True
    ratings: bool = True
    opportunities: bool = True
    quotes: bool = True


_HISTORY_KEYS = {
    "contacts": Contact.customer_id, "visits": Visit.customer_id, "leads": Lead.customer_id, "tasks": Task.customer_id,
    "equipment": Equipment.customer_id, "tickets": Ticket.customer_id, "ratings": ServiceRating.customer_id,
    "opportunities": Opportunity.customer_id, "quotes": Quote.customer_id,
}
assert set(_HISTORY_KEYS) == {f.name for f in fields(History)}
_HISTORY = select(*(exists().where(key == bindparam("c")).label(name) for name, key in _HISTORY_KEYS.items()))
"""Built once; each EXISTS stops at the first row of an indexed customer_id."""


async def history(session: AsyncSession, customer_id: int) -> History:
    row = (await session.execute(_HISTORY, {"c": customer_id})).one()
    return History(**{name: bool(value) for name, value in row._mapping.items()})


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
    has: History = History()
    """What else the customer has, for the sections other modules add (quotes, tickets)."""
    extras: dict[str, list[str]] = field(default_factory=dict)
    """Sections contributed by other modules (quotes, tickets, stock) as labelled lines."""


async def customer_360(session: AsyncSession, *, scope: Scope, customer_id: int) -> Customer360:
    customer = await readable(session, scope, customer_id)
    has = await history(session, customer.id)
    grade = await session.get_one(CustomerGrade, customer.grade_code)
    owner = await session.get(User, customer.owner_id) if customer.owner_id else None
    contacts = (await session.scalars(_CONTACTS, {"c": customer.id})).all() if has.contacts else ()
    visits = (await session.scalars(_LAST_VISITS, {"c": customer.id})).all() if has.visits else ()
    leads = (await session.scalars(_OPEN_LEADS, {"c": customer.id})).all() if has.leads else ()
    tasks = (await session.scalars(_OPEN_TASKS, {"c": customer.id})).all() if has.tasks else ()
    parent = await session.get(Customer, customer.parent_id) if customer.parent_id else None
    return Customer360(customer, grade, owner, list(contacts), list(visits), list(leads), list(tasks), parent, has)


_CONTACTS = select(Contact).where(Contact.customer_id == bindparam("c")).order_by(Contact.is_primary.desc(), Contact.id)
_LAST_VISITS = select(Visit).where(Visit.customer_id == bindparam("c")).order_by(Visit.checked_in_at.desc()).limit(3)
_OPEN_LEADS = select(Lead).where(
    Lead.customer_id == bindparam("c"), Lead.status.in_([LeadStatus.NEW, LeadStatus.ASSIGNED, LeadStatus.CONTACTED])
)
_OPEN_TASKS = select(Task).where(Task.customer_id == bindparam("c"), Task.status == TaskStatus.OPEN).order_by(Task.due_at)
"""The 360's sections, built once (a lookup runs them all)."""


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
