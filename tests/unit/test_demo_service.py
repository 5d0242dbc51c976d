"""The demo's service data: the engineer has open tickets, every status is there, some are close to their
SLA, the manager has tickets to dispatch, and one telemetry series trends towards its threshold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import make_engine, make_sessionmaker
from core.demo.generate import load_demo
from core.models import (
    OPEN_TICKET_STATUSES,
    Base,
    EngineerProfile,
    Equipment,
    PartStock,
    ServiceRating,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from core.services.maintenance import trends


@pytest.fixture(scope="module")
async def demo() -> AsyncIterator[tuple[AsyncSession, object]]:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    maker = make_sessionmaker(engine)
    async with maker() as s:
        assert await load_demo(s) is True
        await s.commit()
        yield s, maker
    await engine.dispose()


async def test_every_status_and_the_engineers_open_tickets(demo) -> None:
    session, _ = demo
    statuses = set((await session.scalars(select(Ticket.status))).all())
    assert statuses == set(TicketStatus)
    engineer = await session.scalar(select(User).where(User.login == "engineer"))
    mine = (await session.scalars(select(Ticket).where(Ticket.assignee_id == engineer.id, Ticket.status.in_(OPEN_TICKET_STATUSES)))).all()
    assert len(mine) >= 5
    soon = [t for t in mine if t.accepted_at is None and t.respond_by - utcnow() < timedelta(hours=1)]
    assert soon, "one ticket is about to breach its response SLA"
    assert await session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == TicketStatus.NEW)) >= 2
    assert await session.scalar(select(func.count()).select_from(EngineerProfile)) == 4
    assert await session.scalar(select(func.count()).select_from(ServiceRating)) >= 2
    assert await session.scalar(select(func.count()).select_from(Equipment)) >= 12
    assert await session.scalar(select(func.sum(PartStock.reserved))) == 1


async def test_one_series_trends_to_its_threshold(demo) -> None:
    session, _ = demo
    found = await trends(SimpleNamespace(session=session), now=utcnow(), horizon_days=30)  # type: ignore[arg-type]
    assert [(t.metric, t.threshold) for t in found] == [("vibration", 7.1)]
    assert 5 < found[0].days_left < 30
