"""The whole ticket through the landed adapters' real front doors: the web chat's JSON API, Telegram's
webhook (a fake Bot API), Slack's signed requests (a fake Web API), Feishu's sealed events (its GCJ-02
locations converted) and the terminal console: the manager creates and
dispatches, the engineer accepts, arrives (native location or the signed page), resolves (form,
modal or step by step) and gets the rating QR code as a native image."""

from __future__ import annotations

import json
import re

import httpx
from sqlalchemy import select

from bootstrap import build, create_app
from conversations.inbound import ConversationKey
from conversations.local import sign_in
from core.models import Ticket, TicketStatus
from tests.conftest import test_settings
from tests.integration.test_service_engineer_dialog import manager_creates_ticket
from tests.support.service_world import make_service_world
from tests.support.telegram import buttons_of
from tests.support.world import SIP

pytest_plugins = ("tests.support.telegram_fixtures",)


async def test_web_chat_api(clean_db, world, chat_as):
    container = await build(test_settings(demo=True), migrate=False, db=clean_db)
    await make_service_world(container.sessionmaker, world)
    number = await manager_creates_ticket(chat_as)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(container)), base_url="http://test") as client:
        session = (await client.post("/webchat/api/sessions", json={"user": "engineer"})).json()["session"]

        async def turn(**body: object) -> list[dict]:
            r = await client.post("/webchat/api/turns", json={"session": session, **body})
            assert r.status_code == 200, r.text
            return r.json()["replies"]

        def action(replies: list[dict], label: str) -> str:
            for reply in replies:
                for option in reply.get("options", []) + reply.get("actions", []):
                    if label in option["label"]:
                        return option["action"]
            raise AssertionError(f"no {label!r} in {replies}")

        replies = await turn(text="/tickets")
        replies = await turn(action=action(replies, number))
        assert replies[0]["type"] == "card" and replies[0]["ref"].startswith("ticket:")
        replies = await turn(action=action(replies, "Accept"))
        replies = await turn(action=action(replies, "Arrived"))
        assert replies[0]["type"] == "ask_location"
        replies = await turn(location={"lat": SIP[0], "lon": SIP[1], "accuracy_m": 9})
        replies = await turn(action=action(replies, "Resolve"))
        assert replies[0]["type"] == "form" and replies[0]["fields"][0]["name"] == "resolution"
        replies = await turn(form={"resolution": "调整叶轮间隙"})
        media = next(r for r in replies if r["type"] == "media")
        assert media["mime"] == "image/png" and media["data_url"].startswith("data:image/png;base64,")
        link = next(o["url"] for r in replies if r["type"] == "choices" for o in r["options"] if "url" in o)
        page = await client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
        assert page.status_code == 200 and number in page.text


async def test_telegram(tg, world):
    await make_service_world(tg.container.sessionmaker, world)
    manager = tg.user(222)
    await sign_in(tg.container.deps, ConversationKey("telegram", "", "222", "222"), "manager")
    await manager.say("/newticket 恒力")
    await manager.tap("X100")
    await manager.tap("Repair")
    await manager.say("泵体异响")
    await manager.tap("Urgent")
    number = re.search(r"FW-\d{6}-\d{4}", manager.text).group(0)

    engineer = tg.user(111)
    await sign_in(tg.container.deps, ConversationKey("telegram", "", "111", "111"), "engineer")
    await engineer.say("/tickets")
    assert number in engineer.text
    (card,) = [c for c in await engineer.tap(number) if c.method == "sendMessage"]
    assert "<b>" in engineer.text and "13812345678" in engineer.text
    await engineer.tap("Accept")
    await engineer.tap("Arrived")
    calls = await engineer.locate(SIP[0] + 0.0003, SIP[1], 15)
    assert "inside the geofence" in engineer.text
    # the ticket, on site, comes again below with its next steps; the copy above keeps no stale "Arrived on site"
    assert "reply_markup" not in engineer.sent_message(card) and "Resolve" in str([buttons_of(c) for c in calls])
    await engineer.tap("Resolve", calls)
    assert "What was done" in engineer.text  # no native forms: asked step by step
    calls = await engineer.say("更换机械密封，试运行正常")
    methods = [c.method for c in calls]
    assert "sendPhoto" in methods, methods
    photo = next(c for c in calls if c.method == "sendPhoto")
    assert photo.params["caption"] == f"Ask the customer to scan this to rate ticket {number}."
    assert any(b.get("url", "").startswith("https://fieldchat.example/rate/") for c in calls for b in buttons_of(c))
    async with tg.container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.status == TicketStatus.RESOLVED and ticket.arrival_inside



