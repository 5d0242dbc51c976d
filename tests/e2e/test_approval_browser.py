"""An approval card in the real web chat: pushed by the notifier, decided, then every copy loses its buttons."""

from __future__ import annotations

import asyncio

import pytest
import uvicorn

from bootstrap import build, create_app
from tests.conftest import test_settings
from tests.e2e.test_webchat_browser import ARGS, CHROMIUM, free_port
from tests.support.catalog import add_catalog
from tests.support.quotes import submitted_quote


@pytest.fixture
async def served_app(clean_db, world):
    container = await build(test_settings(demo=True, notify_in_process=True, notify_poll_seconds=0.5, notify_quiet_hours="off"), migrate=False, db=clean_db)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}", container
    server.should_exit = True
    await task


@pytest.mark.browser
async def test_pushed_card_is_edited_in_place_after_the_decision(served_app, world):
    from playwright.async_api import async_playwright, expect

    url, container = served_app
    catalog = await add_catalog(container.sessionmaker)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await (await browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})).new_page()
        await page.goto(url + "/")
        await page.get_by_test_id("login-select").select_option("manager")
        await page.get_by_test_id("login-start").click()
        await expect(page.get_by_test_id("bot-message").last).to_be_visible()

        await submitted_quote(container.sessionmaker, world, catalog, qty=2, bus=container.deps.bus)
        pushed = page.locator(".card[data-ref^='approval:']")
        await expect(pushed.first).to_contain_text("total above CN¥100,000.00", timeout=10000)
        await expect(pushed.first.get_by_test_id("action").filter(has_text="Approve")).to_be_visible()

        await page.get_by_test_id("chat-input").fill("/approvals")
        await page.get_by_test_id("chat-send").click()
        await expect(pushed).to_have_count(2)
        await pushed.last.get_by_test_id("action").filter(has_text="Approve").click()
        await expect(page.get_by_test_id("bot-message").last).to_contain_text("fully approved")

        # within a delivery tick the pushed copy is replaced in place and no copy keeps its buttons
        await expect(page.locator(".card[data-ref^='approval:'] [data-testid='action']")).to_have_count(0, timeout=10000)
        await expect(pushed.first).to_contain_text("Approved by Wang Qiang")
        await page.screenshot(path="/tmp/fieldchat-approval.png", full_page=False)
        await browser.close()
