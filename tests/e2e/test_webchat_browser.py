"""The web chat in real headless Chromium: check in with the browser's geolocation, then search."""

from __future__ import annotations

import asyncio
import shutil
import socket

import pytest
import uvicorn

from bootstrap import build, create_app
from tests.conftest import test_settings
from tests.support.world import SIP

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(clean_db, world):
    container = await build(test_settings(demo=True), migrate=False, db=clean_db)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):  # up to 10 s for the server to listen
        if server.started:
            break
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.mark.browser
async def test_check_in_with_browser_geolocation_and_search(served):
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = await browser.new_context(
            geolocation={"latitude": SIP[0] + 0.0005, "longitude": SIP[1], "accuracy": 15},
            permissions=["geolocation"], locale="en-US", viewport={"width": 390, "height": 844},
        )
        page = await context.new_page()
        await page.goto(served + "/")
        await page.get_by_test_id("login-select").select_option("rep")
        await page.get_by_test_id("login-start").click()
        await expect(page.get_by_test_id("bot-message").last).to_be_visible()

        await page.get_by_test_id("chat-input").fill("/checkin")
        await page.get_by_test_id("chat-send").click()
        await page.get_by_test_id("ask-location").last.click()
        await page.get_by_test_id("action").filter(has_text="苏州恒力").last.click()
        title = page.get_by_test_id("card-title").filter(has_text="苏州恒力")
        await expect(title.last).to_be_visible()
        card = page.get_by_test_id("card").last
        await expect(card).to_contain_text("inside")

        await page.get_by_test_id("chat-input").fill("/c szhl")
        await page.get_by_test_id("chat-send").click()
        await expect(page.get_by_test_id("card").last).to_contain_text("王建国")
        await page.screenshot(path="/tmp/fieldchat-webchat.png", full_page=False)
        await browser.close()
