"""Duplicate check (查重) over customers, contacts and leads: name variants, phone, email."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Contact, Customer, Lead
from core.search import CustomerSearch
from core.search.lexicon import PLACE_NAMES
from core.search.normalize import compact, digits, fold, name_key

__all__ = ["PLACE_NAMES", "Duplicate", "find_duplicates", "name_key", "similar_names"]


@dataclass(frozen=True)
class Duplicate:
    kind: str
    """customer, contact or lead."""
    id: int
    label: str
    reason: str
    """name, phone or email: what matched."""


def similar_names(a: str, b: str) -> bool:
    ka, kb = name_key(a), name_key(b)
    if len(ka) < 2 or len(kb) < 2:
        return compact(a) == compact(b)
    return ka == kb or fuzz.ratio(ka, kb) >= 85 or (min(len(ka), len(kb)) >= 3 and (ka in kb or kb in ka))


async def _customer_candidates(
    session: AsyncSession, search: CustomerSearch | None, company: str
) -> list[Customer]:
    """Customers worth comparing by name: from the shared index when there is one (it scales),
    else by a LIKE on the distinctive part of the name."""
    if search is not None:
        found = await search.similar_customers(session, query=company, limit=30)
        key = name_key(company)
        if len(key) >= 2:
            found += await search.similar_customers(session, query=key, limit=30)
        return list({c.id: c for c in found}.values())
    key = name_key(company)
    probe = key[:2] if len(key) >= 2 else compact(company)
    return list((await session.scalars(select(Customer).where(Customer.search_text.contains(probe)).limit(500))).all())


async def find_duplicates(
    session: AsyncSession,
    *,
    company: str | None,
    person: str | None = None,
    phone: str | None,
    email: str | None,
    search: CustomerSearch | None = None,
) -> list[Duplicate]:
    """Likely duplicates of a new customer, contact or lead: the same matcher as search
    (name variants with legal suffix and place words dropped), the same phone, the same e-mail."""
    found: dict[tuple[str, int], Duplicate] = {}
    phone_digits = digits(phone)[-11:] if phone else ""
    email_key = fold(email) if email else ""
    if company:
        key = name_key(company)
        probe = key[:2] if len(key) >= 2 else compact(company)
        for c in await _customer_candidates(session, search, company):
            if similar_names(company, c.name) or any(similar_names(company, a) for a in c.aliases or []):
                found[("customer", c.id)] = Duplicate("customer", c.id, f"{c.name} ({c.code})", "name")
        for lead in (await session.scalars(select(Lead).where(Lead.company_name.contains(probe)).limit(200))).all():
            if similar_names(company, lead.company_name):
                found[("lead", lead.id)] = Duplicate("lead", lead.id, lead.company_name, "name")
    if len(phone_digits) >= 7:
        contacts = select(Contact).where(
            or_(Contact.phone.contains(phone_digits[-8:]), Contact.mobile.contains(phone_digits[-8:]))
        )
        for ct in (await session.scalars(contacts.limit(50))).all():
            if phone_digits in digits(ct.mobile) + " " + digits(ct.phone):
                found.setdefault(("contact", ct.id), Duplicate("contact", ct.id, ct.name, "phone"))
        customers = select(Customer).where(Customer.search_text.contains(phone_digits))
        for c in (await session.scalars(customers.limit(50))).all():
            found.setdefault(("customer", c.id), Duplicate("customer", c.id, f"{c.name} ({c.code})", "phone"))
        leads = select(Lead).where(Lead.phone.contains(phone_digits[-8:]))
        for lead in (await session.scalars(leads.limit(50))).all():
            if phone_digits in digits(lead.phone):
                found.setdefault(("lead", lead.id), Duplicate("lead", lead.id, lead.company_name, "phone"))
    if email_key:
        for ct in (await session.scalars(select(Contact).where(Contact.email == email_key).limit(20))).all():
            found.setdefault(("contact", ct.id), Duplicate("contact", ct.id, ct.name, "email"))
        for lead in (await session.scalars(select(Lead).where(Lead.email == email_key).limit(20))).all():
            found.setdefault(("lead", lead.id), Duplicate("lead", lead.id, lead.company_name, "email"))
    return list(found.values())
