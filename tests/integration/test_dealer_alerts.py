"""Safety stock: set by the channel manager in one message; a confirmed report below it alerts the
channel manager and the dealer once, with the gap and a suggested order in whole packs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conversations.inbound import ActionEvent
from conversations.messages import Card
from core.models import SafetyStock
from tests.support.dealers import make_channel, set_safety
from tests.support.notify import notifier, rows
from tests.support.quotes import RecordingAdapter


@pytest.fixture
async def channel(container, world):
    return await make_channel(container.sessionmaker, world)


async def test_low_stock_alerts_once_per_report(container, world, chat_as, channel):
    await set_safety(container.sessionmaker, world.cid("lianzhong"), {channel.pid("X100"): 10, channel.pid("B200"): 6})
    tg = RecordingAdapter("tg")
    n = notifier(container, tg)
    await chat_as("rep", platform="tg")
    await chat_as("dealer", platform="tg")
    dealer = await chat_as("dealer")
    await dealer.say("X100 6台, B200 1箱, V50 30个")
    confirm = dealer.button("Confirm")
    await dealer.tap("Confirm")
    assert "Below safety stock: X100 (minimum 10 台), B200 (minimum 6 台)" in dealer.text
    await dealer.send(ActionEvent(confirm.token or ""))  # the same card confirmed again: still one report, one alert
    alerts = await rows(container, kind="stock_low")
    assert sorted(r.user_id for r in alerts) == sorted([world.uid("rep"), world.uid("dealer")])
    await n.deliver()
    await n.deliver()
    cards = [r for _, _, replies in tg.sent for r in replies if isinstance(r, Card) and "Low stock" in r.title]
    assert len(cards) == 2 and {chat for chat, _, _ in tg.sent} == {"chat-rep", "chat-dealer"}
    body = " ".join(f"{f.label}: {f.value}" for f in cards[0].fields)
    # X100: 6 counted, minimum 10, short 4, order up to 20 → 14; B200 (1 箱 = 2 台): 2 counted, up to 12 → 10 = 5 箱
    assert "counted 6 台 · minimum 10 · short 4 · suggest ordering 14 台" in body
    assert "counted 2 台 · minimum 6 · short 4 · suggest ordering 10 台 (5 箱)" in body
    assert "V50" not in body

    await dealer.say("X100 12台")
    await dealer.tap("Confirm")
    assert "Below safety stock" not in dealer.text
    assert len(await rows(container, kind="stock_low")) == 2  # the second report is above: no new alert


async def test_the_channel_manager_sets_safety_stock_in_one_message(container, world, chat_as, channel):
    rep = await chat_as("rep")
    await rep.say("/safety 联众")
    assert "Safety stock for 苏州联众泵阀贸易有限公司" in rep.text
    await rep.say("X100 10台, B200 3箱, 离心水泵 4")
    assert "B200 variable-frequency motor: minimum 6 台" in rep.text and "which product" in rep.text
    await rep.tap("X150 ·")
    await rep.tap("Save levels")
    assert "3 safety stock levels saved" in rep.text
    async with container.sessionmaker() as s:
        levels = {r.product_id: r.min_qty for r in (await s.scalars(select(SafetyStock))).all()}
    assert levels == {channel.pid("X100"): 10, channel.pid("B200"): 6, channel.pid("X150"): 4}


async def test_only_the_dealers_managers_set_safety_stock(container, world, chat_as, channel):
    rep2 = await chat_as("rep2")  # another team's rep: 联众 is not theirs
    await rep2.say("/safety 联众")
    assert "No dealer of yours matches" in rep2.text
    await rep2.say("/safety")
    assert "Safety stock for 无锡通达机电贸易有限公司" in rep2.text  # the one dealer rep2 manages
    dealer = await chat_as("dealer")
    await dealer.say("/safety")
    assert dealer.text == "You do not have permission for that."
