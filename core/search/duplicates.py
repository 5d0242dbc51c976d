"""Duplicate check (查重) over customers, contacts and leads: name variants, phone, email."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Contact, Customer, Lead
from core.search.normalize import compact, digits, fold, strip_legal

PLACE_NAMES = (
    "中国", "江苏", "浙江", "上海", "安徽", "山东", "广东", "北京", "天津", "苏州", "无锡", "常州", "南京",
    "昆山", "太仓", "吴江", "张家港", "常熟", "嘉兴", "杭州", "宁波", "南通", "湖州", "合肥", "嘉定", "松江",
    "青浦", "闵行", "浦东", "宝山", "金山", "奉贤", "suzhou", "shanghai", "wuxi", "kunshan", "changzhou",
)


@dataclass(frozen=True)
class Duplicate:
    kind: str
    """customer, contact or lead."""
    id: int
    label: str
    reason: str
    """name, phone or email: what matched."""


def name_key(name: str) -> str:
    """The distinctive part of a company name: legal suffix and place names dropped."""
    key = compact(strip_legal(name))
    for place in PLACE_NAMES:
        key = key.replace(place, "")
    return key


def similar_names(a: str, b: str) -> bool:
    ka, kb = name_key(a), name_key(b)
    if len(ka) < 2 or len(kb) < 2:
        return compact(a) == compact(b)
    return ka == kb or fuzz.ratio(ka, kb) >= 85 or (min(len(ka), len(kb)) >= 3 and (ka in kb or kb in ka))


async def find_duplicates(
    session: AsyncSession, *, company: str | None, person: str | None = None, phone: str | None, email: str | None
) -> list[Duplicate]:
    found: dict[tuple[str, int], Duplicate] = {}
    phone_digits = digits(phone)[-11:] if phone else ""
    email_key = fold(email) if email else ""
    if company:
        key = name_key(company)
        probe = key[:2] if len(key) >= 2 else compact(company)
        stmt = select(Customer).where(Customer.search_text.contains(probe)).limit(500)
        for c in (await session.scalars(stmt)).all():
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
