"""Exactly once: simultaneous approve and reject clicks from several people, devices and platforms."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select

from conversations.inbound import ActionEvent, TextEvent
from core.events import EventBus
from core.models import ApprovalStep, AuditEntry, Quote, QuoteStatus, StepStatus, User
from core.services import absences
from core.uow import Actor, UnitOfWork
from tests.support.catalog import add_catalog
from tests.support.quotes import submitted_quote

N_PLATFORMS = ("test", "tg", "slack", "wecom")


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


async def mark_away(container, world, login: str, delegate: str) -> None:
    async with UnitOfWork(container.sessionmaker, EventBus()) as uow:
        user = await uow.session.get_one(User, world.uid(login))
        await absences.go_away(uow, actor=Actor(user, "test"), delegate_id=world.uid(delegate), until=None, today=date.today())
        await uow.commit()


async def test_simultaneous_clicks_make_one_decision_and_everyone_else_is_told(container, world, chat_as, catalog):
    quote_id = await submitted_quote(container.sessionmaker, world, catalog, qty=2)  # 192,000: manager only
    await mark_away(container, world, "manager", "manager2")  # the delegate may decide too
    approvers = [await chat_as(login, platform=p) for login in ("manager", "manager2") for p in N_PLATFORMS]
    for chat in approvers:
        await chat.say("/approvals")
        assert "1 approval waits for you" in chat.text
    approve_token = approvers[0].button("Approve").token
    rejecters = approvers[1::2]
    for chat in rejecters:  # half of them reject: tap Reject first, then all reasons and approvals arrive at once
        await chat.tap("Reject")
        assert "Why do you reject" in chat.text
    clickers = [c for c in approvers if c not in rejecters]
    results = await asyncio.gather(
        *(c.send(ActionEvent(approve_token)) for c in clickers),
        *(c.send(TextEvent(f"too expensive ({c.platform})")) for c in rejecters),
    )
    texts = ["\n".join(getattr(r, "text", "") for r in replies) for replies in results]
    winners = [t for t in texts if "Approved:" in t or "Rejected:" in t]
    losers = [t for t in texts if "your click changed nothing" in t]
    assert len(winners) == 1, texts
    assert len(losers) == len(approvers) - 1, texts
    async with container.sessionmaker() as s:
        step = (await s.scalars(select(ApprovalStep))).one()
        quote = await s.get(Quote, quote_id)
        assert step.status in (StepStatus.APPROVED, StepStatus.REJECTED) and step.decided_by_id in (world.uid("manager"), world.uid("manager2"))
        assert quote.status == (QuoteStatus.APPROVED if step.status == StepStatus.APPROVED else QuoteStatus.REJECTED)
        decisions = await s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("approval.%")))
        assert decisions == 1
        decider = await s.get(User, step.decided_by_id)
    name = decider.name_en
    assert all(name in t for t in losers)
    if step.decided_by_id == world.uid("manager2"):
        assert step.on_behalf_of_id == world.uid("manager")


async def test_a_stale_card_clicked_later_is_refused_politely(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    web = await chat_as("manager")
    phone = await chat_as("manager", platform="tg")
    await web.say("/approvals")
    await phone.say("/approvals")
    await web.tap("Approve")
    assert "fully approved" in web.text
    await phone.tap("Approve")  # the copy on the other device, tapped afterwards
    assert "Already approved by Wang Qiang" in phone.text and "changed nothing" in phone.text


async def test_withdraw_and_approve_at_once_leave_one_outcome(container, world, chat_as, catalog):
    quote_id = await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    rep, manager = await chat_as("rep"), await chat_as("manager")
    await manager.say("/approvals")
    await rep.say("/quotes")
    await rep.tap("Q-")
    approve, withdraw = manager.button("Approve").token, rep.button("Withdraw").token
    a, w = await asyncio.gather(manager.send(ActionEvent(approve)), rep.send(ActionEvent(withdraw)))
    async with container.sessionmaker() as s:
        quote = await s.get(Quote, quote_id)
        step = (await s.scalars(select(ApprovalStep))).one()
    if quote.status == QuoteStatus.WITHDRAWN:
        assert step.status == StepStatus.CANCELLED
        assert "quote is Withdrawn" in "\n".join(getattr(r, "text", "") for r in a)
    else:
        assert quote.status == QuoteStatus.APPROVED and step.status == StepStatus.APPROVED
        assert "Only a pending quote can be withdrawn" in "\n".join(getattr(r, "text", "") for r in w)
