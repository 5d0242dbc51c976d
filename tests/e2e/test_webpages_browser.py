"""The signed pages in real headless Chromium: check-in from Slack with the browser's geolocation, a
form page for a chat without native forms, and the refusals people will meet."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn

from bootstrap import build, create_app
from conversations.inbound import ActionEvent, CommandEvent, ConversationKey, Turn
from conversations.local import sign_in
from conversations.messages import Choices
from core.models import utcnow
from core.services import inbox
from tests.conftest import test_settings
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET, SlackUser, find_button
from tests.support.slack_mock import TEAM, SlackMock, dm_of, free_port
from tests.support.world import SIP

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.browser


@dataclass
class Served:
    base: str
    container: Any
    mock: SlackMock
    http: httpx.AsyncClient


@pytest.fixture
async def served(clean_db, world) -> AsyncIterator[Served]:
    mock = SlackMock()
    await mock.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = test_settings(
        public_url=base, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=mock.api_url,
    )
    container = await build(settings, migrate=False, db=clean_db)
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    async with httpx.AsyncClient(base_url=base) as http:
        yield Served(base, container, mock, http)
    server.should_exit = True
    await task
    await mock.stop()


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


async def phone(browser, *, located: bool = True, locale: str = "en-US"):
    options: dict[str, Any] = {"locale": locale, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    if located:
        options.update(geolocation={"latitude": SIP[0] + 0.0005, "longitude": SIP[1], "accuracy": 12}, permissions=["geolocation"])
    context = await browser.new_context(**options)
    return await context.new_page()


async def test_slack_check_in_through_the_page_in_chromium(served, browser):
    from playwright.async_api import expect

    rep = SlackUser(served.http, served.mock, "UREP")
    await sign_in(served.container.deps, ConversationKey("slack", TEAM, rep.dm, rep.user), "rep")
    assert (await rep.command("checkin")).status_code == 200
    [ask] = await rep.replies()
    url = find_button(ask["blocks"], "check-in page")["url"]
    assert url.startswith(served.base + "/p/loc/")

    page = await phone(browser)
    await page.goto(url)
    await expect(page.get_by_test_id("checkin")).to_contain_text("send your position")
    await page.get_by_test_id("locate").click()
    await expect(page.get_by_test_id("status")).to_contain_text("Position sent")
    await expect(page.get_by_test_id("locate")).to_be_hidden()
    await page.screenshot(path="/tmp/fieldchat-checkin-page.png")

    [nearby] = await rep.replies()
    assert nearby["channel"] == dm_of("UREP") and "苏州恒力" in json.dumps(nearby["blocks"], ensure_ascii=False)
    assert "55 m" in json.dumps(nearby["blocks"], ensure_ascii=False)

    await page.reload()
    await expect(page.get_by_test_id("error")).to_contain_text("already used")


async def test_a_refused_location_says_how_to_allow_it(served, browser):
    from playwright.async_api import expect

    key = ConversationKey("slack", TEAM, dm_of("UREP"), "UREP")
    await sign_in(served.container.deps, key, "rep")
    page = await phone(browser, located=False)
    await page.goto(served.container.links.location_url(key, "en"))
    await page.get_by_test_id("locate").click()
    await expect(page.get_by_test_id("status")).to_contain_text("refused", timeout=20_000)
    assert served.mock.of("chat.postMessage") == []


async def test_form_page_for_a_chat_without_native_forms(served, browser):
    from playwright.async_api import expect

    key = ConversationKey("console", "", "rep", "rep")
    await sign_in(served.container.deps, key, "rep")
    caps = served.container.adapters.get("console").caps
    [intro] = await served.container.engine.handle(Turn(key, CommandEvent("lead"), caps, locale_hint="en"))
    assert isinstance(intro, Choices)
    replies = await served.container.engine.handle(Turn(key, ActionEvent(intro.options[0].token or ""), caps))
    link = replies[0].options[0].url  # type: ignore[union-attr]

    page = await phone(browser, located=False)
    await page.goto(link)
    await page.get_by_test_id("field-phone").fill("12345")
    await page.get_by_test_id("submit").click()
    await expect(page.get_by_test_id("error-company_name")).to_contain_text("required")
    await expect(page.get_by_test_id("error-phone")).to_contain_text("12345")
    await page.get_by_test_id("field-company_name").fill("无锡新星泵业")
    await page.get_by_test_id("field-phone").fill("13912345678")
    await page.get_by_test_id("field-source").select_option("exhibition")
    await page.get_by_test_id("submit").click()
    await expect(page.get_by_test_id("done")).to_contain_text("Go back to the chat")
    async with served.container.sessionmaker() as s:
        [row] = await inbox.after(s, platform="console", chat_id="rep", after_id=0)
    assert "无锡新星泵业" in "".join(row.payload)


async def test_an_expired_link_in_the_users_language(served, browser):
    from playwright.async_api import expect

    key = ConversationKey("slack", TEAM, dm_of("UREP"), "UREP")
    token = served.container.links.issue("loc", key, "zh-CN", now=utcnow() - timedelta(minutes=30))
    page = await phone(browser, locale="zh-CN")
    response = await page.goto(f"{served.base}/p/loc/{token}")
    assert response is not None and response.status == 410
    await expect(page.get_by_test_id("error")).to_contain_text("链接已过期")
