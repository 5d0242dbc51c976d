"""Admins' thresholds, approvers away with a delegate, the forecast chart, the 360 sales section."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from conversations.inbound import Capabilities
from conversations.messages import Media
from core.models import ApprovalRule, ApprovalStep, Opportunity, OpportunityStage, Quote, QuoteStatus, utcnow
from tests.support.catalog import add_catalog
from tests.support.quotes import submitted_quote


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


async def test_an_admin_raises_the_manager_threshold(container, world, chat_as, catalog):
    admin = await chat_as("admin")
    await admin.say("/rules")
    assert "1. manager: total above CN¥100,000.00" in admin.text
    assert "2. director: total above CN¥500,000.00 or a discount above 15 %" in admin.text
    await admin.tap("Level 1")
    await admin.say("lots")
    assert "is not a number" in admin.text
    await admin.say("25万")
    await admin.say("-")
    assert "Saved." in admin.text and "1. manager: total above CN¥250,000.00" in admin.text
    async with container.sessionmaker() as s:
        rules = (await s.scalars(select(ApprovalRule).order_by(ApprovalRule.level))).all()
        assert [(r.amount_above, r.discount_above) for r in rules] == [(Decimal(250000), None), (Decimal(500000), Decimal(15))]
    quote_id = await submitted_quote(container.sessionmaker, world, catalog, qty=2)  # 192,000: now below the bar
    async with container.sessionmaker() as s:
        assert (await s.get(Quote, quote_id)).status == QuoteStatus.APPROVED
    rep = await chat_as("rep")
    await rep.say("/rules")
    assert "do not have permission" in rep.text


async def test_a_delegate_decides_while_the_manager_is_away(container, world, chat_as, catalog):
    manager = await chat_as("manager")
    await manager.say("/away")
    await manager.tap("Zhou Tao")
    await manager.say("in 3 days")
    assert "Zhou Tao approves for you until" in manager.text
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    delegate = await chat_as("manager2")
    await delegate.say("/approvals")
    assert "1 approval waits for you" in delegate.text
    await delegate.tap("Approve")
    assert "fully approved" in delegate.text and "(for Wang Qiang)" in delegate.text
    async with container.sessionmaker() as s:
        step = (await s.scalars(select(ApprovalStep))).one()
        assert step.decided_by_id == world.uid("manager2") and step.on_behalf_of_id == world.uid("manager")
    await manager.say("/away off")
    assert "Welcome back" in manager.text
    await submitted_quote(container.sessionmaker, world, catalog, qty=3)
    await delegate.say("/approvals")
    assert "Nothing waits for your approval" in delegate.text
    rep = await chat_as("rep")
    await rep.say("/away")
    assert "do not have permission" in rep.text


async def add_opportunities(container, world) -> None:
    today = utcnow().date()
    async with container.sessionmaker() as s:
        for stage, amount, days in ((OpportunityStage.SOLUTION, 200000, 10), (OpportunityStage.NEGOTIATION, 100000, 40), (OpportunityStage.WON, 90000, -3)):
            s.add(Opportunity(customer_id=world.cid("hengli"), owner_id=world.uid("rep"), name=f"泵房改造 {stage.value}", stage=stage,
                              amount=Decimal(amount), probability={"solution": 40, "negotiation": 80, "won": 100}[stage.value],
                              expected_close=today + timedelta(days=days)))
        s.add(Opportunity(customer_id=world.cid("huaguang"), owner_id=world.uid("rep3"), name="华北项目", stage=OpportunityStage.QUOTE,
                          amount=Decimal(500000), probability=60, expected_close=today + timedelta(days=5)))
        await s.commit()


async def test_forecast_by_month_with_a_chart(container, world, chat_as):
    await add_opportunities(container, world)
    rep = await chat_as("rep")
    await rep.say("/forecast")
    assert "next 6 months: CN¥160,000.00" in rep.text  # 200,000 × 40 % + 100,000 × 80 %; won and others' excluded
    chart = next(r for r in rep.last if isinstance(r, Media))
    assert chart.mime == "image/png" and chart.data.startswith(b"\x89PNG") and len(chart.data) > 5000
    director = await chat_as("director")
    await director.say("/forecast")
    assert "CN¥460,000.00" in director.text  # everyone's
    plain = await chat_as("manager2", caps=Capabilities(buttons=0, images=False))
    await plain.say("/forecast")
    assert "CN¥300,000.00" in plain.text and not [r for r in plain.last if isinstance(r, Media)]


async def test_the_360_card_shows_opportunities_and_quotes(container, world, chat_as, catalog):
    await add_opportunities(container, world)
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    rep = await chat_as("rep")
    await rep.say("/c 恒力")
    assert "Open opportunities (2)" in rep.text and "泵房改造 solution · solution · CN¥200,000.00 · 40 %" in rep.text
    assert "Quotes (1)" in rep.text and "Pending approval · CN¥192,000.00 → Wang Qiang" in rep.text
    await rep.tap("New quote")
    assert "Draft Q-" in rep.text and "Link it to an open opportunity?" in rep.text
    other = await chat_as("rep2")
    await other.say("/c 天宇")
    assert "Open opportunities" not in other.text
