"""The customer's rating page in real headless Chromium: stars, comment, thanks; the link works once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import uvicorn
from sqlalchemy import select

from bootstrap import build, create_app
from core.models import Priority, ServiceRating, Ticket, TicketStatus, TicketType, utcnow
from core.services.ratings import RatingLinks
from tests.conftest import test_settings
from tests.e2e.test_webchat_browser import ARGS, CHROMIUM, free_port
from tests.support.service_world import make_service_world


@pytest.fixture
async def served(clean_db, world):
    container = await build(test_settings(), migrate=False, db=clean_db)
    sw = await make_service_world(container.sessionmaker, world)
    async with container.sessionmaker() as s:
        now = utcnow()
        ticket = Ticket(
            number="FW-261124-0001", customer_id=world.cid("hengli"), equipment_id=sw.eid("pump"), type=TicketType.REPAIR,
            priority=Priority.HIGH, status=TicketStatus.RESOLVED, problem="泵体异响", assignee_id=world.uid("engineer"),
            created_at=now - timedelta(hours=5), respond_by=now, resolve_by=now + timedelta(hours=40),
            accepted_at=now - timedelta(hours=4), resolved_at=now, resolution="更换轴承", arrival_flags=[],
        )
        s.add(ticket)
        await s.commit()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    link = RatingLinks(container.secret, base, timedelta(days=14)).url(ticket.id, "zh-CN")
    yield container, link, ticket.id
    server.should_exit = True
    await task


@pytest.mark.browser
async def test_customer_rates_on_a_phone(served):
    from playwright.async_api import async_playwright, expect

    container, link, ticket_id = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = await context.new_page()
        await page.goto(link)
        await expect(page.get_by_test_id("rate-title")).to_have_text("服务评价")
        await expect(page.locator("body")).to_contain_text("服务态度")
        await page.get_by_test_id("rate-lang").click()
        await expect(page.get_by_test_id("rate-title")).to_have_text("How was our service?")
        await page.get_by_test_id("rate-submit").click()  # nothing chosen: the browser refuses, nothing is sent
        await expect(page.get_by_test_id("rate-form")).to_be_visible()
        await page.get_by_test_id("rate-attitude-5").click()
        await page.get_by_test_id("rate-response-2").click()
        await page.get_by_test_id("rate-quality-4").click()
        await page.get_by_test_id("rate-comment").fill("Fast and friendly 很专业")
        await page.screenshot(path="/tmp/fieldchat-rating.png")
        await page.get_by_test_id("rate-submit").click()
        await expect(page.get_by_test_id("rate-message")).to_contain_text("Thank you")
        await page.goto(link)
        await expect(page.get_by_test_id("rate-message")).to_contain_text("已经评价过")
        await browser.close()
    async with container.sessionmaker() as s:
        rating = (await s.scalars(select(ServiceRating))).one()
        assert (rating.attitude, rating.response, rating.quality, rating.locale) == (5, 2, 4, "en")
        assert rating.comment == "Fast and friendly 很专业"
        assert (await s.get(Ticket, ticket_id)).status == TicketStatus.CLOSED
