"""A dealer's day through real-shaped Telegram updates: stock in one plain message, the confirmation
card, /stock, the quarter's target with its chart as a photo, and the rebate statement."""

from __future__ import annotations

from sqlalchemy import func, select

from bootstrap import build
from core.models import StockLine, StockReport
from core.rebate_math import quarter_of
from tests.integration.test_dealer_rebates import TIERS, sell, today
from tests.integration.test_telegram_flows import bound
from tests.support.dealers import add_policy, make_channel
from tests.support.telegram import TgUser, running, telegram_settings

pytest_plugins = ("tests.support.telegram_fixtures",)


async def test_a_dealer_reports_stock_and_reads_target_and_rebate(tg, world):
    channel = await make_channel(tg.container.sessionmaker, world)
    dealer = await bound(tg, "dealer", user_id=555)

    calls = await dealer.say("库存：X100 十二台 / B-200 5箱")
    assert [c.method for c in calls] == ["sendMessage"]  # one card: nothing stored yet
    card_call = calls[0]
    card = card_call.params
    assert card["text"].startswith("<b>📦 Stock report · 苏州联众泵阀贸易有限公司 · ")
    assert "<b>X100 centrifugal pump:</b> 12 台 (you wrote 十二台)" in card["text"]
    assert "<b>B200 variable-frequency motor:</b> 10 台 (you wrote 5箱)" in card["text"]
    assert card["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Confirm"
    async with tg.container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(StockReport)) == 0

    calls = await dealer.tap("Confirm")
    assert calls[0].method == "answerCallbackQuery"
    assert "Stock report saved: 2 products" in dealer.text
    (edit,) = [c for c in calls if c.method == "editMessageText"]  # the card itself now says saved, buttons gone
    assert int(edit.params["message_id"]) == card_call.result["message_id"] and "<i>2 products saved</i>" in edit.params["text"]
    assert "reply_markup" not in edit.params and "(you wrote 十二台) · first report" in edit.params["text"]
    await dealer.tap("Confirm", [card_call])  # the same button again (a double tap, a second phone)
    assert "saved: 2" not in dealer.text
    async with tg.container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(StockReport)) == 1
        assert await s.scalar(select(func.count()).select_from(StockLine)) == 2

    await dealer.say("/stock")
    assert "<b>X100 centrifugal pump:</b> 12 台 · " in dealer.text

    q = quarter_of(today())
    await sell(tg.container, world, channel, world.cid("lianzhong"), "800000", q.start)
    await add_policy(tg.container.sessionmaker, TIERS)
    calls = await dealer.say("/target")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1 and photos[0].files["photo"][1] > 1000  # the chart, uploaded as a PNG
    assert "CN¥800,000.00" in dealer.text and "Set this quarter" not in dealer.text

    await dealer.say("/rebate")
    assert "CN¥800,000.00" in dealer.text


async def test_a_tap_reaching_another_worker_still_edits_the_card_in_place(tg, world):
    """Several workers behind one webhook URL (or one restarted): the card sent by one is tapped on
    another, which never saw it sent, and still replaces the card instead of sending a second one."""
    await make_channel(tg.container.sessionmaker, world)
    dealer = await bound(tg, "dealer", user_id=555)
    (card_call,) = await dealer.say("库存：X100 十二台")
    other = await build(telegram_settings(tg.fake.url), migrate=False, db=tg.container.db)
    async for worker in running(other, tg.fake):
        on_other = TgUser(worker, dealer.user)
        calls = await on_other.tap("Confirm", [card_call])
        (edit,) = [c for c in calls if c.method == "editMessageText"]
        assert int(edit.params["message_id"]) == card_call.result["message_id"] and "reply_markup" not in edit.params
        assert not [c for c in calls if c.method == "sendMessage" and "📦 Stock report" in c.params["text"]]  # no second card
        assert "Stock report saved: 1 product" in on_other.text


async def test_the_review_card_shown_again_after_an_answer_leaves_the_older_copy_without_buttons(tg, world):
    await make_channel(tg.container.sessionmaker, world)
    dealer = await bound(tg, "dealer", user_id=555)
    first_card, *_ = await dealer.say("离心水泵 12台\nX300 4")
    assert "2 lines need an answer" in first_card.params["text"]
    calls = await dealer.tap("X150 ·")  # one question answered: the card, updated, comes again below with the open one
    (card,) = [c for c in calls if c.method == "sendMessage" and "📦 Stock report" in c.params["text"]]
    assert "X150 centrifugal pump" in card.params["text"] and "1 line needs an answer" in card.params["text"]
    (strip,) = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert strip.params == {"chat_id": 555, "message_id": first_card.result["message_id"]}
    assert "reply_markup" not in dealer.sent_message(first_card)  # its Edit and Cancel would act on a draft it no longer shows
    await dealer.tap("S300 · S300")
    await dealer.tap("Confirm")
    assert "Stock report saved: 2 products" in dealer.text
