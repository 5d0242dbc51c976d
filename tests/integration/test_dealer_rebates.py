"""Targets and rebates in chat: statement cards, the claim through the approval chain (channel manager,
then finance) with the same exactly-once cards as quotes, the reminders, and who may see what."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from conversations.inbound import ActionEvent
from conversations.messages import Card, Media
from core.models import (
    ApprovalCard,
    ApprovalStep,
    ClaimStatus,
    Customer,
    DealerTarget,
    RebateClaim,
    RebatePeriod,
    User,
    utcnow,
)
from core.rebate_math import previous_period, quarter_of
from core.services import absences
from core.uow import Actor, UnitOfWork
from notifications.rules import approvals as approvals_rules
from notifications.rules.dealers import rebate_reminders
from tests.support.dealers import add_order, add_policy, add_refund, make_channel
from tests.support.notify import SHANGHAI, notifier, press, rows
from tests.support.quotes import RecordingAdapter

TIERS = [(1_000_000, "2"), (3_000_000, "3")]


def today():
    return utcnow().astimezone(SHANGHAI).date()


def at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
async def channel(container, world):
    return await make_channel(container.sessionmaker, world)


async def sell(container, world, channel, dealer_id: int, amount: str, day, sku: str = "X100") -> int:
    return await add_order(container.sessionmaker, world, dealer_id, [(channel.products[sku], amount)], at=at(day))


async def test_statement_shows_tiers_sales_refunds_and_the_next_tier(container, world, chat_as, channel):
    await add_policy(container.sessionmaker, TIERS, inclusive=False)
    await add_policy(container.sessionmaker, [(500_000, "1")], inclusive=True, period=RebatePeriod.YEAR, category="水泵")
    lz, q = world.cid("lianzhong"), quarter_of(today())
    await add_order(container.sessionmaker, world, lz, [(channel.products["X100"], "2000000"), (channel.products["B200"], "820000")], at=at(q.start))
    order = await sell(container, world, channel, lz, "100000", q.start)
    await add_refund(container.sessionmaker, order, "100000", at(today()), channel.products["X100"])
    dealer = await chat_as("dealer")
    await dealer.say("/rebate")
    quarter_card, last_card, year_card, _ = [r for r in dealer.last if isinstance(r, Card)]
    body = " ".join(f"{f.label}: {f.value}" for f in quarter_card.fields)
    assert f"渠道返利 2026 · {q.key}" in quarter_card.title
    assert "> CN¥1,000,000.00 → 2 %" in body and "(sales must be more than the threshold)" in body
    assert "Sales: CN¥2,920,000.00 Refunds: −CN¥100,000.00 Net sales: CN¥2,820,000.00" in body
    assert "Tier reached: 2 % Rebate: CN¥56,400.00" in body
    assert "more than CN¥180,000.00 more reaches 3 %: +CN¥33,600.00 rebate" in body
    assert not last_card.actions  # last quarter earned nothing: nothing to claim
    year = " ".join(f"{f.label}: {f.value}" for f in year_card.fields)
    assert "≥ CN¥500,000.00 → 1 %" in year and "Counts: 水泵" in year and "(sales equal to a threshold reach it)" in year
    assert "Net sales: CN¥2,000,000.00" in year and "Rebate: CN¥20,000.00" in year  # pumps only: the motor line is out


async def claim_ready(container, world, channel) -> str:
    """Last quarter's 1,200,000 earned 2 % → 24,000 (the issue's example)."""
    await add_policy(container.sessionmaker, TIERS)
    last = previous_period(quarter_of(today()), "quarter")
    await sell(container, world, channel, world.cid("lianzhong"), "1200000", last.start + timedelta(days=5))
    return last.key


async def test_claim_through_channel_manager_then_finance(container, world, chat_as, channel):
    period = await claim_ready(container, world, channel)
    tg = RecordingAdapter("tg")
    n = notifier(container, tg)
    for login in ("dealer", "rep", "finance"):
        await chat_as(login, platform="tg")
    dealer = await chat_as("dealer")
    await dealer.say("/rebate")
    await dealer.tap("Claim CN¥24,000.00")
    assert f"Claim RB-{period}-" in dealer.text and "it waits for Zhang Wei" in dealer.text
    await n.deliver()
    (request,) = [r for chat, _, replies in tg.sent if chat == "chat-rep" for r in replies if isinstance(r, Card)]
    assert "Approve rebate claim" in request.title and [a.label for a in request.actions] == ["✅ Approve", "❌ Reject"]
    assert "Step 1 of 2 · channel manager" in (request.subtitle or "")

    rep = await chat_as("rep")
    await rep.send(ActionEvent(request.actions[0].token or ""))
    assert "Next: Sun Li (finance)" in rep.text
    await n.deliver()
    assert tg.edited_cards() and tg.edited_cards()[0].actions == ()  # the channel manager's copy, decided
    finance = await chat_as("finance")
    await finance.say("/approvals")
    assert "1 approval waits for you" in finance.text and "CN¥24,000.00 (2 %)" in finance.text
    again = finance.button("Approve")
    await finance.tap("Approve")
    assert "Claim RB-" in finance.text and "approved" in finance.text
    await finance.send(ActionEvent(again.token or ""))  # a second click decides nothing
    assert "Already approved by Sun Li" in finance.text
    await n.deliver()
    outcome = [r for chat, _, replies in tg.sent if chat == "chat-dealer" for r in replies if isinstance(r, Card)]
    assert outcome and "✅ approved" in (outcome[-1].subtitle or "")
    async with container.sessionmaker() as s:
        claim = (await s.scalars(select(RebateClaim))).one()
        copies = (await s.scalars(select(ApprovalCard).order_by(ApprovalCard.id))).all()
    assert claim.status == ClaimStatus.APPROVED and str(claim.amount) == "24000.00"
    assert [c.shown for c in copies] == ["APPROVED", "APPROVED"]

    await press(dealer, container, "rb", f"c{claim.policy_id}:{period}")
    assert f"This rebate is already claimed ({claim.number})" in dealer.text


async def test_a_second_click_decides_nothing_and_a_rejection_needs_a_reason(container, world, chat_as, channel):
    period = await claim_ready(container, world, channel)
    dealer = await chat_as("dealer")
    await dealer.say("/rebate")
    await dealer.tap("Claim")
    rep = await chat_as("rep")
    await rep.say("/approvals")
    reject = rep.button("Reject")
    other = await chat_as("rep", platform="slack")
    await rep.tap("Reject")
    await rep.say("数额与对账单不符")
    assert "rejected" in rep.text
    await other.send(ActionEvent(reject.token or ""))
    assert "Already rejected by Zhang Wei" in other.text and "your click changed nothing" in other.text
    async with container.sessionmaker() as s:
        claim = (await s.scalars(select(RebateClaim))).one()
    assert claim.status == ClaimStatus.REJECTED
    await dealer.say("/rebate")
    await dealer.tap("Claim")  # rejected claims may be made again
    async with container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(RebateClaim)) == 2
    assert period in dealer.text


async def test_claims_need_a_closed_period_with_a_rebate(container, world, chat_as, channel):
    policy = await add_policy(container.sessionmaker, TIERS)
    dealer = await chat_as("dealer")
    now = quarter_of(today())
    await press(dealer, container, "rb", f"c{policy}:{now.key}")
    assert f"{now.key} has not closed yet" in dealer.text
    last = previous_period(now, "quarter")
    await press(dealer, container, "rb", f"c{policy}:{last.key}")
    assert f"{last.key} earned no rebate" in dealer.text
    await press(dealer, container, "rb", f"c{policy}:2026Q9")
    assert "is not a period of this policy" in dealer.text
    rep = await chat_as("rep")
    await press(rep, container, "rb", f"c{policy}:{last.key}")
    assert rep.text == "This is for dealer accounts only."


async def test_reminders_before_the_close_and_at_the_close_once(container, world, chat_as, channel):
    await add_policy(container.sessionmaker, TIERS)
    q = quarter_of(today())
    await sell(container, world, channel, world.cid("lianzhong"), "2820000", q.start)
    n = notifier(container)
    before = at(q.end - timedelta(days=3), 9)
    assert (await n.sweep(before))["rebate_tier"] == 3  # 联众: its dealer and rep; 通达: rep2
    assert (await n.sweep(before))["rebate_tier"] == 0
    assert sorted(r.user_id for r in await rows(container, kind="rebate_tier")) == sorted(world.uid(u) for u in ("rep", "dealer", "rep2"))
    (to_rep,) = [r for r in await rows(container, kind="rebate_tier") if r.user_id == world.uid("rep")]
    assert "more than CN¥180,000.00 more reaches 3 %: +CN¥33,600.00 rebate" in str(to_rep.replies)
    after = at(q.end + timedelta(days=2), 9)
    # only this rule from here: a month on, every rule would also recycle the world's idle customers
    assert await rebate_reminders.sweep(n.env, after) == 2 and await rebate_reminders.sweep(n.env, after) == 0
    assert len(await rows(container, kind="rebate_close")) == 2  # 联众's dealer and rep, once; 通达 sold nothing
    closing = {r.user_id: r for r in await rows(container, kind="rebate_close")}
    assert "rebate CN¥56,400.00" in closing[world.uid("dealer")].summary
    assert "Claim CN¥56,400.00" in str(closing[world.uid("dealer")].replies)
    assert "Claim" not in str(closing[world.uid("rep")].replies)


async def test_targets_card_chart_and_setting(container, world, chat_as, channel):
    q = quarter_of(today())
    await sell(container, world, channel, world.cid("lianzhong"), "800000", q.start)
    await sell(container, world, channel, channel.dealer2, "100000", q.start)
    rep2 = await chat_as("rep2")
    await rep2.say("/target")
    await rep2.tap("Set this quarter")
    await rep2.say("很多")
    assert "Send the target as an amount" in rep2.text
    await rep2.say("一百万")
    assert "Target of 无锡通达机电贸易有限公司 set to CN¥1,000,000.00" in rep2.text
    rep = await chat_as("rep")
    await rep.say("/target 联众")
    await rep.tap("Set this quarter")
    await rep.say("100万")
    card = next(r for r in rep.last if isinstance(r, Card))
    body = " ".join(f"{f.label}: {f.value}" for f in card.fields)
    assert "Target: CN¥1,000,000.00" in body and "CN¥800,000.00" in body and "Completion: 80.0 %" in body
    assert "Ranking: 1 of 2 in 华东" in body
    assert any(isinstance(r, Media) and r.data.startswith(b"\x89PNG") for r in rep.last)
    dealer = await chat_as("dealer")
    await dealer.say("/target")
    assert "Completion: 80.0 %" in dealer.text and "Set this quarter" not in dealer.text
    async with container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(DealerTarget)) == 2


async def test_who_sees_which_dealer(container, world, chat_as, channel):
    await add_policy(container.sessionmaker, TIERS)
    dealer = await chat_as("dealer")
    await press(dealer, container, "dk", f"v{channel.dealer2}")
    assert dealer.text == "That dealer is not one you may see."
    await press(dealer, container, "rb", f"v{channel.dealer2}")
    assert dealer.text == "That dealer is not one you may see."
    rep2 = await chat_as("rep2")
    await press(rep2, container, "dk", f"v{world.cid('lianzhong')}")
    assert rep2.text == "That dealer is not one you may see."
    await rep2.say("/stock")
    assert "无锡通达机电贸易有限公司" in rep2.text and "联众" not in rep2.text
    manager = await chat_as("manager")  # both dealers' owners report to the manager
    await manager.say("/stock")
    assert "Which dealer? (2)" in manager.text
    finance = await chat_as("finance")
    await finance.say("/rebate 联众")
    assert "渠道返利 2026" in finance.text and "Claim" not in finance.text


async def test_a_claim_waiting_too_long_goes_to_the_channel_managers_superior(container, world, chat_as, channel):
    await claim_ready(container, world, channel)
    dealer = await chat_as("dealer")
    await dealer.say("/rebate")
    await dealer.tap("Claim")
    n = notifier(container)
    later = utcnow() + timedelta(days=8)  # well past FIELDCHAT_APPROVAL_ESCALATE_AFTER_HOURS working hours
    assert await approvals_rules.escalation_sweep(n.env, later) == 1
    assert await approvals_rules.escalation_sweep(n.env, later) == 0
    (row,) = await rows(container, kind="approval_escalated")
    assert row.user_id == world.uid("manager") and "Waiting too long for Zhang Wei" in str(row.replies)
    manager = await chat_as("manager")
    await manager.say("/approvals")
    await manager.tap("Approve")
    assert "Next: Sun Li (finance)" in manager.text
    async with container.sessionmaker() as s:
        step = (await s.scalars(select(ApprovalStep).where(ApprovalStep.position == 1))).one()
    assert step.decided_by_id == world.uid("manager") and step.on_behalf_of_id == world.uid("rep")


async def test_an_approver_going_away_hands_the_claim_card_to_the_delegate(container, world, chat_as, channel):
    async with container.sessionmaker() as s:  # 联众 managed by the manager himself
        dealer_co = await s.get_one(Customer, world.cid("lianzhong"))
        dealer_co.owner_id = world.uid("manager")
        await s.commit()
    await claim_ready(container, world, channel)
    dealer = await chat_as("dealer")
    await dealer.say("/rebate")
    await dealer.tap("Claim")
    async with UnitOfWork(container.sessionmaker, container.deps.bus) as uow:
        manager = await uow.session.get_one(User, world.uid("manager"))
        await absences.go_away(uow, actor=Actor(manager, "test"), delegate_id=world.uid("director"), until=None, today=today())
        await uow.commit()
    (row,) = await rows(container, kind="approval_request", user_id=world.uid("director"))
    assert "You stand in for Wang Qiang, who is away" in str(row.replies)
    director = await chat_as("director")
    await director.say("/approvals")
    await director.tap("Approve")
    assert "Next: Sun Li (finance)" in director.text
