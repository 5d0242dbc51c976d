"""Maintenance due, predictive warnings and SLA watch: each ticket or warning exactly once,
however often (or in however many workers) the sweeps run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.clock import local_date, zone
from core.events import Event, EventBus
from core.models import Equipment, TelemetryReading, Ticket, TicketStatus, TicketType, utcnow
from core.service_events import MaintenanceDue, SlaAtRisk, TicketAssigned, TrendWarning
from core.services.maintenance import maintenance_sweep, schedule_predicted, sla_sweep, trend_sweep
from core.services.telemetry import Policy
from core.uow import Actor, UnitOfWork
from tests.support.service_world import make_service_world


@pytest.fixture
async def sw(container, world):
    return await make_service_world(container.sessionmaker, world)


class Recorder:
    """Collects the events the sweeps publish (what notification handlers would receive)."""

    def __init__(self) -> None:
        self.bus, self.seen = EventBus(), []
        for kind in (MaintenanceDue, SlaAtRisk, TicketAssigned, TrendWarning):
            self.bus.subscribe(kind, self._on)

    async def _on(self, session: object, event: Event) -> None:
        self.seen.append(event)

    def of(self, kind: type) -> list:
        return [e for e in self.seen if isinstance(e, kind)]


async def run(container, rec: Recorder, sweep, **kw):  # type: ignore[no-untyped-def]
    async with UnitOfWork(container.sessionmaker, rec.bus) as uow:
        out = await sweep(uow, **kw)
        await uow.commit()
    return out


async def test_maintenance_due_makes_one_ticket_even_from_two_workers(container, world, sw):
    async with container.sessionmaker() as s:
        pump = await s.get(Equipment, sw.eid("pump"))
        pump.last_service_at = utcnow() - timedelta(days=175)  # every 180 days: due in 5
        await s.commit()
    rec, policy, now = Recorder(), Policy.from_settings(container.settings), utcnow()
    kw = {"policy": policy, "now": now, "within_days": 14, "within_hours": 50}
    await asyncio.gather(run(container, rec, maintenance_sweep, **kw), run(container, rec, maintenance_sweep, **kw))
    await run(container, rec, maintenance_sweep, **kw)
    async with container.sessionmaker() as s:
        tickets = (await s.scalars(select(Ticket).where(Ticket.type == TicketType.MAINTENANCE))).all()
    assert len(tickets) == 1 and tickets[0].equipment_id == sw.eid("pump") and tickets[0].status == TicketStatus.ASSIGNED
    due_on = local_date(now + timedelta(days=5), zone(container.settings.timezone))  # a date where the machine stands
    assert len(rec.of(MaintenanceDue)) == 1 and rec.of(MaintenanceDue)[0].due_on == due_on
    assert rec.of(TicketAssigned)[0].engineer_id == world.uid("engineer")


async def test_a_rising_trend_warns_once_and_yes_schedules_one_ticket(container, world, sw):
    now = utcnow()
    async with container.sessionmaker() as s:
        for k in range(12):  # vibration +0.2 mm/s a day: from 4.0 towards 7.1
            s.add(TelemetryReading(equipment_id=sw.eid("pump"), metric="vibration", ts=now - timedelta(days=11 - k), value=4.0 + 0.2 * k))
            s.add(TelemetryReading(equipment_id=sw.eid("pump"), metric="temperature", ts=now - timedelta(days=11 - k), value=60.0))
        await s.commit()
    rec = Recorder()
    found = await run(container, rec, trend_sweep, now=now, horizon_days=30)
    assert [t.metric for t in found] == ["vibration"] and abs(found[0].days_left - 4.5) < 0.1  # (7.1 - 6.2) / 0.2
    assert await run(container, rec, trend_sweep, now=now + timedelta(hours=1), horizon_days=30) == []
    assert len(rec.of(TrendWarning)) == 1
    async with container.sessionmaker() as s:
        manager = await s.get_one(type(world.users["manager"]), world.uid("manager"))
    actor, policy = Actor(manager, "test"), Policy.from_settings(container.settings)
    first = await run(container, rec, schedule_predicted, actor=actor, equipment_id=sw.eid("pump"), metric="vibration", policy=policy, now=now)
    second = await run(container, rec, schedule_predicted, actor=actor, equipment_id=sw.eid("pump"), metric="vibration", policy=policy, now=now)
    assert first is not None and second is None
    assert await run(container, rec, trend_sweep, now=now + timedelta(days=8), horizon_days=30) == []  # a ticket is open for it


async def test_a_trend_warns_at_most_once_in_seven_days_even_across_a_week_boundary(container, world, sw):
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # an hour later it is Monday: a new ISO week
    async with container.sessionmaker() as s:
        for k in range(12):
            s.add(TelemetryReading(equipment_id=sw.eid("pump"), metric="vibration", ts=sunday_night - timedelta(days=11 - k), value=4.0 + 0.2 * k))
        await s.commit()
    rec = Recorder()
    assert len(await run(container, rec, trend_sweep, now=sunday_night, horizon_days=30)) == 1
    for later in (timedelta(hours=1), timedelta(days=6, hours=23)):
        assert await run(container, rec, trend_sweep, now=sunday_night + later, horizon_days=30) == [], later
    assert len(await run(container, rec, trend_sweep, now=sunday_night + timedelta(days=7, minutes=1), horizon_days=30)) == 1
    assert len(rec.of(TrendWarning)) == 2


async def test_sla_warns_the_engineer_then_the_manager_once_each(container, world, sw, chat_as):
    from tests.integration.test_service_engineer_dialog import manager_creates_ticket

    await manager_creates_ticket(chat_as)
    async with container.sessionmaker() as s:
        ticket = (await s.scalars(select(Ticket))).one()
    rec, warn = Recorder(), timedelta(minutes=60)
    assert await run(container, rec, sla_sweep, now=ticket.created_at, warn=warn) == []
    early = await run(container, rec, sla_sweep, now=ticket.respond_by - timedelta(minutes=50), warn=warn)
    assert [(e.which, e.stage) for e in early] == [("respond", "engineer")]
    late = await run(container, rec, sla_sweep, now=ticket.respond_by - timedelta(minutes=20), warn=warn)
    assert [(e.which, e.stage) for e in late] == [("respond", "manager")]
    assert await run(container, rec, sla_sweep, now=ticket.respond_by - timedelta(minutes=10), warn=warn) == []
    async with container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 1
