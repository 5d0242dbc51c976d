"""Approvals through the outbox: cards to approvers, progress and outcome to the requester, every copy edited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conversations.inbound import ActionEvent
from conversations.messages import Card, Text
from core.models import ApprovalCard, Notification, OutboxStatus
from tests.support.catalog import add_catalog
from tests.support.notify import notifier
from tests.support.quotes import RecordingAdapter, submitted_quote


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


def cards(adapter: RecordingAdapter) -> list[Card]:
    return [r for _, _, replies in adapter.sent for r in replies if isinstance(r, Card)]


def texts(adapter: RecordingAdapter) -> str:
    return "\n".join(r.text for _, _, replies in adapter.sent for r in replies if isinstance(r, Text))


async def test_two_step_approval_through_notifications(container, world, chat_as, catalog):
    tg, slack = RecordingAdapter("tg"), RecordingAdapter("slack")
    n = notifier(container, tg, slack)
    await chat_as("rep", platform="tg")  # the requester's chat, where progress and outcome arrive
    manager = await chat_as("manager", platform="tg")
    director = await chat_as("director", platform="slack")
    await submitted_quote(container.sessionmaker, world, catalog, qty=6, bus=container.deps.bus)  # 576,000: two steps
    await n.deliver()
    (card,) = cards(tg)
    assert tg.sent[0][0] == "chat-manager" and "Step 1 of 2" in (card.subtitle or "")
    assert [a.label for a in card.actions] == ["✅ Approve", "❌ Reject", "💬 Comment"]

    await manager.send(ActionEvent(card.actions[0].token or ""))
    assert "Next: Zhao Min (director)" in manager.text
    await n.deliver()
    assert "approved by Wang Qiang; now waiting for Zhao Min (director)" in texts(tg)
    edited = tg.edited_cards()
    assert len(edited) == 1 and edited[0].actions == () and "Approved by Wang Qiang" in str(edited[0].fields)
    (director_card,) = cards(slack)
    assert "Step 2 of 2" in (director_card.subtitle or "") and "total above CN¥500,000.00" in str(director_card.fields)

    await director.send(ActionEvent(director_card.actions[1].token or ""))
    await director.say("请控制在 50 万以内")
    assert "Rejected:" in director.text
    await n.deliver()
    outcome = [c for c in cards(tg) if "rejected" in c.title]
    assert outcome and "请控制在 50 万以内" in str(outcome[0].fields)
    assert slack.edited_cards()[0].actions == ()
    async with container.sessionmaker() as s:
        copies = (await s.scalars(select(ApprovalCard).order_by(ApprovalCard.id))).all()
        assert [(c.platform, c.shown) for c in copies] == [("tg", "APPROVED"), ("slack", "REJECTED")]


async def test_a_card_decided_before_it_went_out_is_never_sent(container, world, chat_as, catalog):
    tg = RecordingAdapter("tg")
    n = notifier(container, tg)
    await chat_as("manager", platform="tg")
    web = await chat_as("manager")
    await submitted_quote(container.sessionmaker, world, catalog, qty=2, bus=container.deps.bus)
    await web.say("/approvals")
    await web.tap("Approve")  # decided on another device before the delivery loop ran
    await n.deliver()
    assert cards(tg) == []
    async with container.sessionmaker() as s:
        row = (await s.scalars(select(Notification).where(Notification.kind == "approval_request"))).one()
        assert row.status == OutboxStatus.OBSOLETE
