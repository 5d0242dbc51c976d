"""Check-in as a rep does it: location → nearby customer → verdict → photo → check out."""

from __future__ import annotations

from sqlalchemy import select

from conversations.inbound import ActionEvent
from core.models import AuditEntry, ContactRecord, Customer, Visit
from tests.support.chat import actions_of
from tests.support.world import SIP


async def test_check_in_nearby_pick_photo_and_check_out(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/checkin")
    assert "location" in rep.text.lower()
    await rep.locate(SIP[0] + 0.0009, SIP[1], accuracy=12)  # about 100 m north
    assert "苏州恒力机械有限公司" in rep.text
    await rep.tap("苏州恒力")
    assert "Checked in" in rep.text and "inside" in rep.text
    await rep.photo("tg:photo-1")
    assert "1 so far" in rep.text
    await rep.tap("Check out")
    form = rep.form()
    assert [f.name for f in form.fields] == ["summary", "next_step", "next_contact"]
    await rep.submit(summary="介绍X100离心泵，客户关注能耗", next_step="下周报价", next_contact="")
    assert "Checked out" in rep.text
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.customer_id == world.cid("hengli")
        assert 95 < visit.distance_m < 105 and visit.inside_fence
        assert visit.photo_refs == ["tg:photo-1"] and visit.checked_out_at is not None
        record = (await s.scalars(select(ContactRecord))).one()
        assert record.visit_id == visit.id and record.summary.startswith("介绍X100")
        customer = await s.get(Customer, world.cid("hengli"))
        assert customer.next_contact_at is not None and customer.next_contact_at > visit.checked_in_at


async def test_doubtful_check_ins_are_shown_to_the_manager_not_hidden(container, world, chat_as):
    from datetime import timedelta

    from core.models import utcnow

    rep = await chat_as("rep")
    earlier = utcnow() - timedelta(minutes=10)
    await rep.locate(31.2304, 121.4737, accuracy=20, taken_at=earlier)  # Shanghai, ten minutes ago
    await rep.say("恒力")
    await rep.tap("苏州恒力")
    assert "outside" in rep.text
    await rep.locate(SIP[0], SIP[1], accuracy=900)  # Suzhou now: 80 km in 10 minutes, poor accuracy
    await rep.tap("苏州恒力")
    assert "impossible speed" in rep.text and "poor accuracy" in rep.text
    manager = await chat_as("manager")
    await manager.say("/checkins")
    assert manager.text.count("Zhang Wei @ 苏州恒力机械有限公司") == 2
    assert "impossible speed since the previous check-in" in manager.text and "outside the fence" in manager.text
    await manager.say("/c 恒力")
    assert "⚠️" in manager.text
    other = await chat_as("manager2")
    await other.say("/checkins")
    assert "Zhang Wei" not in other.text and "No check-ins" in other.text
    await rep.say("/checkins")
    assert "do not have permission" in rep.text


async def test_logging_a_visit_while_checked_in_offers_to_write_up_that_visit(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/visit")
    assert rep.text.startswith("Which customer?")  # nothing open: the usual question
    await rep.say("/cancel")
    await rep.locate(SIP[0] + 0.0009, SIP[1], accuracy=12)
    await rep.tap("苏州恒力")
    await rep.say("/visit")
    assert "You are checked in at 苏州恒力机械有限公司" in rep.text
    await rep.say("和采购沟通了新产线的泵需求")  # the write-up typed right away: no customer is called that
    assert "No customer found" in rep.text and "checked in at 苏州恒力机械有限公司" in rep.text
    await rep.tap("Check out and log this visit")
    await rep.submit(summary="和采购沟通了新产线的泵需求", next_step="", next_contact="")
    assert "Checked out" in rep.text
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        record = (await s.scalars(select(ContactRecord))).one()
        assert visit.checked_out_at is not None and record.visit_id == visit.id and record.summary == "和采购沟通了新产线的泵需求"


async def test_a_second_tap_on_the_nearby_list_records_no_second_visit(container, world, chat_as):
    rep = await chat_as("rep")
    listed = await rep.locate(SIP[0] + 0.0003, SIP[1])
    same, other = rep.button("苏州恒力"), rep.button("苏州天宇")
    await rep.send(ActionEvent(same.token or ""))
    assert "Checked in: 苏州恒力机械有限公司" in rep.text
    await rep.send(ActionEvent(same.token or ""))  # a double tap on a slow network
    assert rep.text.startswith("✅ You are already checked in at 苏州恒力机械有限公司 (since ")
    await rep.send(ActionEvent(other.token or ""))  # the neighbour on the same list
    assert "so 苏州天宇精密科技有限公司 was not recorded" in rep.text and "check out of 苏州恒力机械有限公司 first" in rep.text
    assert [a.label for a in actions_of(rep.last)] == ["Check out"]
    async with container.sessionmaker() as s:
        assert [v.customer_id for v in (await s.scalars(select(Visit)))] == [world.cid("hengli")]
        assert len((await s.scalars(select(AuditEntry).where(AuditEntry.action == "visit.check_in"))).all()) == 1
    rep.last = listed
    await rep.locate(SIP[0] + 0.0003, SIP[1])  # a new position: picking again is a new check-in
    await rep.tap("苏州天宇")
    assert "Checked in: 苏州天宇精密科技有限公司" in rep.text


async def test_a_message_typed_after_the_check_in_is_a_new_request_and_photos_still_reach_the_visit(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.locate(SIP[0] + 0.0003, SIP[1])
    await rep.tap("苏州恒力")
    await rep.say("hi")
    assert rep.text.startswith("Hello Zhang Wei!") and "What would you like to do?" in rep.text
    await rep.say("天宇")
    assert "苏州天宇精密科技有限公司" in rep.text and "does not fit" not in rep.text
    await rep.photo("tg:photo-after")
    assert "1 so far" in rep.text
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.customer_id == world.cid("hengli") and visit.photo_refs == ["tg:photo-after"]
