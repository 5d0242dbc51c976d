"""The demo data generator: complete, consistent, deterministic and loaded only once."""

from __future__ import annotations

import csv
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import make_engine, make_sessionmaker
from core.demo.generate import load_demo
from core.models import (
    Base,
    Contact,
    ContactRecord,
    Customer,
    Lead,
    Product,
    ProductOption,
    ProductUnit,
    Role,
    Task,
    TaskStatus,
    User,
    Visit,
)

CSV_PATH = Path(__file__).parents[2] / "core" / "demo" / "products.csv"
LOGINS = {
    "rep": Role.REP, "rep2": Role.REP, "manager": Role.MANAGER, "director": Role.DIRECTOR,
    "engineer": Role.ENGINEER, "dealer": Role.DEALER, "finance": Role.FINANCE, "admin": Role.ADMIN,
}
CODE = re.compile(r"^(?P<prefix>[\u4e00-\u9fff]+-(华东|华北|华南))-(?P<serial>\d{3})$")


@pytest.fixture(scope="module")
async def session() -> AsyncIterator[AsyncSession]:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with make_sessionmaker(engine)() as s:
        assert await load_demo(s) is True
        await s.commit()
        yield s
    await engine.dispose()


async def names_in_order() -> list[str]:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with make_sessionmaker(engine)() as s:
        await load_demo(s, seed=7)
        names = list((await s.scalars(select(Customer.name).order_by(Customer.id))).all())
    await engine.dispose()
    return names


async def test_second_load_does_nothing(session: AsyncSession) -> None:
    before = await session.scalar(select(func.count()).select_from(Customer))
    assert await load_demo(session) is False
    assert await session.scalar(select(func.count()).select_from(Customer)) == before


async def test_demo_logins_and_roles(session: AsyncSession) -> None:
    users = {u.login: u for u in (await session.scalars(select(User))).all()}
    for login, role in LOGINS.items():
        assert users[login].role == role
        assert users[login].email == f"{login}@hengtai-demo.cn"
        assert users[login].locale is None
    assert users["rep"].name == "张伟" and users["rep"].manager_id == users["manager"].id
    assert users["manager"].manager_id == users["director"].id
    dealer_customer = await session.get_one(Customer, users["dealer"].dealer_customer_id)
    assert dealer_customer.name == "苏州联众泵阀贸易有限公司" and dealer_customer.owner_id == users["rep"].id


async def test_every_csv_product_with_units_and_options(session: AsyncSession) -> None:
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    products = {p.sku: p for p in (await session.scalars(select(Product))).all()}
    assert len(products) >= len(rows) + 25
    for row in rows:
        product = products[row["sku"]]
        assert product.name_zh == row["name_zh"] and product.base_price == Decimal(row["base_price_cny"])
        assert row["sku"].lower() in product.search_text
        units = (await session.scalars(select(ProductUnit).where(ProductUnit.product_id == product.id))).all()
        assert [(u.unit, u.factor) for u in units] == (
            [(row["pack_unit"], Decimal(row["pack_size"]))] if row["pack_unit"] else []
        )
        options = (await session.scalars(select(ProductOption).where(ProductOption.product_id == product.id))).all()
        expected = [o.rsplit(":", 1) for o in row["options"].split(";") if o]
        assert sorted((o.name, o.price_delta) for o in options) == sorted((n, Decimal(d)) for n, d in expected)


async def test_customers_codes_pool_and_locations(session: AsyncSession) -> None:
    customers = (await session.scalars(select(Customer).order_by(Customer.id))).all()
    assert len(customers) >= 250
    assert sum(c.owner_id is None for c in customers) >= 60
    assert len({c.code for c in customers}) == len(customers)
    assert len({c.name for c in customers}) == len(customers)
    serials: dict[str, list[int]] = {}
    for c in customers:
        match = CODE.match(c.code)
        assert match, c.code
        assert match["prefix"] == f"{c.industry}-{c.region}"
        serials.setdefault(match["prefix"], []).append(int(match["serial"]))
        assert c.lat is not None and c.lon is not None and c.search_text
        assert (c.owner_id is None) == (c.next_contact_at is None)
    assert all(s == list(range(1, len(s) + 1)) for s in serials.values())


async def test_fixed_customers(session: AsyncSession) -> None:
    rep = await session.scalar(select(User).where(User.login == "rep"))
    rep2 = await session.scalar(select(User).where(User.login == "rep2"))
    assert rep is not None and rep2 is not None
    hengli = await session.scalar(select(Customer).where(Customer.name == "苏州恒力机械有限公司"))
    assert hengli is not None and hengli.owner_id == rep.id and hengli.grade_code == "key"
    assert hengli.lat is not None and abs(hengli.lat - 31.3236) < 0.01 and hengli.lon is not None
    assert abs(hengli.lon - 120.7260) < 0.01
    phones = (await session.scalars(select(Contact.mobile).where(Contact.customer_id == hengli.id))).all()
    assert "13812345678" in phones and "13812345678" in hengli.search_text
    for name, owner in (("上海宝钢精密制造有限公司", rep2), ("恒力机械(昆山)有限公司", rep2)):
        customer = await session.scalar(select(Customer).where(Customer.name == name))
        assert customer is not None and customer.owner_id == owner.id


async def test_activity(session: AsyncSession) -> None:
    rep = await session.scalar(select(User).where(User.login == "rep"))
    assert rep is not None
    for model, least in ((Visit, 50), (ContactRecord, 50), (Lead, 20)):
        assert (await session.scalar(select(func.count()).select_from(model)) or 0) >= least
    open_tasks = (await session.scalars(select(Task).where(Task.user_id == rep.id, Task.status == TaskStatus.OPEN))).all()
    assert 3 <= len(open_tasks) <= 5
    visits = (await session.scalars(select(Visit))).all()
    assert all(v.checked_out_at is not None and v.checked_out_at > v.checked_in_at for v in visits)
    assert any(v.inside_fence for v in visits) and any(not v.inside_fence for v in visits)


async def test_deterministic() -> None:
    first, second = await names_in_order(), await names_in_order()
    assert first == second and len(first) >= 250
