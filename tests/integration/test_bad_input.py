"""Bad input gets a clear answer in the user's language, and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conversations.inbound import ActionEvent, FormEvent, LocationEvent
from core.models import AuditEntry, ContactRecord, Customer, Lead, Visit
from tests.support.world import SIP


async def counts(container) -> tuple[int, ...]:
    async with container.sessionmaker() as s:
        return tuple([int(await s.scalar(select(func.count()).select_from(m))) for m in (Visit, ContactRecord, Lead, AuditEntry)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "message is empty"),
        ("   ", "message is empty"),
        ("字" * 10_000, "too long (10000 characters; at most 4000)"),
        ("🦄🔥 mixed 混合 ٱلسَّلَام", "did not understand"),
        ("/frobnicate now", "Unknown command /frobnicate"),
    ],
)
async def test_odd_texts(container, world, chat_as, text, expected):
    rep = await chat_as("rep")
    before = await counts(container)
    await rep.say(text)
    assert expected in rep.text
    assert await counts(container) == before


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [(95.0, 120.0, "not valid"), (31.0, 200.0, "not valid"), (0.0, 0.0, "0, 0"), (float("nan"), 120.0, "not valid")],
)
async def test_impossible_locations(container, world, chat_as, lat, lon, expected):
    rep = await chat_as("rep")
    await rep.say("/checkin")
    before = await counts(container)
    await rep.send(LocationEvent(lat, lon, 10))
    assert expected in rep.text
    assert await counts(container) == before
    await rep.locate(SIP[0], SIP[1])  # the dialog is still there to retry
    assert "苏州恒力" in rep.text


async def test_check_in_with_no_customer_nearby_offers_search(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.locate(45.75, 126.63)  # Harbin: nothing near
    assert "None of your customers is within 3" in rep.text
    await rep.say("恒力")
    await rep.tap("苏州恒力")
    assert "outside" in rep.text and "Checked in" in rep.text


async def test_unknown_forged_and_stale_tokens(container, world, chat_as):
    rep = await chat_as("rep")
    before = await counts(container)
    for token in ("garbage", "ci.-.p1.AAAAAA", "x" * 200):
        await rep.send(ActionEvent(token))
        assert "expired" in rep.text
    await rep.say("/checkin")
    await rep.locate(*SIP)
    pick = rep.button("苏州恒力")
    await rep.say("/cancel")
    await rep.send(ActionEvent(pick.token or ""))
    assert "expired" in rep.text
    assert await counts(container) == before


async def test_malformed_form_fields_are_named_and_nothing_saved(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/visit 恒力")
    before = await counts(container)
    await rep.send(FormEvent({"kind": "telepathy", "summary": "", "next_contact": "someday"}))
    errors = dict(rep.form().errors)
    assert set(errors) == {"kind", "summary", "next_contact"}
    assert "required" in errors["summary"] and "not a date" in errors["next_contact"]
    assert await counts(container) == before


async def test_rep_may_not_touch_another_teams_customer(container, world, chat_as):
    rep = await chat_as("rep")
    pl = container.deps.codec
    before = await counts(container)
    await rep.send(ActionEvent(pl.encode("vl", "-", f"p{world.cid('huaguang')}")))
    assert "belongs to another rep" in rep.text
    await rep.send(ActionEvent(pl.encode("pl", "-", f"yes{world.cid('huaguang')}")))
    assert "belongs to another rep" in rep.text
    await rep.send(ActionEvent(pl.encode("cu", "-", f"v:{world.cid('huaguang')}")))
    assert "belongs to another rep" in rep.text
    assert await counts(container) == before
    async with container.sessionmaker() as s:
        assert (await s.get(Customer, world.cid("huaguang"))).owner_id == world.uid("rep3")


async def test_roles_without_field_work_cannot_check_in(container, world, chat_as):
    finance = await chat_as("finance")
    await finance.say("/checkin")
    assert "do not have permission" in finance.text
    await finance.locate(*SIP)  # a shared location says why nothing happened
    assert "check-ins are for customer visits" in finance.text and "nothing was recorded" in finance.text
    async with container.sessionmaker() as s:
        assert (await s.scalars(select(Visit))).first() is None


async def test_customer_without_gps_cannot_be_checked_in(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.locate(31.38, 120.98)
    await rep.say("昆山远航")
    await rep.tap("昆山远航")
    assert "no GPS location on record" in rep.text and "/visit" in rep.text


async def test_answers_follow_the_users_language(container, world, chat_as):
    rep = await chat_as("rep", locale_hint="zh-CN")
    await rep.say("")
    assert "消息为空" in rep.text
    await rep.say("/lang en")
    await rep.say("")
    assert "message is empty" in rep.text
