"""The demo pipeline: every opportunity stage, every quote status, approvals waiting for manager and director."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import make_engine, make_sessionmaker
from core.demo.generate import load_demo
from core.models import (
    Base,
    Customer,
    CustomerType,
    Opportunity,
    OpportunityStage,
    Order,
    Quote,
    QuoteStatus,
    User,
)
from core.services.approvals import pending_for


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


async def test_every_stage_and_every_status(session: AsyncSession) -> None:
    stages = set((await session.scalars(select(Opportunity.stage))).all())
    assert stages == set(OpportunityStage)
    statuses = set((await session.scalars(select(Quote.status))).all())
    assert statuses == set(QuoteStatus)
    # the dealers' sell-in orders (core/demo/dealers.py) aside, one quote went all the way to an order
    sellers = Customer.type != CustomerType.DEALER
    ordered = (await session.scalars(select(Quote).join(Customer).where(Quote.status == QuoteStatus.ORDERED, sellers))).one()
    assert (await session.scalars(select(Order).join(Customer).where(sellers))).one().total == ordered.total


async def test_approvals_wait_for_the_manager_and_the_director(session: AsyncSession) -> None:
    users = {u.login: u for u in (await session.scalars(select(User))).all()}
    today = (await session.scalar(select(Quote.updated_at).limit(1))).date()
    mine = await pending_for(session, users["manager"], today)
    quotes = [await session.get_one(Quote, s.quote_id) for s in mine]
    assert len(quotes) >= 3
    assert any(q.total > 100000 for q in quotes)
    assert any(q.max_discount_pct >= Decimal(20) for q in quotes)
    theirs = await pending_for(session, users["director"], today)
    assert len(theirs) == 1 and theirs[0].position == 2
    assert all(q.cost_total is not None for q in quotes)
