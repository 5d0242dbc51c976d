"""The signed pages over HTTP: a form page for a chat without native forms, and every refusal."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from bootstrap import create_app
from conversations.inbound import ActionEvent, CommandEvent, ConversationKey, TextEvent, Turn
from conversations.local import sign_in
from conversations.messages import Choices
from core.models import Lead, ProcessedEvent, Visit, utcnow
from core.services import inbox
from tests.support.world import SIP

CONSOLE = ConversationKey("console", "", "rep", "rep")


@pytest.fixture
async def http(container, world):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container)), base_url="http://fieldchat.test") as c:
        yield c


async def console_turn(container, event) -> list:
    adapter = container.adapters.get("console")
    return await container.engine.handle(Turn(CONSOLE, event, adapter.caps, locale_hint="en"))


async def pushed(container, chat: str, platform: str = "console") -> list:
    async with container.sessionmaker() as s:
        return [row.payload for row in await inbox.after(s, platform=platform, chat_id=chat, after_id=0)]


async def form_link(container) -> str:
    """/lead → "use the form": on the console the form is asked step by step, with a page link first."""
    await sign_in(container.deps, CONSOLE, "rep")
    [intro] = await console_turn(container, CommandEvent("lead"))
    assert isinstance(intro, Choices)
    replies = await console_turn(container, ActionEvent(intro.options[0].token or ""))
    first = replies[0]
    assert isinstance(first, Choices) and first.options[0].url, replies
    return urlsplit(first.options[0].url).path


async def test_a_form_page_beside_the_step_by_step_questions(container, http):
    path = await form_link(container)
    page = await http.get(path)
    assert page.status_code == 200
    for name in ("company_name", "contact_name", "phone", "email", "need", "source"):
        assert f'name="{name}"' in page.text

    refused = await http.post(path, data={"company_name": "", "phone": "12345", "source": "exhibition"})
    assert refused.status_code == 422 and "is required" in refused.text and "12345" in refused.text
    assert await pushed(container, "rep") == []

    sent = await http.post(path, data={"company_name": "无锡新星泵业", "phone": "13912345678", "source": "exhibition", "need": "5台水泵"})
    assert sent.status_code == 200 and "Go back to the chat" in sent.text
    [message] = await pushed(container, "rep")
    assert "无锡新星泵业" in "".join(message) and "+8613912345678" in "".join(message)

    async with container.sessionmaker() as s:
        dialog = await container.deps.state.load(s, CONSOLE.storage_key(), utcnow())
        assert (await s.scalars(select(Lead))).all() == []  # saved only after the review in the chat
    assert dialog is not None and (dialog.flow, dialog.step) == ("ld", "review") and "_form" not in dialog.data

    again = await http.post(path, data={"company_name": "另一家"})
    assert again.status_code == 410 and "already used" in again.text


async def test_a_form_page_closes_with_its_dialog(container, http):
    path = await form_link(container)
    await console_turn(container, TextEvent("cancel"))
    page = await http.get(path)
    assert page.status_code == 410 and "no longer open" in page.text


@pytest.mark.parametrize(
    ("mangle", "status", "says"),
    [
        (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), 400, "was changed"),
        (lambda t: "x" + t, 400, "was changed"),
        (lambda t: t.split(".")[0], 400, "was changed"),
    ],
    ids=["signature changed", "claim changed", "signature cut off"],
)
async def test_tampered_links_get_an_error_page_and_change_nothing(container, world, http, mangle, status, says):
    await sign_in(container.deps, CONSOLE, "rep")
    token = container.links.issue("loc", CONSOLE, "en")
    r = await http.post(f"/p/loc/{mangle(token)}", json={"lat": SIP[0], "lon": SIP[1], "accuracy_m": 5})
    assert r.status_code == status and says in r.json()["detail"]
    page = await http.get(f"/p/loc/{mangle(token)}", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert page.status_code == status and "链接无效" in page.text
    await assert_nothing_happened(container)


async def test_an_expired_link_gets_an_error_page_and_changes_nothing(container, world, http):
    await sign_in(container.deps, CONSOLE, "rep")
    token = container.links.issue("loc", CONSOLE, "zh-CN", now=utcnow() - timedelta(minutes=11))
    page = await http.get(f"/p/loc/{token}")
    assert page.status_code == 410 and "链接已过期" in page.text
    r = await http.post(f"/p/loc/{token}", json={"lat": SIP[0], "lon": SIP[1]})
    assert r.status_code == 410
    await assert_nothing_happened(container)


async def test_a_check_in_link_is_not_a_form_link(container, world, http):
    token = container.links.issue("loc", CONSOLE, "en")
    assert (await http.get(f"/p/form/{token}")).status_code == 400


async def test_a_link_for_a_chat_app_that_is_not_connected(container, world, http):
    token = container.links.issue("loc", ConversationKey("teams", "t", "c", "u"), "en")
    r = await http.post(f"/p/loc/{token}", json={"lat": SIP[0], "lon": SIP[1]})
    assert r.status_code == 409
    await assert_nothing_happened(container)


@pytest.mark.parametrize("body", [{"lat": 91, "lon": 0}, {"lat": 0}, {"lat": "north", "lon": 1}, {"lat": 1, "lon": 2, "accuracy_m": -1}])
async def test_impossible_positions_are_refused_before_anything(container, world, http, body):
    token = container.links.issue("loc", CONSOLE, "en")
    assert (await http.post(f"/p/loc/{token}", json=body)).status_code == 422
    await assert_nothing_happened(container)


async def test_a_web_position_checks_in_with_its_accuracy(container, world, http):
    """The link's conversation gets a location turn (source web); the replies go to its chat."""
    web = ConversationKey("webchat", "", "u-rep", "u-rep")
    await sign_in(container.deps, web, "rep")
    token = container.links.issue("loc", web, "en")
    r = await http.post(f"/p/loc/{token}", json={"lat": SIP[0], "lon": SIP[1], "accuracy_m": 35})
    assert r.status_code == 200 and r.json()["delivered"]
    [[nearby]] = await pushed(container, "u-rep", "webchat")
    hengli = next(o["action"] for o in nearby["options"] if "苏州恒力" in o["label"])
    await container.engine.handle(Turn(web, ActionEvent(hengli), container.webchat.caps))
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.source == "web" and visit.accuracy_m == 35


async def assert_nothing_happened(container) -> None:
    async with container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
        assert await s.scalar(select(func.count()).select_from(Visit)) == 0
    assert await pushed(container, "rep") == []
