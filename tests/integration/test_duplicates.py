"""Duplicate checks use the search matcher: name variants, phone, e-mail."""

from __future__ import annotations

import pytest

from core.models import Customer, CustomerType, Lead, LeadSource, LeadStatus
from core.search.duplicates import find_duplicates
from core.services.customers import refresh_search_text


@pytest.mark.parametrize("with_index", [True, False])
@pytest.mark.parametrize(
    ("company", "phone", "email", "expected"),
    [
        ("恒力机械(苏州)", None, None, {("customer", "hengli", "name")}),
        ("恒力机械（苏州）有限公司", None, None, {("customer", "hengli", "name")}),
        ("苏州恒力机械股份有限公司", None, None, {("customer", "hengli", "name")}),
        ("蘇州恆力機械", None, None, {("customer", "hengli", "name")}),
        ("杭州新辉电气有限公司", "138-1234-5678", None, {("customer", "hengli", "phone"), ("contact", "王建国", "phone")}),
        ("杭州新辉电气有限公司", None, "WANG@hengli.cn", {("contact", "王建国", "email")}),
        ("杭州新辉电气有限公司", "021-99999999", "x@y.cn", set()),
        ("苏州天宇精密", None, None, {("customer", "tianyu", "name")}),
    ],
)
async def test_duplicate_check(container, world, with_index, company, phone, email, expected):
    async with container.sessionmaker() as s:
        found = await find_duplicates(
            s, company=company, phone=phone, email=email, search=container.deps.search if with_index else None
        )
    keys = {(d.kind, _key(world, d), d.reason) for d in found}
    assert keys == expected


def _key(world, duplicate):  # type: ignore[no-untyped-def]
    if duplicate.kind == "customer":
        return next(k for k, c in world.customers.items() if c.id == duplicate.id)
    return duplicate.label


async def test_the_other_way_round_and_leads(container, world):
    """A customer stored as '恒力机械(苏州)' and a lead '恒力机械' are found for '苏州恒力机械有限公司'."""
    async with container.sessionmaker() as s:
        twin = Customer(code="机械-华东-009", name="恒力机械(苏州)", aliases=[], type=CustomerType.END_CUSTOMER,
                        grade_code="normal", search_text="")
        refresh_search_text(twin)
        s.add(twin)
        s.add(Lead(company_name="恒力机械", source=LeadSource.EXHIBITION, status=LeadStatus.NEW))
        await s.commit()
        found = await find_duplicates(s, company="苏州恒力机械有限公司", phone=None, email=None, search=container.deps.search)
    names = {(d.kind, d.label.split(" (")[0]) for d in found}
    assert {("customer", "恒力机械(苏州)"), ("customer", "苏州恒力机械有限公司"), ("lead", "恒力机械")} <= names
