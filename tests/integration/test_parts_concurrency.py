"""Two engineers' tickets take the last part at the same moment: exactly one gets it."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core.errors import InvalidInput
from core.models import PartStock, Priority, Ticket, TicketPart, TicketStatus, TicketType
from core.services import parts, tickets
from core.services.tickets import NewTicket
from core.uow import Actor, UnitOfWork
from tests.support.service_world import make_service_world


async def _accepted_ticket(container, world, sw) -> int:
    async with UnitOfWork(container.sessionmaker, container.deps.bus) as uow:
        new = NewTicket(world.cid("hengli"), TicketType.REPAIR, Priority.HIGH, "漏水", sw.eid("pump"))
        ticket = await tickets.open_ticket(uow, actor=None, new=new, sla=container.settings.service_sla, timezone="Asia/Shanghai")
        tickets.move(uow, ticket, TicketStatus.ASSIGNED, None)
        ticket.assignee_id = world.uid("engineer")
        tickets.move(uow, ticket, TicketStatus.ACCEPTED, None)
        await uow.commit()
        return ticket.id


async def test_the_last_part_goes_to_exactly_one_ticket(container, world):
    sw = await make_service_world(container.sessionmaker, world)
    first, second = await _accepted_ticket(container, world, sw), await _accepted_ticket(container, world, sw)
    async with container.sessionmaker() as s:
        engineer = await s.get_one(type(world.users["engineer"]), world.uid("engineer"))
    actor = Actor(engineer, "test")
    seal = sw.parts["SEAL-X100"].id  # one left in the van

    async def use(ticket_id: int) -> str:
        async with UnitOfWork(container.sessionmaker, container.deps.bus) as uow:
            try:
                await parts.use_parts(uow, actor=actor, ticket_id=ticket_id, part_id=seal, quantity=1)
                await uow.commit()
                return "used"
            except InvalidInput as exc:
                await uow.rollback()
                return exc.code

    outcomes = await asyncio.gather(use(first), use(second))
    assert sorted(outcomes) == ["error.parts_short", "used"]
    async with container.sessionmaker() as s:
        van = await s.scalar(select(PartStock).where(PartStock.warehouse_id == sw.warehouses["van"].id, PartStock.part_id == seal))
        assert van.quantity == 0 and van.reserved == 0
        assert await s.scalar(select(func.count()).select_from(TicketPart)) == 1
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 2
