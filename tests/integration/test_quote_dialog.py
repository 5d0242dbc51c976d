"""A whole quote in chat: draft → submit → manager → director → order, as rep and approvers see it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.models import ApprovalStep, Order, Quote, QuoteLine, QuoteStatus, StepStatus
from tests.support.catalog import add_catalog


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


async def draft_big_quote(rep) -> None:
    await rep.say("/quote 恒力")  # one customer matches as typed: the draft starts without a pick
    assert re.search(r"Draft Q-\S+ for 苏州恒力机械有限公司 started\.", rep.text)
    await rep.say("X1000")  # exactly one product's model: taken without a pick
    await rep.tap("100kW")
    await rep.tap("不锈钢")
    assert "☑ 100kW" in rep.text and "☑ 不锈钢泵体" in rep.text
    await rep.tap("Done")
    await rep.say("5")
    await rep.tap("10 %")


async def test_draft_submit_two_steps_and_order(container, world, chat_as, catalog):
    rep = await chat_as("rep")
    await draft_big_quote(rep)
    # (96,000 + 12,000 + 8,500) × 5 = 582,500 at list; −10 % → 524,250.00
    assert "¥582,500.00" in rep.text and "¥524,250.00" in rep.text
    await rep.tap("Submit")
    assert "waiting for Wang Qiang (manager)" in rep.text and "2 approval steps" in rep.text

    manager = await chat_as("manager")
    await manager.say("/approvals")
    assert "1 approval waits for you" in manager.text
    assert "total above CN¥100,000.00" in manager.text
    await manager.tap("Approve")
    assert "Next: Zhao Min (director)" in manager.text

    director = await chat_as("director")
    await director.say("/approvals")
    assert "total above CN¥500,000.00" in director.text
    await director.tap("Approve")
    assert "fully approved" in director.text
    assert not [a for r in director.last for a in getattr(r, "actions", ())]

    await rep.say("/quotes")
    await rep.tap("Q-")
    assert "Approved" in rep.text
    await rep.tap("Convert to order")
    assert "Order SO-" in rep.text
    async with container.sessionmaker() as s:
        quote = (await s.scalars(select(Quote))).one()
        assert quote.status == QuoteStatus.ORDERED and quote.total == Decimal("524250.00")
        steps = (await s.scalars(select(ApprovalStep).order_by(ApprovalStep.position))).all()
        assert [x.status for x in steps] == [StepStatus.APPROVED, StepStatus.APPROVED]
        assert [x.decided_by_id for x in steps] == [world.uid("manager"), world.uid("director")]
        assert all(x.decided_platform == "test" and x.decided_at for x in steps)
        order = (await s.scalars(select(Order))).one()
        assert order.total == quote.total and order.quote_id == quote.id
        line = (await s.scalars(select(QuoteLine))).one()
        assert line.unit_price == Decimal("116500.00") and line.quantity == 5


async def test_a_typed_model_with_its_quantity_skips_the_pick_and_the_question(container, world, chat_as, catalog):
    rep = await chat_as("rep")
    await rep.say("/quote 恒力")
    await rep.say("l20 6桶")  # any case; the unit word as people write it
    assert "Discount on this line?" in rep.text and "match" not in rep.text
    await rep.tap("5 %")
    await rep.say("L20 abc")  # the model stands; the quantity it cannot read is asked for
    assert rep.text == "How many (桶)?"
    await rep.say("2")
    await rep.tap("0 %")
    await rep.say("X10 2")  # not a model: the matches are offered
    assert "Which one?" in rep.text and "X100 ·" in rep.text
    async with container.sessionmaker() as s:
        lines = (await s.scalars(select(QuoteLine).order_by(QuoteLine.id))).all()
    assert [(line.quantity, line.discount_pct) for line in lines] == [(6, 5), (2, 0)]


async def test_a_quantity_typed_with_the_model_is_not_asked_again_after_options_or_unit(container, world, chat_as, catalog):
    rep = await chat_as("rep")
    await rep.say("/quote 恒力")
    await rep.say("X1000 3")  # options to pick first; the 3 answers the quantity afterwards
    await rep.tap("100kW")
    await rep.tap("Done")
    assert "Options: 100kW 电机 +CN¥12,000.00\nDiscount on this line?" in rep.text and "How many" not in rep.text
    await rep.tap("0 %")
    await rep.say("B200 2箱")  # the unit named as typed: no unit list either
    assert "Discount on this line?" in rep.text
    await rep.tap("0 %")
    await rep.say("B200 4")  # a bare number: the unit is asked, then the 4 counts in it
    assert "In which unit?" in rep.text
    await rep.tap("箱")
    assert "Discount on this line?" in rep.text
    await rep.tap("0 %")
    async with container.sessionmaker() as s:
        lines = (await s.scalars(select(QuoteLine).order_by(QuoteLine.id))).all()
    assert [(line.description, line.quantity, line.unit) for line in lines] == [
        ("X1000 大流量离心泵 + 100kW 电机", 3, "台"), ("B200 变频电机", 2, "箱"), ("B200 变频电机", 4, "箱"),
    ]


async def test_a_customer_named_as_typed_starts_the_draft_and_a_guess_asks_first(container, world, chat_as, catalog):
    """A draft is stored on the pick, so only a name matched as typed skips it; a typo is a guess to confirm."""
    rep = await chat_as("rep")
    await rep.say("/quote 恒利机械")  # 恒利 for 恒力: the only hit, but a fuzzy one
    assert rep.text.startswith("1 customer matches. Tap it to go on.") and rep.button("苏州恒力")
    await rep.say("苏州")  # typed again at the question: two customers, neither ahead
    assert rep.button("苏州恒力") and rep.button("苏州天宇")
    async with container.sessionmaker() as s:
        assert (await s.scalars(select(Quote))).all() == []
    await rep.say("szhl")  # the initials, exactly: straight on
    assert re.search(r"^Draft Q-\S+ for 苏州恒力机械有限公司 started\.", rep.text) and "Which product?" in rep.text
    async with container.sessionmaker() as s:
        assert [q.customer_id for q in (await s.scalars(select(Quote))).all()] == [world.cid("hengli")]


async def test_a_second_tap_on_the_customer_drafts_no_second_quote(container, world, chat_as, catalog):
    from conversations.inbound import ActionEvent

    rep = await chat_as("rep")
    await rep.say("/quote 苏州")
    hengli, tianyu = rep.button("苏州恒力"), rep.button("苏州天宇")
    await rep.send(ActionEvent(hengli.token or ""))
    assert rep.text.startswith("Draft Q-")
    number = rep.text.split()[1]
    await rep.send(ActionEvent(hengli.token or ""))  # a double tap on a slow network
    assert rep.text.startswith(f"Draft {number} for 苏州恒力机械有限公司 is already open, so no second draft was started.")
    await rep.send(ActionEvent(tianyu.token or ""))  # the next name on the same list
    assert rep.text.startswith(f"Draft {number} is for 苏州恒力机械有限公司, so nothing was started for 苏州天宇精密科技有限公司.")
    await rep.say("X100 2")  # the draft goes on where it was
    assert "How many" not in rep.text
    async with container.sessionmaker() as s:
        assert [(q.number, q.customer_id) for q in (await s.scalars(select(Quote)))] == [(number, world.cid("hengli"))]

    await rep.say("/cancel")
    await rep.say("/c 恒力")
    card = rep.last
    await rep.tap("New quote")
    again = rep.text.split()[1]
    rep.last = card
    await rep.tap("New quote")  # the card's button tapped twice
    assert rep.text.startswith(f"Draft {again} for 苏州恒力机械有限公司 is already open")
    async with container.sessionmaker() as s:
        assert len((await s.scalars(select(Quote))).all()) == 2  # the cancelled one, and one from the card
