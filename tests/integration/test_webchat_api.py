"""The web chat's JSON API over real HTTP semantics (ASGI), as the page and other clients use it."""

from __future__ import annotations

import base64

import httpx
import pytest

from bootstrap import build, create_app
from conversations.messages import Text
from tests.conftest import test_settings
from tests.support.world import SIP

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()


@pytest.fixture
async def demo_container(clean_db, world):
    return await build(test_settings(demo=True), migrate=False, db=clean_db)


@pytest.fixture
async def client(demo_container):
    app = create_app(demo_container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def session_for(client, login: str | None) -> str:
    r = await client.post("/webchat/api/sessions", json={"user": login} if login else {})
    assert r.status_code == 200, r.text
    return r.json()["session"]


async def test_check_in_through_the_api(client):
    s = await session_for(client, "rep")
    r = await client.post("/webchat/api/turns", json={"session": s, "text": "/checkin"})
    assert r.json()["replies"][0]["type"] == "ask_location"
    r = await client.post("/webchat/api/turns", json={"session": s, "location": {"lat": SIP[0], "lon": SIP[1], "accuracy_m": 8}})
    choices = r.json()["replies"][0]
    assert choices["type"] == "choices"
    hengli = next(o for o in choices["options"] if "苏州恒力" in o["label"])
    r = await client.post("/webchat/api/turns", json={"session": s, "action": hengli["action"]})
    card = r.json()["replies"][0]
    assert card["type"] == "card" and card["ref"].startswith("visit:")
    photo = {"kind": "image", "name": "gate.png", "data_url": f"data:image/png;base64,{PNG}"}
    r = await client.post("/webchat/api/turns", json={"session": s, "media": photo})
    assert "1" in r.json()["replies"][0]["prompt"]
    out = r.json()["replies"][0]["options"][0]["action"]
    r = await client.post("/webchat/api/turns", json={"session": s, "action": out})
    form = r.json()["replies"][0]
    assert form["type"] == "form" and [f["name"] for f in form["fields"]] == ["summary", "next_step", "next_contact"]
    r = await client.post("/webchat/api/turns", json={"session": s, "form": {"summary": "看了现场", "next_step": "", "next_contact": ""}})
    assert r.json()["replies"][0]["type"] == "text"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"session": "wc1.u-rep.forged", "text": "hi"}, 401),
        ({"session": "nonsense", "text": "hi"}, 401),
        ({"text": "no session"}, 422),
        ({"session": "x", "text": "a", "action": "b"}, 422),
        ({"session": "x"}, 422),
        ({"session": "x", "location": {"lat": "north", "lon": 1}}, 422),
        ({"session": "x", "form": {"a": [1, 2]}}, 422),
        ({"session": "x", "unknown": 1}, 422),
    ],
)
async def test_malformed_requests_get_4xx_with_a_reason(client, body, status):
    r = await client.post("/webchat/api/turns", json=body)
    assert r.status_code == status
    assert r.json()["detail"]


async def test_not_json_at_all(client):
    r = await client.post("/webchat/api/turns", content=b"{not json", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500


async def test_bad_media_is_refused_with_reason(client):
    s = await session_for(client, "rep")
    r = await client.post("/webchat/api/turns", json={"session": s, "media": {"data_url": "data:text/plain;base64,aGk="}})
    assert r.status_code == 415
    r = await client.post("/webchat/api/turns", json={"session": s, "media": {"data_url": "data:image/png;base64,!!!"}})
    assert r.status_code == 400


async def test_unknown_login_and_anonymous_binding(client, demo_container):
    r = await client.post("/webchat/api/sessions", json={"user": "nobody"})
    assert r.status_code == 404
    s = await session_for(client, None)
    r = await client.post("/webchat/api/turns", json={"session": s, "text": "/c 恒力"})
    assert "binding code" in r.json()["replies"][0]["text"]


async def test_login_by_name_is_refused_outside_demo_mode(clean_db, world):
    container = await build(test_settings(demo=False), migrate=False, db=clean_db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container)), base_url="http://t") as c:
        assert (await c.post("/webchat/api/sessions", json={"user": "rep"})).status_code == 403
        assert (await c.get("/webchat/api/demo-users")).json() == {"demo": False, "users": []}


async def test_pushed_messages_wait_in_the_inbox(client, demo_container):
    s = await session_for(client, "rep")
    chat = demo_container.webchat.sessions.chat_of(s)
    sent = await demo_container.webchat.send(chat, [Text("Follow up 苏州恒力 today")])
    r = await client.get("/webchat/api/inbox", params={"session": s, "after": 0})
    messages = r.json()["messages"]
    assert [m["id"] for m in messages] == [int(sent.message_ids[0])]
    assert messages[0]["replies"] == [{"type": "text", "text": "Follow up 苏州恒力 today"}]
    r = await client.get("/webchat/api/inbox", params={"session": s, "after": messages[0]["id"]})
    assert r.json()["messages"] == []
    assert (await client.get("/webchat/api/inbox", params={"session": "bad"})).status_code == 401


async def test_health_docs_and_page(client):
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] == "ok"
    spec = (await client.get("/openapi.json")).json()
    for path in ("/webchat/api/sessions", "/webchat/api/turns", "/webchat/api/inbox", "/webchat/api/events", "/healthz"):
        assert path in spec["paths"]
    assert (await client.get("/docs")).status_code == 200
    page = await client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
