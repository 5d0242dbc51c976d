"""Another worker, in its own process and with its own engine and index, changing customers:
run as `python -m tests.support.search_writer <database url>`; prints what its own index sees."""

from __future__ import annotations

import asyncio
import json
import sys

from sqlalchemy import select

from core.db import make_engine, make_sessionmaker
from core.models import Contact, Customer, User
from core.permissions import scope_for
from core.search.indexed import IndexedSearch
from core.services.customers import create_customer, refresh_search_text
from core.uow import UnitOfWork


async def main(url: str) -> None:
    engine = make_engine(url)
    search = IndexedSearch(engine)
    await search.warm(prune=False)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as s:
        hengli = (await s.scalars(select(Customer).where(Customer.code == "机械-华东-001"))).one()
        hengli.name = "苏州恒远重工有限公司"
        refresh_search_text(hengli, list((await s.scalars(select(Contact).where(Contact.customer_id == hengli.id))).all()))
        tianyu = (await s.scalars(select(Customer).where(Customer.code == "精密-华东-002"))).one()
        tianyu.owner_id = (await s.scalars(select(User.id).where(User.login == "rep2"))).one()
        await s.delete((await s.scalars(select(Customer).where(Customer.code == "机械-华东-002"))).one())
        await s.commit()
    async with UnitOfWork(sessionmaker) as uow:
        await create_customer(uow, actor=None, name="无锡新辉电气有限公司", industry="电气", region="华东", lat=31.32, lon=120.72)
        await uow.commit()
    async with sessionmaker() as s:
        admin = await scope_for(s, (await s.scalars(select(User).where(User.login == "admin"))).one())
        seen = {q: [h.customer.name for h in await search.search(s, scope=admin, query=q)] for q in ("新辉", "恒远", "远航")}
    print(json.dumps(seen, ensure_ascii=False))
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
