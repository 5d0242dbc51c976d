"""New lead: one message or a form → duplicate warning → saved, assigned, follow-up task."""

from __future__ import annotations

from sqlalchemy import select

from conversations.inbound import ActionEvent
from core.models import Lead, Task
from tests.support.chat import PLAIN


async def test_one_message_lead_warns_of_duplicate_and_is_assigned(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/lead 王经理 13812345678 苏州恒力机械 需要10台水泵")
    assert "Possible duplicate" in rep.text
    assert "苏州恒力机械有限公司" in rep.text and "phone" in rep.text
    await rep.tap("Save anyway")
    assert "saved and assigned to Zhang Wei" in rep.text and "same region" in rep.text
    async with container.sessionmaker() as s:
        lead = (await s.scalars(select(Lead))).one()
        assert (lead.company_name, lead.contact_name, lead.phone) == ("苏州恒力机械", "王经理", "+8613812345678")
        assert lead.need == "需要10台水泵" and lead.assignee_id == world.uid("rep") and lead.region == "华东"
        task = (await s.scalars(select(Task))).one()
        assert task.user_id == world.uid("rep") and task.lead_id == lead.id


async def test_lead_with_a_bad_phone_asks_again_and_saves_nothing(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/lead")
    await rep.say("张总 常州瑞鼎传动 12345 询价变频电机")
    assert "not a valid phone number" in rep.text
    form = rep.form()
    assert {f.name: f.value for f in form.fields}["company_name"] == "常州瑞鼎传动"
    await rep.submit(company_name="常州瑞鼎传动", contact_name="张总", phone="0519-86881234", email="", need="询价变频电机", source="website")
    assert "New lead: please check" in rep.text
    await rep.tap("Save")
    assert "saved and assigned" in rep.text
    async with container.sessionmaker() as s:
        leads = (await s.scalars(select(Lead))).all()
        assert len(leads) == 1 and leads[0].phone == "+8651986881234" and leads[0].source.value == "website"


async def test_lead_form_one_field_per_message_on_a_plain_platform(container, world, chat_as):
    rep = await chat_as("rep", caps=PLAIN)
    await rep.say("/lead")
    await rep.tap("Fill in a form")
    assert "(1/6) Company" in rep.text
    await rep.say("嘉兴新锐环保科技有限公司")
    await rep.tap("Skip")  # contact person is optional
    await rep.say("not-a-phone")
    assert "not a valid phone number" in rep.text and "(3/6) Phone" in rep.text
    await rep.say("13655556666")
    await rep.say("-")
    await rep.say("污水处理用潜水排污泵")
    await rep.tap("trade show")
    assert "New lead: please check" in rep.text
    await rep.tap("Save")
    async with container.sessionmaker() as s:
        lead = (await s.scalars(select(Lead))).one()
        assert lead.company_name == "嘉兴新锐环保科技有限公司" and lead.email is None and lead.contact_name is None


async def test_cancel_leaves_the_lead_unsaved(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/lead 王经理 13812345678 苏州恒力机械")
    old_save = rep.button("Save")
    await rep.say("取消")
    assert "Cancelled" in rep.text
    await rep.send(ActionEvent(old_save.token or ""))
    assert "expired" in rep.text
    async with container.sessionmaker() as s:
        assert (await s.scalars(select(Lead))).first() is None
