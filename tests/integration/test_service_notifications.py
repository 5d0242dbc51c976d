"""Service notifications land in the outbox exactly once, in the recipient's language, with buttons
that work when tapped later: assigned, SLA, parts shortage, low rating, maintenance due, predictive."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from bootstrap import create_app
from conversations.inbound import ActionEvent
from conversations.messages import Action, Card, Choices
from conversations.reply_codec import load_all
from core.models import Equipment, Notification, TelemetryReading, Ticket, TicketType, utcnow
from core.services.apikeys import create_key
from tests.integration.test_service_engineer_dialog import manager_creates_ticket
from tests.support.service_world import make_service_world


@pytest.fixture
async def sw(container, world):
    return await make_service_world(container.sessionmaker, world)


async def outbox(container, kind: str) -> list[Notification]:
    async with container.sessionmaker() as s:
        return list((await s.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id))).all())


def buttons(row: Notification) -> list[Action]:
    found: list[Action] = []
    for reply in load_all(row.replies):
        if isinstance(reply, Card):
            found += reply.actions
        elif isinstance(reply, Choices):
            found += reply.options
    return found


async def test_assigned_then_sla_engineer_then_manager(container, world, sw, chat_as):
    number = await manager_creates_ticket(chat_as)
    [assigned] = await outbox(container, "ticket_assigned")
    assert assigned.user_id == world.uid("engineer") and not assigned.routine
    assert f"New ticket {number} for you" in assigned.summary and "pumps, 0 open tickets" in assigned.summary
    accept = next(a for a in buttons(assigned) if "Accept" in a.label)
    engineer = await chat_as("engineer")
    await engineer.send(ActionEvent(accept.token or ""))
    assert f"Ticket {number} accepted" in engineer.text

    async with container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
    notifier = container.notifier
    await notifier.sweep(ticket.resolve_by - timedelta(minutes=50))
    await notifier.sweep(ticket.resolve_by - timedelta(minutes=50))
    await notifier.sweep(ticket.resolve_by - timedelta(minutes=20))
    rows = await outbox(container, "ticket_sla")
    assert [(r.user_id, "resolved by" in r.summary) for r in rows] == [(world.uid("engineer"), True), (world.uid("manager"), True)]


async def test_parts_shortage_and_low_rating_reach_the_manager(container, world, sw, chat_as):
    number = await manager_creates_ticket(chat_as)
    engineer = await chat_as("engineer")
    await engineer.say("/tickets")
    await engineer.tap(number)
    await engineer.tap("Accept")
    await engineer.tap("Waiting for parts")
    await engineer.say("SEAL-X100")
    await engineer.tap("SEAL-X100")
    await engineer.say("3")
    [shortage] = await outbox(container, "parts_shortage")
    assert shortage.user_id == world.uid("manager") and "SEAL-X100" in shortage.summary and "2 to order" in shortage.summary
    await engineer.tap("Parts arrived")
    await engineer.tap("Arrived")
    await engineer.locate(31.3241, 120.7260)
    await engineer.tap("Resolve")
    await engineer.submit(resolution="更换密封")
    link = next(a.url for r in engineer.last if isinstance(r, Choices) for a in r.options if a.url)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container)), base_url="http://t") as client:
        assert (await client.post(path, data={"attitude": "4", "response": "2", "quality": "3", "comment": "等太久"})).status_code == 200
    [low] = await outbox(container, "low_rating")
    assert low.user_id == world.uid("manager") and "Low rating (2★)" in low.summary


async def test_maintenance_due_once_with_rep_and_manager(container, world, sw):
    async with container.sessionmaker() as s:
        pump = await s.get(Equipment, sw.eid("pump"))
        pump.last_service_at = utcnow() - timedelta(days=170)
        await s.commit()
    await container.notifier.sweep()
    await container.notifier.sweep()
    rows = await outbox(container, "maintenance_due")
    assert sorted(r.user_id for r in rows) == sorted([world.uid("rep"), world.uid("manager")])
    assert all("X100 离心泵" in r.summary for r in rows)
    async with container.sessionmaker() as s:
        assert len((await s.scalars(select(Ticket).where(Ticket.type == TicketType.MAINTENANCE))).all()) == 1


async def test_breach_and_trend_warning_with_a_working_button(container, world, sw, chat_as):
    async with container.sessionmaker() as s:
        _, key = await create_key(s, name="iot", scopes=["telemetry"])
        await s.commit()
    now = utcnow().replace(microsecond=0)
    readings = [{"serial": "SN-X100-0001", "metric": "temperature", "value": 91.5, "ts": now.isoformat()}]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container)), base_url="http://t") as client:
        answer = await client.post("/api/v1/telemetry", json=readings, headers={"Authorization": f"Bearer {key}"})
    [breach] = await outbox(container, "threshold_breached")
    assert breach.user_id == world.uid("manager") and "temperature 91.5°C over the 85°C limit" in breach.summary
    assert answer.json()["tickets"]

    async with container.sessionmaker() as s:
        for k in range(10):
            s.add(TelemetryReading(equipment_id=sw.eid("motor"), metric="temperature", ts=now - timedelta(days=9 - k), value=60 + 2 * k))
        await s.commit()
    await container.notifier.sweep(now)
    await container.notifier.sweep(now)
    [warning] = await outbox(container, "trend_warning")
    assert "M200 电机 at 苏州恒力机械有限公司 is expected to reach its temperature limit in about 6 days — schedule maintenance?" in warning.summary
    schedule = next(a for a in buttons(warning) if "Schedule" in a.label)
    manager = await chat_as("manager")
    await manager.send(ActionEvent(schedule.token or ""))
    assert "Maintenance ticket" in manager.text and "dispatched" in manager.text
    await manager.send(ActionEvent(schedule.token or ""))
    assert "already open" in manager.text
