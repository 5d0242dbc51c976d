"""The service manager: create and dispatch from chat, open tickets, SLA breaches, dispatch board,
reassign with reasons, close, assessment; the 360 card shows equipment and open tickets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import Priority, ServiceRating, Ticket, TicketStatus, TicketTransition, utcnow
from tests.support.service_world import make_service_world


@pytest.fixture
async def service(container, world):
    return await make_service_world(container.sessionmaker, world)


async def test_create_dispatch_board_reassign_and_close(container, world, service, chat_as):
    manager = await chat_as("manager")
    await manager.say("/help")
    assert "Service desk" in manager.text and "New ticket" in manager.text
    await manager.tap("New ticket")
    await manager.say("宝钢")  # the only match: straight to its machines
    assert manager.text.startswith("Which equipment at 上海宝钢精密制造有限公司?")
    await manager.tap("C300")
    await manager.tap("Maintenance")
    await manager.say("季度保养，检查滤芯")
    await manager.tap("Normal")
    # compressors: Qian Yong in Kunshan is far nearer to 宝钢 than Zhao Gang in Suzhou's old town
    number = re.search(r"FW-\d{6}-\d{4}", manager.text).group(0)
    assert "km away, compressors, 0 open tickets" in manager.text and "Qian Yong" in manager.text

    await manager.say("/service")
    await manager.tap("Dispatch board")
    assert "Chen Jie" in manager.text and "Qian Yong" in manager.text and "1 open" in manager.text
    await manager.say("/service open")
    assert number in manager.text and "Qian Yong" in manager.text
    await manager.tap(number)
    await manager.tap("Reassign")
    assert "Zhao Gang" in manager.text and "compressors" in manager.text
    assert "⚠️ Chen Jie" in manager.text  # no compressor skill: offered, but flagged
    await manager.tap("Zhao Gang")
    assert f"Ticket {number} reassigned: chosen by the manager" in manager.text
    async with container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.assignee_id == world.uid("engineer2") and ticket.dispatch_note.startswith("manual;")
        moves = (await s.scalars(select(TicketTransition).where(TicketTransition.ticket_id == ticket.id))).all()
        assert [m.to_status for m in moves] == ["new", "assigned", "assigned"]

    await manager.say("/c 宝钢")
    assert "C300 压缩机 · SN-C300-0003 · compressors" in manager.text and number in manager.text

    async with container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
        ticket.status, ticket.resolved_at, ticket.accepted_at = TicketStatus.RESOLVED, utcnow(), utcnow()
        s.add(ServiceRating(ticket_id=ticket.id, engineer_id=ticket.assignee_id, customer_id=ticket.customer_id, attitude=5, response=4, quality=5, locale="en"))
        await s.commit()
    await manager.say("/service open")
    assert number not in manager.text
    await manager.say("/service assess")
    assert "Zhao Gang: 1 resolved" in manager.text and "100 % satisfied" in manager.text


async def test_sla_breaches_list_only_tickets_at_risk(container, world, service, chat_as):
    manager = await chat_as("manager")
    for problem, priority in (("马达过热", "Urgent"), ("例行巡检", "Low")):
        await manager.say("/newticket 恒力")
        await manager.tap("M200")
        await manager.tap("Inspection")
        await manager.say(problem)
        await manager.tap(priority)
    async with container.sessionmaker() as s:
        urgent = await s.scalar(select(Ticket).where(Ticket.priority == Priority.URGENT))
        low = await s.scalar(select(Ticket).where(Ticket.priority == Priority.LOW))
        urgent.respond_by = utcnow() - timedelta(minutes=5)
        await s.commit()
    await manager.say("/service sla")
    assert manager.text.count("FW-") >= 1 and urgent.number in manager.text and "overdue" in manager.text
    assert low.number not in manager.text


async def test_engineers_cannot_use_the_desk_and_reps_cannot_see_tickets(container, world, service, chat_as):
    engineer = await chat_as("engineer")
    await engineer.say("/service")
    assert "permission" in engineer.text
    rep = await chat_as("rep")
    await rep.say("/tickets")
    assert "permission" in rep.text
