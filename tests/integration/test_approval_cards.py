"""Every copy of an approval card, on every platform, ends up showing the outcome with no buttons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conversations.approval_card import approval_card
from conversations.delivery import DeliveryError
from conversations.messages import Card
from core.models import ApprovalCard, ApprovalStep, ChatInboxMessage, User
from core.services import approval_cards
from core.services.quote_views import load_view
from notifications.approval_cards import CardSync, Reader
from tests.support.catalog import add_catalog
from tests.support.quotes import RecordingAdapter, submitted_quote


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


async def deliver_card(container, step_id: int, login: str, world, adapter, chat_id: str) -> None:
    """What the notifier does with an approval.request row: send the card, remember where it went."""
    from conversations.i18n import Formatter
    from core.clock import zone

    async with container.sessionmaker() as s:
        view = await load_view(s, (await s.get(ApprovalStep, step_id)).quote_id)
        step = await s.get(ApprovalStep, step_id)
        reader = Reader("en", Formatter("en", zone("Asia/Shanghai")))
        card = approval_card(view, step, reader, container.deps.codec)
    sent = await adapter.send(chat_id, [card])
    async with container.sessionmaker() as s:
        await approval_cards.record(
            s, step_id=step_id, user_id=world.uid(login), platform=adapter.name, chat_id=sent.chat_id, message_ids=sent.message_ids
        )
        await s.commit()


async def test_a_decision_edits_every_copy_on_every_platform(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    telegram, slack = RecordingAdapter("telegram"), RecordingAdapter("slack")
    container.adapters.add(telegram)
    container.adapters.add(slack)
    async with container.sessionmaker() as s:
        step_id = (await s.scalars(select(ApprovalStep.id))).one()
    await deliver_card(container, step_id, "manager", world, telegram, "tg-chat-manager")
    await deliver_card(container, step_id, "manager", world, slack, "D-manager")
    await deliver_card(container, step_id, "manager", world, container.webchat, "manager-web")
    first = telegram.sent[0][2][0]
    assert isinstance(first, Card) and [a.label for a in first.actions] == ["✅ Approve", "❌ Reject", "💬 Comment"]

    manager = await chat_as("manager")
    await manager.say("/approvals")
    await manager.tap("Reject")
    await manager.say("price below our floor for X1000")
    assert "Rejected:" in manager.text

    sync = CardSync(container.sessionmaker, container.adapters, container.settings, container.deps.codec)
    assert await sync.run_once() == 3
    for adapter, chat, message in ((telegram, "tg-chat-manager", "telegram-m1"), (slack, "D-manager", "slack-m1")):
        assert [(c, m) for c, m, _ in adapter.edits] == [(chat, message)]
        card = adapter.edited_cards()[0]
        assert card.actions == () and card.ref == f"approval:{step_id}"
        decision = dict((f.label, f.value) for f in card.fields)["Decision"]
        assert decision.startswith("❌ Rejected by Wang Qiang") and "price below our floor" in decision
    async with container.sessionmaker() as s:
        pushed = (await s.scalars(select(ChatInboxMessage).order_by(ChatInboxMessage.id))).all()
        edit = pushed[-1].payload
        assert edit[0] == {"type": "edit", "of": str(pushed[0].id)} and edit[1]["actions"] == []
        assert {c.shown for c in (await s.scalars(select(ApprovalCard))).all()} == {"REJECTED"}
    assert await sync.run_once() == 0  # nothing left to edit: copies are edited once


async def test_withdrawal_edits_the_cards_and_a_failed_edit_is_retried(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    telegram = RecordingAdapter("telegram", fail_edits=DeliveryError("timeout"))
    container.adapters.add(telegram)
    async with container.sessionmaker() as s:
        step_id = (await s.scalars(select(ApprovalStep.id))).one()
    await deliver_card(container, step_id, "manager", world, telegram, "tg-chat-manager")
    rep = await chat_as("rep")
    await rep.say("/quotes")
    await rep.tap("Q-")
    await rep.tap("Withdraw")
    assert "withdrawn" in rep.text
    sync = CardSync(container.sessionmaker, container.adapters, container.settings, container.deps.codec)
    assert await sync.run_once() == 0  # the platform timed out: kept for the next run
    telegram.fail_edits = None
    assert await sync.run_once() == 1
    card = telegram.edited_cards()[0]
    assert card.actions == () and "Withdrawn by the requester" in dict((f.label, f.value) for f in card.fields)["Decision"]


async def test_a_deleted_message_is_given_up_not_retried_forever(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    telegram = RecordingAdapter("telegram", fail_edits=DeliveryError("message to edit not found", permanent=True))
    container.adapters.add(telegram)
    async with container.sessionmaker() as s:
        step_id = (await s.scalars(select(ApprovalStep.id))).one()
        manager = await s.get(User, world.uid("manager"))
    await deliver_card(container, step_id, manager.login, world, telegram, "tg")
    chat = await chat_as("manager")
    await chat.say("/approvals")
    await chat.tap("Approve")
    sync = CardSync(container.sessionmaker, container.adapters, container.settings, container.deps.codec)
    await sync.run_once()
    telegram.fail_edits = None
    assert await sync.run_once() == 0
    async with container.sessionmaker() as s:
        copy = (await s.scalars(select(ApprovalCard))).one()
        assert copy.shown == "PENDING" and "not found" in copy.last_error
