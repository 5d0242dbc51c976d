"""A whole quote on Telegram: drafted with inline buttons, approval cards pushed to the approvers,
decided with a tap, every card edited to the outcome without buttons, the order made from the notice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conversations.inbound import ConversationKey
from conversations.local import sign_in
from core.models import ApprovalCard, Order, Quote, QuoteStatus, utcnow
from tests.support.catalog import add_catalog
from tests.support.quotes import submitted_quote
from tests.support.telegram import Harness, TgUser, buttons_of

pytest_plugins = ("tests.support.telegram_fixtures",)


async def bound(harness: Harness, login: str, user_id: int) -> TgUser:
    await sign_in(harness.container.deps, ConversationKey("telegram", "", str(user_id), str(user_id)), login)
    return harness.user(user_id)


async def deliver(tg: Harness) -> list:
    """One run of the notifier (a day ahead, so that quiet hours never hold the cards back)."""
    before = len(tg.fake.calls)
    assert tg.container.notifier is not None
    await tg.container.notifier.deliver(utcnow() + timedelta(days=1))
    await tg.adapter.drain()
    return tg.fake.calls[before:]


def to(calls: list, chat: int, method: str = "sendMessage") -> list:
    return [c for c in calls if c.method == method and int(c.params["chat_id"]) == chat]


async def test_quote_drafted_approved_and_ordered_on_telegram(tg):
    await add_catalog(tg.container.sessionmaker)
    rep, manager, director = await bound(tg, "rep", 111), await bound(tg, "manager", 222), await bound(tg, "director", 333)
    await rep.say("/quote 恒力")
    await rep.say("X1000")
    await rep.tap("100kW")
    await rep.tap("Done")
    await rep.say("6")
    await rep.tap("10 %")
    assert "CN¥583,200.00" in rep.text  # 108,000 × 6 − 10 %
    await rep.tap("Submit")
    assert "waiting for Wang Qiang (manager)" in rep.text

    calls = await deliver(tg)
    (card,) = to(calls, 222)
    assert [b["text"] for b in buttons_of(card)] == ["✅ Approve", "❌ Reject", "💬 Comment"]
    await manager.tap("Approve", [card])
    assert "Next: Zhao Min (director)" in manager.text

    calls = await deliver(tg)
    edits = to(calls, 222, "editMessageText")
    assert edits and int(edits[0].params["message_id"]) == int(card.result["message_id"])
    assert "Approved by Wang Qiang" in edits[0].params["text"] and not buttons_of(edits[0])
    assert any("now waiting for Zhao Min" in c.params.get("text", "") for c in to(calls, 111))
    (director_card,) = to(calls, 333)
    await director.tap("Approve", [director_card])
    await director.tap("Approve", [director_card])  # the same card tapped twice: the second is told, nothing changes
    assert "Already approved by Zhao Min" in director.text

    calls = await deliver(tg)
    assert not buttons_of(to(calls, 333, "editMessageText")[0])
    outcome = [c for c in to(calls, 111) if "approved" in c.params.get("text", "")]
    await rep.tap("Convert to order", outcome)
    assert "Order SO-" in rep.text
    async with tg.container.sessionmaker() as s:
        assert (await s.scalars(select(Quote.status))).one() == QuoteStatus.ORDERED
        assert (await s.scalars(select(Order))).one().total == 583200
        copies = (await s.scalars(select(ApprovalCard).order_by(ApprovalCard.id))).all()
        assert [(c.platform, c.chat_id, c.shown) for c in copies] == [("telegram", "222", "APPROVED"), ("telegram", "333", "APPROVED")]


async def test_a_card_from_the_approvals_list_is_edited_in_place_when_decided(tg):
    catalog = await add_catalog(tg.container.sessionmaker)
    await submitted_quote(tg.container.sessionmaker, tg.world, catalog, qty=1, discount="20")
    manager = await bound(tg, "manager", 222)
    calls = await manager.say("/approvals")
    (card,) = [c for c in calls if "✅ Approve" in str(c.params.get("reply_markup"))]
    calls = await manager.tap("Approve", [card])
    edits = to(calls, 222, "editMessageText")
    assert len(edits) == 1 and int(edits[0].params["message_id"]) == int(card.result["message_id"])
    assert "Approved by Wang Qiang" in edits[0].params["text"] and not buttons_of(edits[0])
    assert not [c for c in to(calls, 222) if "Approved by Wang Qiang" in c.params["text"]]  # no second copy of the card
    assert tg.fake.sent[(222, int(card.result["message_id"]))].get("reply_markup") is None  # buttons gone on the phone


async def test_ticking_a_products_options_edits_the_list_in_place(tg):
    """A checkbox list answers each tick by changing its own boxes, not by stacking a new list."""
    await add_catalog(tg.container.sessionmaker)
    rep = await bound(tg, "rep", 111)
    await rep.say("/quote 恒力")
    (options,) = [c for c in await rep.say("X1000") if "100kW" in str(c.params.get("reply_markup"))]
    for tick in ("100kW", "不锈钢"):
        calls = await rep.tap(tick, [options])
        assert not to(calls, 111)  # no second list
        (edit,) = to(calls, 111, "editMessageText")
        assert int(edit.params["message_id"]) == int(options.result["message_id"])
    shown = tg.fake.sent[(111, int(options.result["message_id"]))]
    assert [b["text"].split()[0] for row in shown["reply_markup"]["inline_keyboard"] for b in row] == ["☑", "☑", "Done"]
    calls = await rep.tap("Done", [options])
    (closed,) = to(calls, 111, "editMessageText")  # the list, closed: what was chosen, no checkboxes left
    assert int(closed.params["message_id"]) == int(options.result["message_id"]) and not buttons_of(closed)
    assert closed.params["text"] == "<b>X1000 high-flow centrifugal pump</b>\n\n<b>Options:</b>\n100kW 电机 +CN¥12,000.00\n不锈钢泵体 +CN¥8,500.00"
    assert [c.params["text"] for c in to(calls, 111)] == ["How many (台)?"]  # the next question is a new message
    await rep.say("6")
    await rep.tap("0 %")
    assert "X1000 大流量离心泵 + 100kW 电机 + 不锈钢泵体 × 6 台" in rep.text


async def test_a_tapped_card_about_another_record_is_left_alone(tg):
    manager = await bound(tg, "manager", 222)
    calls = await manager.say("/c 恒力")
    (card,) = [c for c in calls if "苏州恒力" in c.params.get("text", "")]
    calls = await manager.tap("Check in here", [card])
    assert not to(calls, 222, "editMessageText")  # the 360 card stays as it was; the check-in asks anew
    assert to(calls, 222)


async def test_a_card_from_the_approvals_list_shows_a_decision_taken_elsewhere(tg):
    """The director reads /approvals on Telegram but the manager decides in the web chat: the
    Telegram card loses its buttons and shows who decided, without anyone tapping it."""
    from conversations.local import sign_in as sign_in_web
    from tests.support.chat import Chat

    catalog = await add_catalog(tg.container.sessionmaker)
    await submitted_quote(tg.container.sessionmaker, tg.world, catalog, qty=1, discount="20")
    manager = await bound(tg, "manager", 222)
    calls = await manager.say("/approvals")
    (card,) = [c for c in calls if "✅ Approve" in str(c.params.get("reply_markup"))]
    async with tg.container.sessionmaker() as s:
        copies = (await s.scalars(select(ApprovalCard))).all()
        assert [(c.platform, c.chat_id, c.message_id, c.shown) for c in copies] == [("telegram", "222", str(card.result["message_id"]), "PENDING")]

    web = Chat(tg.container.engine, "manager")
    await sign_in_web(tg.container.deps, web.key, "manager")
    await web.say("/approvals")
    await web.tap("Approve")
    assert "Approved" in web.text

    calls = await deliver(tg)
    (edit,) = to(calls, 222, "editMessageText")
    assert int(edit.params["message_id"]) == int(card.result["message_id"])
    assert "Approved by Wang Qiang" in edit.params["text"] and not buttons_of(edit)
    assert tg.fake.sent[(222, int(card.result["message_id"]))].get("reply_markup") is None


async def test_other_cards_shown_in_an_answer_are_not_remembered(tg):
    manager = await bound(tg, "manager", 222)
    await manager.say("/c 恒力")
    async with tg.container.sessionmaker() as s:
        assert (await s.scalars(select(ApprovalCard))).all() == []
