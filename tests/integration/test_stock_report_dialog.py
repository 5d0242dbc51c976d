"""A dealer reports stock in one plain message: the card, its questions, confirm once, /stock, 360."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conversations.inbound import ActionEvent, TextEvent, Turn
from core.models import StockLine, StockReport
from tests.support.chat import actions_of
from tests.support.dealers import make_channel, set_assortment


@pytest.fixture
async def channel(container, world):
    return await make_channel(container.sessionmaker, world)


async def stored(container, dealer_id: int) -> dict[str, Decimal]:
    async with container.sessionmaker() as s:
        rows = await s.execute(
            select(StockLine.product_id, StockLine.quantity).join(StockReport).where(StockReport.dealer_id == dealer_id)
        )
        return {str(pid): qty for pid, qty in rows.all()}


async def reports(container) -> int:
    async with container.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(StockReport)) or 0)


async def test_one_message_a_card_then_one_snapshot(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("库存：X100 十二台 / B-200 5箱，V50 2 boxes")
    text = dealer.text
    assert "Stock report · 苏州联众泵阀贸易有限公司" in text
    assert "X100 centrifugal pump: 12 台 (you wrote 十二台) · first report" in text
    assert "B200 variable-frequency motor: 10 台 (you wrote 5箱)" in text  # 1 箱 = 2 台
    assert "V50 stainless steel ball valve DN50: 20 个 (you wrote 2箱)" in text  # 1 箱 = 10 个
    assert await reports(container) == 0  # nothing stored before confirmation
    await dealer.tap("Confirm")
    assert "Stock report saved: 3 products" in dealer.text
    lines = await stored(container, world.cid("lianzhong"))
    assert lines == {str(channel.pid("X100")): 12, str(channel.pid("B200")): 10, str(channel.pid("V50")): 20}

    await dealer.say("X100 9台")
    assert "X100 centrifugal pump: 9 台 · last report 12 on" in dealer.text
    await dealer.tap("Confirm")
    await dealer.say("/stock")
    assert "X100 centrifugal pump: 9 台" in dealer.text and "B200 variable-frequency motor: 10 台" in dealer.text

    rep = await chat_as("rep")  # the channel manager; the 360 of the dealer shows the stock too
    await rep.say("/c 联众")
    assert "Dealer stock (3)" in rep.text and "X100: 9 台" in rep.text


async def test_confirming_twice_stores_once(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("X100 12, B200 5")
    confirm = dealer.button("Confirm")
    await dealer.tap("Confirm")
    await dealer.send(ActionEvent(confirm.token or ""))
    assert "already saved" in dealer.text
    assert await reports(container) == 1


async def test_two_devices_confirm_at_the_same_moment(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("X100 12")
    token = dealer.button("Confirm").token or ""
    turn = Turn(dealer.key, ActionEvent(token), dealer.caps, "en")
    answers = await asyncio.gather(container.engine.handle(turn), container.engine.handle(turn))
    texts = sorted(" ".join(getattr(r, "text", "") for r in a) for a in answers)
    assert await reports(container) == 1
    assert any("saved: 1 product," in t for t in texts)


async def test_ambiguous_and_unknown_lines_are_asked(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("离心水泵 12台\nX300 4\nB200 2台")
    text = dealer.text
    assert "“离心水泵 12台”: which product is “离心水泵”?" in text
    assert "no product “x300” — did you mean:" in text and "S300" in text
    assert "2 lines need an answer" in (dealer.last[0].subtitle or "")
    assert "Confirm" not in [a.label for a in actions_of(dealer.last)]
    await dealer.tap("X150 ·")
    await dealer.tap("S300 · S300")
    assert "X150 centrifugal pump: 12 台" in dealer.text and "S300 submersible sewage pump: 4 台" in dealer.text
    await dealer.tap("Confirm")
    assert "saved: 3 products" in dealer.text


async def test_the_same_product_twice_is_summed_and_said(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("X100 5台，X100 3台，B200 1箱")
    assert "X100 appears 2 times: 5台 + 3台 = 8 台 (summed)" in dealer.text
    await dealer.tap("Confirm")
    assert (await stored(container, world.cid("lianzhong")))[str(channel.pid("X100"))] == 8


async def test_edit_replaces_the_draft_and_cancel_stores_nothing(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("X100 5")
    await dealer.tap("Edit")
    assert "Send the corrected report" in dealer.text
    await dealer.say("X100 7, P50 2")
    assert "X100 centrifugal pump: 7 台" in dealer.text and "P50 inline pump: 2 台" in dealer.text
    await dealer.tap("Cancel")
    assert "nothing was stored" in dealer.text
    assert await reports(container) == 0


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("12台", "I found no product in your message"),
        ("库存 5", "I found no product in your message"),
        ("X100 -5", "a stock count cannot be negative (-5)"),
        ("X100 负3台", "a stock count cannot be negative"),
        ("X100 100000000", "100000000 is more than 10,000,000"),
        ("X100 很多", "“很多” is not a number — how many X100?"),
        ("X100", "how many X100?"),
        ("X100 5箱", "X100 is not counted in 箱"),
        ("X100 0.5台", "0.5 台 is not a whole number of 台"),
        ("Z999 3台", "no product matches “z999”"),
    ],
)
async def test_bad_input_gets_a_clear_answer_and_nothing_stored(container, world, chat_as, channel, message, answer):
    dealer = await chat_as("dealer")
    await dealer.say(message)
    assert answer in dealer.text
    assert "Confirm" not in [a.label for a in actions_of(dealer.last)]
    assert await reports(container) == 0


async def test_a_product_the_dealer_does_not_carry(container, world, chat_as, channel):
    await set_assortment(container.sessionmaker, world.cid("lianzhong"), [channel.pid("X100"), channel.pid("B200")])
    dealer = await chat_as("dealer")
    await dealer.say("离心水泵 3台, C37 1台")
    assert "X100 centrifugal pump: 3 台" in dealer.text  # the assortment settles the ambiguity
    assert "C37 screw air compressor is not in your assortment" in dealer.text
    await dealer.tap("Remove this line")
    await dealer.tap("Confirm")
    assert await stored(container, world.cid("lianzhong")) == {str(channel.pid("X100")): 3}


async def test_plain_text_that_is_not_stock_and_other_roles(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("你好，请问今天有人吗")
    assert "I did not understand that." in dealer.text and "Stock report" not in dealer.text
    rep = await chat_as("rep")
    await rep.say("X100 12台")  # only dealers' plain messages are read as stock
    assert "Stock report" not in rep.text
    await dealer.say("/report")
    assert "Send your stock in one message" in dealer.text
    await dealer.say("X150 2")
    assert "X150 centrifugal pump: 2 台" in dealer.text


async def test_a_long_message_is_refused_with_the_limit(container, world, chat_as, channel):
    dealer = await chat_as("dealer")
    await dealer.say("\n".join(f"X100 {n}" for n in range(1, 46)))
    assert "Your message has 45 lines; one report may hold 40" in dealer.text


async def test_chinese_interface(container, world, chat_as, channel):
    dealer = await chat_as("dealer", locale_hint="zh-CN")
    await dealer.send(TextEvent("X100水泵 12台，B200电机5台"))
    assert "库存上报" in dealer.text and "X100 离心水泵：12 台" not in dealer.text
    assert "X100 离心水泵" in dealer.text and "首次上报" in dealer.text
    await dealer.tap("确认上报")
    assert "库存已保存：2 个产品" in dealer.text