async def test_slack(clean_db, world):
    from urllib.parse import urlsplit

    from tests.integration.test_slack_checkin import texts
    from tests.support.slack import slack_env, text_input, view_submission

    def with_button(posts: list[dict], label: str) -> dict:
        """The newest message showing `label`: posted, or a card Slack updated in place."""
        updated = [{"blocks": c.args["blocks"], "ts": c.args["ts"]} for c in env.mock.of("chat.update")]
        for post in reversed([*updated, *posts]):
            if label in json.dumps(post.get("blocks", []), ensure_ascii=False):
                return post
        raise AssertionError(f"no {label!r} in {[texts(p) for p in posts]}")

    async with slack_env(clean_db) as env:
        await make_service_world(env.container.sessionmaker, world)
        manager = await env.bound("manager")
        await manager.command("newticket 恒力")
        for label in ("X100", "Repair"):
            await manager.click(with_button(await manager.settle(), label), label)
        await manager.settle()
        await manager.say("泵体异响")
        await manager.click(with_button(await manager.settle(), "Urgent"), "Urgent")
        number = re.search(r"FW-\d{6}-\d{4}", " ".join(texts(p) for p in await manager.settle())).group(0)

        engineer = await env.bound("engineer")
        await engineer.command("tickets")
        await engineer.click(with_button(await engineer.settle(), number), number)
        card = with_button(await engineer.settle(), "Accept")
        assert "13812345678" in texts(card)
        await engineer.click(card, "Accept")
        await engineer.click(with_button(await engineer.settle(), "Arrived"), "Arrived")
        ask = with_button(await engineer.settle(), "check-in page")
        link = next(b["url"] for b in ask["blocks"][-1]["elements"] if "url" in b)
        posted = await env.http.post(urlsplit(link).path, json={"lat": SIP[0], "lon": SIP[1], "accuracy_m": 12})
        assert posted.status_code == 200 and posted.json()["delivered"] is True
        posts = await engineer.settle()
        assert "inside the geofence" in " ".join(texts(p) for p in posts)
        engineer.seen = len(engineer.posts())
        await engineer.click(with_button(posts, "Resolve"), "Resolve")
        await engineer.click(with_button(await engineer.replies(), "Open the form"), "Open the form")
        [opened] = await env.mock.wait("views.open")
        answer = await engineer.interact(view_submission(engineer.user, opened.args["view"], {"resolution": text_input("更换机械密封")}))
        assert answer.status_code == 200
        await env.mock.wait("files.completeUploadExternal")
        [upload] = env.mock.of("upload")
        assert upload.args["data"].startswith(b"\x89PNG")
        async with env.container.sessionmaker() as s:
            ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
            assert ticket.status == TicketStatus.RESOLVED and ticket.resolution == "更换机械密封"


async def test_console(container, world, chat_as):
    await make_service_world(container.sessionmaker, world)
    number = await manager_creates_ticket(chat_as)
    # numbers as the console shows them: the ticket, Accept, Arrived, typed position, Resolve (4th on site), the answer
    lines = iter(["/tickets", "1", "1", "1", f"loc {SIP[0]},{SIP[1]} 20", "4", "更换轴承，试运行正常"])
    shown: list[str] = []

    def read(_prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    await container.adapters.get("console").run("engineer", read=read, write=shown.append)
    output = "\n".join(shown)
    assert f"1. {number} 苏州恒力机械有限公司" in output and "1. ✅ Accept" in output
    assert "inside the geofence" in output and "typed coordinates" in output
    assert re.search(rf"\[image: rating-{number}\.png, \d+ bytes\] Ask the customer to scan", output)
    assert "⭐ Rating page: http://127.0.0.1:8000/rate/" in output
    async with container.sessionmaker() as s:
        ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket.status == TicketStatus.RESOLVED and ticket.arrival_flags == ["static_pin", "typed_coordinates"]


async def test_feishu_with_a_gcj02_arrival(clean_db, world, chat_as):
    from core.datum import wgs84_to_gcj02
    from tests.integration.test_feishu_adapter import button, card_texts
    from tests.support.feishu import card_action, feishu_rig, message

    engineer = "ou_eng0001"
    manager = await chat_as("manager")
    await make_service_world(manager.engine.deps.sessionmaker, world)
    number = await manager_creates_ticket(chat_as)
    async with feishu_rig(clean_db) as rig:
        await rig.bind("engineer", engineer)

        async def tap(label: str) -> None:
            for sent in reversed(rig.fake.sent()):
                content = sent["content"]
                if isinstance(content, dict) and label in card_texts(content):
                    await rig.post(card_action(engineer, button(content, label)["value"]))
                    await rig.adapter.drain()
                    return
            raise AssertionError(f"no {label!r} sent")

        await rig.event(message(engineer, "text", {"text": "/tickets"}))
        await rig.adapter.drain()
        await tap(number)
        assert "13812345678" in card_texts(rig.fake.sent()[-1]["content"])
        await tap("Accept")
        await tap("Arrived")
        lat, lon = wgs84_to_gcj02(SIP[0] + 0.0005, SIP[1])  # ~55 m away, as Feishu reports it in China
        await rig.event(message(engineer, "location", {"name": "星湖街", "latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}"}))
        await rig.adapter.drain()
        assert "inside the geofence" in json.dumps(rig.fake.sent()[-2:], ensure_ascii=False)
        async with rig.container.sessionmaker() as s:
            ticket = await s.scalar(select(Ticket).where(Ticket.number == number))
            assert ticket.status == TicketStatus.ON_SITE and 40 < (ticket.arrival_distance_m or 0) < 70
