"""Approvals waiting too long, on a frozen clock: a reminder after 24 working hours, then the superior."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from core.events import EventBus
from core.models import ApprovalStep, utcnow
from core.quote_events import ApprovalEscalated, ApprovalReminderDue
from core.services.approval_escalation import policy_from, sweep
from core.uow import UnitOfWork
from core.workhours import working_hours_between
from tests.support.catalog import add_catalog
from tests.support.quotes import submitted_quote

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


async def run_sweep(container):
    bus, seen = EventBus(), []

    async def remember(_session, event):
        seen.append(event)

    bus.subscribe(ApprovalReminderDue, remember)
    bus.subscribe(ApprovalEscalated, remember)
    async with UnitOfWork(container.sessionmaker, bus) as uow:
        done = await sweep(uow, now=utcnow(), policy=policy_from(container.settings))
        await uow.commit()
    return done, seen


def test_working_hours_skip_nights_and_weekends():
    friday_17 = datetime(2026, 11, 27, 17, 0, tzinfo=SH)
    assert working_hours_between(friday_17, datetime(2026, 11, 30, 10, 0, tzinfo=SH), SH, 9, 18) == 2.0
    assert working_hours_between(MONDAY_10, datetime(2026, 11, 25, 16, 0, tzinfo=SH), SH, 9, 18) == 24.0


async def test_remind_then_escalate_to_the_superior_once(container, world, chat_as, catalog):
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        await submitted_quote(container.sessionmaker, world, catalog, qty=2)
        clock.move_to(datetime(2026, 11, 25, 15, 59, tzinfo=SH))  # 23.98 working hours
        done, seen = await run_sweep(container)
        assert (done.reminded, done.escalated, seen) == (0, 0, [])
        clock.move_to(datetime(2026, 11, 25, 16, 0, tzinfo=SH))
        done, seen = await run_sweep(container)
        assert (done.reminded, done.escalated) == (1, 0)
        assert [type(e) for e in seen] == [ApprovalReminderDue] and seen[0].approver_id == world.uid("manager")
        done, seen = await run_sweep(container)  # a second worker, or the next minute: nothing twice
        assert (done.reminded, done.escalated, seen) == (0, 0, [])
        clock.move_to(datetime(2026, 11, 26, 15, 0, tzinfo=SH))  # 32 working hours
        done, seen = await run_sweep(container)
        assert (done.reminded, done.escalated) == (0, 1)
        assert seen[0].superior_id == world.uid("director")
        async with container.sessionmaker() as s:
            step = (await s.scalars(select(ApprovalStep))).one()
            assert step.escalated_to_id == world.uid("director") and step.reminded_at is not None
        director = await chat_as("director")
        await director.say("/approvals")
        assert "escalated to Zhao Min" in director.text
        await director.tap("Approve")
        assert "fully approved" in director.text
    async with container.sessionmaker() as s:
        step = (await s.scalars(select(ApprovalStep))).one()
        assert step.decided_by_id == world.uid("director") and step.on_behalf_of_id == world.uid("manager")
