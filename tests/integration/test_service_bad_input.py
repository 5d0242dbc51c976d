"""Wrong steps, wrong quantities, someone else's ticket, bad rating links: a clear message, nothing changed."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bootstrap import create_app
from conversations.inbound import ActionEvent
from core.models import PartStock, ServiceRating, Ticket, TicketPart, TicketStatus, TicketTransition, utcnow
from core.services.ratings import RatingLinks
from tests.integration.test_service_engineer_dialog import manager_creates_ticket
from tests.support.service_world import make_service_world


@pytest.fixture
async def service(container, world):
    return await make_service_world(container.sessionmaker, world)


async def _counts(container) -> tuple[int, int, int]:
    async with container.sessionmaker() as s:
        moves = await s.scalar(select(func.count()).select_from(TicketTransition))
        used = await s.scalar(select(func.count()).select_from(TicketPart))
        stock = await s.scalar(select(func.sum(PartStock.quantity)))
    return moves, used, stock


async def test_steps_that_do_not_fit_the_status(container, world, service, chat_as):
    number = await manager_creates_ticket(chat_as)
    engineer = await chat_as("engineer")
    await engineer.say("/tickets")
    await engineer.tap(number)
    accept = engineer.button("Accept")
    await engineer.tap("Accept")
    before = await _counts(container)
    await engineer.send(ActionEvent(accept.token))
    assert "does not fit its current status" in engineer.text
    async with container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
    resolve_token = container.deps.codec.encode("tk", "-", f"rs{ticket.id}")
    await cancel_directly(container, ticket.id)
    await engineer.send(ActionEvent(resolve_token))
    assert "does not fit" in engineer.text or "finished" in engineer.text
    assert (await _counts(container))[1:] == before[1:]


async def cancel_directly(container, ticket_id: int) -> None:
    async with container.sessionmaker() as s:
        ticket = await s.get(Ticket, ticket_id)
        ticket.status = TicketStatus.CANCELLED
        await s.commit()


async def test_quantities_and_someone_elses_ticket(container, world, service, chat_as):
    number = await manager_creates_ticket(chat_as)
    engineer = await chat_as("engineer")
    await engineer.say("/tickets")
    await engineer.tap(number)
    await engineer.tap("Accept")
    await engineer.tap("Parts used")
    await engineer.say("BRG")
    await engineer.tap("BRG-6205")
    before = await _counts(container)
    for typed, expected in (("0", "from 1 to 999"), ("-2", "from 1 to 999"), ("lots", "from 1 to 999"), ("5", "only 2 available in your van")):
        await engineer.say(typed)
        assert expected in engineer.text, typed
        assert await _counts(container) == before
    await engineer.say("2")
    assert "BRG-6205 ×2 used" in engineer.text
    async with container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
    other = await chat_as("engineer2")
    before = await _counts(container)
    for code in ("ac", "rs", "ar", "nt"):
        await other.send(ActionEvent(container.deps.codec.encode("tk", "-", f"{code}{ticket.id}")))
        assert "assigned to another engineer" in other.text, code
    await other.send(ActionEvent(container.deps.codec.encode("tk", "-", f"o{ticket.id}")))
    assert "assigned to another engineer" in other.text
    assert await _counts(container) == before


async def test_rating_links_expired_tampered_early_and_reused(container, world, service, chat_as):
    number = await manager_creates_ticket(chat_as)
    async with container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
    links = RatingLinks(container.secret, "http://test", timedelta(days=14))
    fresh = links.url(ticket.id, "en").split("http://test", 1)[1]
    expired = RatingLinks(container.secret, "http://test", timedelta(seconds=1)).url(ticket.id, "zh-CN", now=utcnow() - timedelta(hours=1)).split("http://test", 1)[1]
    forged = RatingLinks(b"another-secret", "http://test", timedelta(days=1)).url(ticket.id, "en").split("http://test", 1)[1]
    stars = {"attitude": "1", "response": "1", "quality": "1"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container)), base_url="http://test") as client:
        early = await client.post(fresh, data=stars)
        assert early.status_code == 400 and "not resolved yet" in early.text
        gone = await client.get(expired)
        assert gone.status_code == 410 and "评价链接已过期" in gone.text
        bad = await client.post(forged, data=stars)
        assert bad.status_code == 400 and "not valid" in bad.text
        cut = await client.get(fresh[:-3] + "abc")
        assert cut.status_code == 400
        junk = await client.post(fresh, data={"attitude": "9", "response": "1", "quality": "1"})
        assert junk.status_code == 422
    async with container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(ServiceRating)) == 0
        assert (await s.get(Ticket, ticket.id)).status == TicketStatus.ASSIGNED
