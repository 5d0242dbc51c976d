"""An engineer works a ticket from assignment to the customer's rating entirely in chat."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from bootstrap import create_app
from conversations.messages import Action, Choices, Media
from core.models import (
    EngineerProfile,
    PartStock,
    ServiceRating,
    Ticket,
    TicketNote,
    TicketPart,
    TicketStatus,
    TicketTransition,
)
from tests.support.chat import PLAIN, WEB
from tests.support.service_world import make_service_world
from tests.support.world import SIP


@pytest.fixture
async def service(container, world):
    return await make_service_world(container.sessionmaker, world)


async def manager_creates_ticket(chat_as, problem: str = "X100 泵体异响，振动大") -> str:
    manager = await chat_as("manager")
    await manager.say("/newticket 恒力")  # one customer matches as typed: no pick, straight to its machines
    assert "Which equipment at 苏州恒力机械有限公司?" in manager.text
    await manager.tap("X100")
    await manager.tap("Repair")
    await manager.say(problem)
    await manager.tap("Urgent")
    assert "dispatched to Chen Jie" in manager.text and "km away, pumps, 0 open tickets" in manager.text
    return re.search(r"FW-\d{6}-\d{4}", manager.text).group(0)


@pytest.mark.parametrize("caps", [WEB, PLAIN], ids=["buttons_and_forms", "numbered_and_step_by_step"])
async def test_assignment_to_rating_in_chat(container, world, service, chat_as, caps):
    number = await manager_creates_ticket(chat_as)
    engineer = await chat_as("engineer", caps=caps)
    await engineer.say("/tickets")
    assert number in engineer.text and re.search(r"respond in 1 h [45]\d min", engineer.text)  # urgent: 2 h to accept
    await engineer.tap(number)
    assert "苏州恒力机械有限公司" in engineer.text and "王建国 采购经理 13812345678" in engineer.text
    assert "X100 离心泵 · SN-X100-0001 · pumps" in engineer.text
    await engineer.tap("Accept")
    assert f"Ticket {number} accepted" in engineer.text
    await engineer.tap("Arrived")
    await engineer.locate(SIP[0] + 0.0005, SIP[1], accuracy=10)
    assert "inside the geofence" in engineer.text
    await engineer.tap("Note or photo")
    await engineer.say("轴承磨损，需更换")
    assert "Note added" in engineer.text
    await engineer.tap("Note or photo")
    await engineer.photo("media:1")
    await engineer.tap("Done")
    await engineer.tap("Parts used")
    await engineer.say("6205")
    assert "BRG-6205" in engineer.text and "van 2 · central 10" in engineer.text
    await engineer.tap("BRG-6205")
    await engineer.say("1个")
    assert "BRG-6205 ×1 used" in engineer.text
    await engineer.tap("Resolve")
    if caps is WEB:
        await engineer.submit(resolution="更换轴承 6205，试运行正常")
    else:
        await engineer.say("更换轴承 6205，试运行正常")
    assert f"Ticket {number} resolved" in engineer.text
    media = [r for r in engineer.last if isinstance(r, Media)]
    assert media and media[0].mime == "image/png" and media[0].data.startswith(b"\x89PNG")
    link = next(a for r in engineer.last if isinstance(r, Choices) for a in r.options if a.url)
    await _customer_rates(container, link, ticket_number=number)

    async with container.sessionmaker() as s:
        ticket = (await s.scalars(select(Ticket))).one()
        assert ticket.status == TicketStatus.CLOSED and ticket.arrival_inside and ticket.resolution.startswith("更换轴承")
        moves = [(m.from_status, m.to_status) for m in (await s.scalars(select(TicketTransition).order_by(TicketTransition.id))).all()]
        assert moves == [(None, "new"), ("new", "assigned"), ("assigned", "accepted"), ("accepted", "on_site"), ("on_site", "resolved"), ("resolved", "closed")]
        notes = (await s.scalars(select(TicketNote).order_by(TicketNote.id))).all()
        assert [n.text for n in notes] == ["轴承磨损，需更换", None] and notes[1].photo_ref == "media:1"
        used = (await s.scalars(select(TicketPart))).one()
        assert used.quantity == 1 and not used.reserved and used.warehouse_id == service.warehouses["van"].id
        van = await s.scalar(select(PartStock).where(PartStock.warehouse_id == service.warehouses["van"].id, PartStock.part_id == service.parts["BRG-6205"].id))
        assert van.quantity == 1
        rating = (await s.scalars(select(ServiceRating))).one()
        assert (rating.attitude, rating.response, rating.quality, rating.engineer_id) == (5, 4, 5, world.uid("engineer"))


async def _customer_rates(container, link: Action, *, ticket_number: str) -> None:
    path = link.url.split("://", 1)[1].split("/", 1)[1]
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        page = await client.get("/" + path)
        assert page.status_code == 200 and ticket_number in page.text and "Attitude of the engineer" in page.text
        zh = await client.get("/" + path, params={"lang": "zh-CN"})
        assert "服务态度" in zh.text and "响应时间" in zh.text
        form = {"attitude": "5", "response": "4", "quality": "5", "comment": "很专业"}
        done = await client.post("/" + path, data=form)
        assert done.status_code == 200 and "Thank you" in done.text
        again = await client.post("/" + path, data=form)
        assert again.status_code == 409 and "already been rated" in again.text


async def test_waiting_for_parts_reserves_central_stock_and_orders_the_rest(container, world, service, chat_as):
    number = await manager_creates_ticket(chat_as)
    engineer = await chat_as("engineer")
    await engineer.say("/tickets")
    await engineer.tap(number)
    await engineer.tap("Accept")
    await engineer.tap("Waiting for parts")
    await engineer.say("X100 seal")
    await engineer.tap("SEAL-X100")
    await engineer.say("3")
    assert "1 reserved in the central warehouse, 2 ordered" in engineer.text
    assert "waiting for parts" in engineer.text and "Parts arrived" in engineer.text
    await engineer.tap("Parts arrived")
    assert "go on site again" in engineer.text
    async with container.sessionmaker() as s:
        central = await s.scalar(select(PartStock).where(PartStock.warehouse_id == service.warehouses["central"].id, PartStock.part_id == service.parts["SEAL-X100"].id))
        assert (central.quantity, central.reserved) == (1, 1)


async def test_a_location_shared_with_nothing_open_arrives_at_the_picked_ticket(container, world, service, chat_as):
    engineer = await chat_as("engineer")
    await engineer.locate(SIP[0] + 0.0005, SIP[1], accuracy=10)  # no accepted ticket yet: only noted for dispatch
    assert "Position noted" in engineer.text and "no accepted ticket" in engineer.text
    async with container.sessionmaker() as s:
        profile = await s.get(EngineerProfile, world.uid("engineer"))
        assert (round(profile.last_lat, 4), round(profile.last_lon, 4)) == (round(SIP[0] + 0.0005, 4), round(SIP[1], 4))

    number = await manager_creates_ticket(chat_as)
    await engineer.say("/tickets")
    await engineer.tap(number)
    await engineer.tap("Accept")
    await engineer.locate(SIP[0] + 0.0005, SIP[1], accuracy=10)
    assert "Which ticket's site have you arrived at?" in engineer.text
    await engineer.tap(number)  # the button: "📍 FW-… 苏州恒力机械有限公司 · 56 m"
    assert "inside the geofence" in engineer.text
    async with container.sessionmaker() as s:
        ticket = (await s.scalars(select(Ticket))).one()
        assert ticket.status == TicketStatus.ON_SITE and ticket.arrival_inside and 50 < ticket.arrival_distance_m < 60

    dealer = await chat_as("dealer")
    await dealer.locate(SIP[0], SIP[1])
    assert "check-ins are for customer visits" in dealer.text  # not "no permission"
