"""A comment on an approval brings the card back: where the tapped card was closed (WeCom), the
approver decides from the copy that follows the comment instead of going back to /approvals.
Rebate claims share the approval engine but take no comments: their cards offer none, and a forged
comment button opens nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from conversations.messages import Card, Text
from core.models import ApprovalStep, ClaimStatus, Quote, QuoteComment, RebateClaim, StepStatus, User, utcnow
from core.rebate_math import previous_period, quarter_of
from core.services import absences
from core.uow import Actor, UnitOfWork
from tests.integration.wecom_env import WeComRig, make_rig
from tests.support.catalog import add_catalog
from tests.support.dealers import add_order, add_policy, make_channel
from tests.support.notify import SHANGHAI, notifier, press
from tests.support.quotes import submitted_quote

BUTTONS = ["✅ Approve", "❌ Reject", "💬 Comment"]


@pytest.fixture
async def catalog(container, world):
    return await add_catalog(container.sessionmaker)


def cards(replies) -> list[Card]:
    return [r for r in replies if isinstance(r, Card)]


def fields(card: Card) -> dict[str, str]:
    return {f.label: f.value for f in card.fields}


async def commenting(chat_as):
    """The manager, having tapped Comment on the first card of /approvals."""
    manager = await chat_as("manager")
    await manager.say("/approvals")
    await manager.tap("Comment")
    return manager


async def stored(sessionmaker, model: type) -> list:
    async with sessionmaker() as s:
        return list((await s.scalars(select(model).order_by(model.id))).all())


async def test_after_a_comment_the_card_comes_back_and_decides(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=6)  # ¥576,000: manager, then director
    manager = await commenting(chat_as)
    assert "Your comment on Q-" in manager.text
    replies = await manager.say("交期能否提前一周？")
    assert isinstance(replies[0], Text) and replies[0].text == "Comment sent to the requester."
    (card,) = cards(replies)
    (step, _) = await stored(container.sessionmaker, ApprovalStep)
    assert card.ref == f"approval:{step.id}" and "Step 1 of 2" in (card.subtitle or "")
    assert [a.label for a in card.actions] == BUTTONS  # it still waits for the manager
    assert "Wang Qiang" in fields(card)["Comments"] and "交期能否提前一周？" in fields(card)["Comments"]
    (note,) = await stored(container.sessionmaker, QuoteComment)
    assert (note.text, note.author_id, note.step_id) == ("交期能否提前一周？", world.uid("manager"), step.id)

    await manager.tap("Approve")  # from the card that followed the comment
    assert "Next: Zhao Min (director)" in manager.text
    first, second = await stored(container.sessionmaker, ApprovalStep)
    assert (first.status, first.decided_by_id, second.status) == (StepStatus.APPROVED, world.uid("manager"), StepStatus.PENDING)

    await manager.say("one more thing")  # the comment dialog is over: this is no second comment
    assert len(await stored(container.sessionmaker, QuoteComment)) == 1


async def test_an_empty_comment_is_asked_again_and_the_card_follows_the_real_one(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    manager = await commenting(chat_as)
    replies = await manager.say("   ")
    assert not cards(replies) and "Comment sent" not in manager.text
    replies = await manager.say("请补充竞品报价")
    (card,) = cards(replies)
    assert [a.label for a in card.actions] == BUTTONS and "请补充竞品报价" in fields(card)["Comments"]


async def test_a_step_decided_while_the_comment_is_typed_shows_the_outcome(container, world, chat_as, catalog):
    """The delegate approved meanwhile: the card comes back decided, without buttons, and the comment
    is not kept (a decided step takes no comments)."""
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    async with UnitOfWork(container.sessionmaker, container.deps.bus) as uow:
        away = await uow.session.get_one(User, world.uid("manager"))
        today = utcnow().astimezone(SHANGHAI).date()
        await absences.go_away(uow, actor=Actor(away, "test"), delegate_id=world.uid("director"), until=None, today=today)
        await uow.commit()
    manager = await commenting(chat_as)
    director = await chat_as("director")
    await director.say("/approvals")
    await director.tap("Approve")
    replies = await manager.say("交期能否提前一周？")
    (card,) = cards(replies)
    assert card.actions == () and fields(card)["Decision"].startswith("✅ Approved by Zhao Min")
    assert "Already approved by Zhao Min" in manager.text and "Your comment was not sent." in manager.text
    assert await stored(container.sessionmaker, QuoteComment) == []
    await manager.say("还在吗")  # the dialog ended with the outcome
    assert "Your comment was not sent." not in manager.text and await stored(container.sessionmaker, QuoteComment) == []


async def test_a_withdrawn_quote_ends_the_comment_with_its_outcome(container, world, chat_as, catalog):
    await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    manager = await commenting(chat_as)
    rep = await chat_as("rep")
    await rep.say("/quotes")
    await rep.tap("Q-")
    await rep.tap("Withdraw")
    (card,) = cards(await manager.say("价格还能再谈吗？"))
    assert card.actions == () and fields(card)["Decision"].startswith("↩️ Withdrawn by the requester")
    assert "This approval is closed: the quote is Withdrawn." in manager.text and "Your comment was not sent." in manager.text
    assert await stored(container.sessionmaker, QuoteComment) == []


async def test_rebate_claims_take_no_comment_but_reject_with_a_reason_shows_the_card(container, world, chat_as):
    channel = await make_channel(container.sessionmaker, world)
    await add_policy(container.sessionmaker, [(1_000_000, "2"), (3_000_000, "3")])
    last = previous_period(quarter_of(utcnow().astimezone(SHANGHAI).date()), "quarter")
    sold = datetime.combine(last.start + timedelta(days=5), time(10), tzinfo=SHANGHAI).astimezone(UTC)
    await add_order(container.sessionmaker, world, world.cid("lianzhong"), [(channel.products["X100"], "1200000")], at=sold)
    dealer = await chat_as("dealer")
    await dealer.say("/rebate")
    await dealer.tap("Claim")
    rep = await chat_as("rep")
    await rep.say("/approvals")
    (card,) = cards(rep.last)
    assert "Approve rebate claim" in card.title and [a.label for a in card.actions] == ["✅ Approve", "❌ Reject"]
    (step,) = [s for s in await stored(container.sessionmaker, ApprovalStep) if s.status == StepStatus.PENDING]

    await press(rep, container, "ap", f"c{step.id}")  # a comment button no claim card carries
    assert "This button has expired" in rep.text
    await rep.say("数额与对账单不符")
    assert "Comment sent" not in rep.text and await stored(container.sessionmaker, QuoteComment) == []
    (claim,) = await stored(container.sessionmaker, RebateClaim)
    assert claim.status == ClaimStatus.PENDING

    await rep.say("/approvals")
    await rep.tap("Reject")
    replies = await rep.say("数额与对账单不符")
    (card,) = cards(replies)
    assert card.actions == () and "数额与对账单不符" in fields(card)["Decision"]
    (claim,) = await stored(container.sessionmaker, RebateClaim)
    assert claim.status == ClaimStatus.REJECTED


@pytest.fixture
async def rig(clean_db):
    rig = await make_rig(clean_db)
    yield rig
    await rig.client.aclose()


async def test_wecom_comment_on_a_pushed_card_then_approve_from_the_card_that_follows(rig: WeComRig) -> None:
    """WeCom closes a tapped card (update_template_card): the comment's answer carries a fresh one."""
    catalog = await add_catalog(rig.container.sessionmaker)
    n = notifier(rig.container, rig.adapter)
    rep, manager = await rig.bind("rep", "zhangwei"), await rig.bind("manager", "wangqiang")
    quote_id = await submitted_quote(rig.container.sessionmaker, rig.world, catalog, qty=2, bus=rig.container.deps.bus)
    async with rig.container.sessionmaker() as s:
        number = str((await s.get_one(Quote, quote_id)).number)
    await n.deliver()
    (pushed,) = [c for c in rig.cards() if c.get("button_list")]
    title = pushed["main_title"]["title"]
    assert number in title

    await rig.click(manager, "留言", "rc-ask", card=title)
    (closed,) = rig.updates()
    assert closed["response_code"] == "rc-ask"  # the tapped card is closed: its buttons are gone
    rig.fake.clear()
    await rig.say(manager, "交期能否提前一周？")
    to_manager = [b for b in rig.fake.sent() if b["touser"] == manager]
    assert to_manager[0]["msgtype"] == "text" and to_manager[0]["text"]["content"] == "留言已发送给申请人。"
    (again,) = rig.cards()
    assert again["main_title"]["title"] == title
    assert [b["text"] for b in again["button_list"]] == ["✅ 批准", "❌ 驳回", "💬 留言"]
    assert "交期能否提前一周？" in rig.texts()

    await rig.click(manager, "批准", "rc-yes", card=title)  # the last card sent: the one after the comment
    (approved,) = rig.updates()
    assert approved["response_code"] == "rc-yes" and approved["button"]["replace_name"].startswith("已批准")
    async with rig.container.sessionmaker() as s:
        step = (await s.scalars(select(ApprovalStep))).one()
        note = (await s.scalars(select(QuoteComment))).one()
    assert (step.status, step.decided_platform, step.decided_by_id) == (StepStatus.APPROVED, "wecom", rig.world.uid("manager"))
    assert (note.text, note.platform) == ("交期能否提前一周？", "wecom")
    rig.fake.clear()
    await n.deliver()
    to_rep = "\n".join(b.get("text", b.get("markdown", {})).get("content", "") for b in rig.fake.sent() if b["touser"] == rep)
    assert "交期能否提前一周？" in to_rep and number in to_rep  # the requester read the question, then the outcome
