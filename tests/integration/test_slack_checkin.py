"""Whole dialogs through Slack payloads: binding, and check-in through the signed page to check-out."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from conversations.i18n import translate
from core.models import ChatIdentity, ContactRecord, Customer, User, Visit
from core.services.identities import create_binding_code
from core.uow import UnitOfWork
from tests.support.slack import dm_event, find_button, slack_env, text_input, view_submission
from tests.support.slack_mock import TEAM
from tests.support.world import SIP


@pytest.fixture
async def env(clean_db, world):
    async with slack_env(clean_db) as env:
        yield env


def texts(message: dict) -> str:
    """Everything a person reads in a posted message."""
    out = [message.get("text", "")]
    for block in message["blocks"]:
        for part in (block.get("text"), *block.get("fields", []), *block.get("elements", [])):
            if isinstance(part, dict):
                out.append(part.get("text", "") if isinstance(part.get("text"), str) else part.get("text", {}).get("text", ""))
    return "\n".join(out)


async def test_an_unbound_user_is_told_how_to_bind_and_nothing_else(env, world):
    stranger = env.person("U0STRANGER")
    await stranger.command("c hengli")
    posts = await stranger.settle()
    assert posts and "binding code" in texts(posts[0])
    assert all("苏州恒力" not in texts(p) for p in posts)
    async with UnitOfWork(env.container.sessionmaker) as uow:
        code = await create_binding_code(uow, actor=None, login="rep")
        await uow.commit()
    await stranger.command(f"bind {code}")
    posts = await stranger.settle()
    assert "张伟" in texts(posts[0]) or "Zhang Wei" in texts(posts[0])
    async with env.container.sessionmaker() as s:
        identity = (await s.scalars(select(ChatIdentity).where(ChatIdentity.platform == "slack"))).one()
        assert (identity.workspace, identity.external_user_id, identity.chat_id) == (TEAM, "U0STRANGER", "DU0STRANGER")
        assert identity.user_id == world.uid("rep")


async def test_check_in_through_the_signed_page_then_photo_and_check_out(env, world):
    rep = await env.bound("rep")
    await rep.command("checkin")
    [ask] = await rep.replies()
    link = find_button(ask["blocks"], "check-in page")
    assert "check in" in texts(ask).lower() and link["url"].startswith("http://127.0.0.1:8000/p/loc/")

    page = await env.http.get(urlsplit(link["url"]).path)
    assert page.status_code == 200 and "navigator.geolocation" in page.text
    posted = await env.http.post(urlsplit(link["url"]).path, json={"lat": SIP[0] + 0.0009, "lon": SIP[1], "accuracy_m": 14.5})
    assert posted.status_code == 200 and posted.json()["delivered"] is True
    assert "Go back to the chat" in posted.json()["message"]
    [nearby] = await rep.replies()
    assert "Customers near you" in texts(nearby)

    await rep.click(nearby, "苏州恒力")
    receipt, _hint = await rep.replies(2)
    assert receipt["blocks"][0]["block_id"].startswith("card:visit:") and "inside" in texts(receipt)
    [decided] = await env.mock.wait("chat.update")
    assert decided.args["ts"] == nearby["ts"] and all(b["type"] != "actions" for b in decided.args["blocks"])
    assert "✓ Suzhou Hengli Machinery Co., Ltd. · 苏州恒力" in json.dumps(decided.args["blocks"], ensure_ascii=False)

    photo = {"subtype": "file_share", "files": [{"id": "F0GATE", "mimetype": "image/jpeg", "name": "gate.jpg"}]}
    await rep.event(dm_event("the gate", user=rep.user, **photo))
    [added] = await rep.replies()
    assert "1 so far" in texts(added)

    await rep.click(added, "Check out")
    [opener] = await rep.replies()
    await rep.click(opener, "Open the form")
    [opened] = await env.mock.wait("views.open")
    view = opened.args["view"]
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["summary", "next_step", "next_contact"]
    values = {"summary": text_input("介绍X100离心泵"), "next_step": text_input("下周报价"), "next_contact": {"type": "datepicker", "selected_date": None}}
    answer = await rep.interact(view_submission(rep.user, view, values))
    assert answer.status_code == 200 and answer.text == ""
    [done] = await rep.replies()
    assert "Checked out" in texts(done)
    marked = await env.mock.wait("chat.update", 2)
    assert marked[-1].args["ts"] == opener["ts"] and "Submitted" in json.dumps(marked[-1].args["blocks"])

    async with env.container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.customer_id == world.cid("hengli") and visit.inside_fence
        assert visit.source == "web" and visit.accuracy_m == pytest.approx(14.5)
        assert visit.photo_refs == ["slack:F0GATE"] and visit.checked_out_at is not None
        assert (await s.scalars(select(ContactRecord))).one().summary == "介绍X100离心泵"


async def test_the_check_in_link_works_once(env):
    rep = await env.bound("rep")
    await rep.command("checkin")
    [ask] = await rep.replies()
    path = urlsplit(find_button(ask["blocks"], "check-in page")["url"]).path
    first = await env.http.post(path, json={"lat": SIP[0], "lon": SIP[1], "accuracy_m": 10})
    assert first.status_code == 200
    await rep.replies()
    again = await env.http.post(path, json={"lat": SIP[0], "lon": SIP[1], "accuracy_m": 10})
    assert again.status_code == 410 and "works once" in again.json()["detail"]
    page = await env.http.get(path)
    assert page.status_code == 410 and "already used" in page.text
    await rep.settle()
    assert len(rep.posts()) == 2


async def test_check_in_page_speaks_the_users_language(env, world):
    rep = await env.bound("rep")
    async with env.container.sessionmaker() as s:
        (await s.get(User, world.uid("rep"))).locale = "zh-CN"
        await s.commit()
    await rep.command("checkin")
    [ask] = await rep.replies()
    link = find_button(ask["blocks"], "签到页面")
    page = await env.http.get(urlsplit(link["url"]).path)
    assert '<html lang="zh-CN">' in page.text and "发送我的位置" in page.text
    assert translate("zh-CN", "checkin.ask_location") in texts(ask)


async def test_visit_log_in_a_dm_with_its_form_in_a_modal(env, world):
    rep = await env.bound("rep")
    await rep.say("visit")
    [ask] = await rep.replies()
    assert "Which customer" in texts(ask)
    await rep.say("恒力")  # the only match: its form at once
    [opener] = await rep.replies()
    await rep.click(opener, "Open the form")
    [opened] = await env.mock.wait("views.open")
    view = opened.args["view"]
    kind = next(b for b in view["blocks"] if b.get("block_id") == "kind")["element"]["options"][0]["value"]
    values = {"kind": {"type": "static_select", "selected_option": {"value": kind}}, "summary": text_input("电话沟通交期"),
              "next_step": text_input(None), "next_contact": {"type": "datepicker", "selected_date": None}}
    assert (await rep.interact(view_submission(rep.user, view, values))).status_code == 200
    [saved] = await rep.replies()
    assert "Saved for 苏州恒力机械有限公司" in texts(saved)
    async with env.container.sessionmaker() as s:
        record = (await s.scalars(select(ContactRecord))).one()
        assert (record.customer_id, record.summary) == (world.cid("hengli"), "电话沟通交期")


async def test_pool_near_me_through_the_signed_page_then_claim(env, world):
    rep = await env.bound("rep")
    await rep.command("pool")
    [menu] = await rep.replies()
    await rep.click(menu, "Near me")
    [ask] = await rep.replies()
    path = urlsplit(find_button(ask["blocks"], "check-in page")["url"]).path
    assert (await env.http.post(path, json={"lat": SIP[0], "lon": SIP[1], "accuracy_m": 20})).status_code == 200
    [nearby] = await rep.replies()
    await rep.click(nearby, "Claim: Suzhou Tianyu")
    [claimed] = await rep.replies()
    assert "is now yours" in texts(claimed)
    async with env.container.sessionmaker() as s:
        assert (await s.get(Customer, world.cid("tianyu"))).owner_id == world.uid("rep")
