"""Every dialog through real-shaped Telegram updates: what the Bot API is asked to show, what is stored."""

from __future__ import annotations

import time

from sqlalchemy import select, update

from conversations.inbound import ConversationKey
from conversations.local import sign_in
from core.models import AuditEntry, ChatIdentity, ContactRecord, Customer, Lead, Task, Visit
from tests.integration.test_binding_dialog import new_code
from tests.integration.test_service_engineer_dialog import manager_creates_ticket
from tests.support.fake_telegram import BOT_USER, USERNAME
from tests.support.service_world import make_service_world
from tests.support.telegram import Harness, TgUser, buttons_of
from tests.support.world import SIP

pytest_plugins = ("tests.support.telegram_fixtures",)
"""The `tg` and `fake_api` fixtures."""

NO_PREVIEW = {"is_disabled": True}


async def bound(harness: Harness, login: str, user_id: int = 111, **kw: object) -> TgUser:
    """A Telegram account already bound to `login` (binding itself is tested below)."""
    user = harness.user(user_id, **kw)  # type: ignore[arg-type]
    await sign_in(harness.container.deps, ConversationKey("telegram", "", str(user_id), str(user_id)), login)
    return user


async def test_deep_link_binds_in_the_users_language_with_the_main_keyboard(tg):
    code = await new_code(tg.container, "rep")
    wei = tg.user(111, language_code="zh-hans")
    calls = await wei.say(f"/start {code}")
    assert [c.method for c in calls] == ["sendMessage"] * 3 + ["setMyCommands"]
    welcome, help_, menu, commands = (c.params for c in calls)
    assert commands["scope"] == {"type": "chat", "chat_id": 111}  # the "/" menu: a rep's commands, in Chinese
    assert [c["command"] for c in commands["commands"]] == [
        "checkin", "visit", "lead", "c", "quote", "quotes", "agenda", "pool", "stock", "settings", "lang", "help", "cancel",
    ]
    assert commands["commands"][0]["description"] == "客户现场签到（发送位置）"
    await wei.say("/menu")
    assert "setMyCommands" not in [c.method for c in wei.last]  # set once, until the menu changes
    assert welcome == {
        "chat_id": 111, "text": "欢迎，张伟！此聊天账号已绑定（销售）。", "parse_mode": "HTML", "link_preview_options": NO_PREVIEW,
    }
    assert help_["reply_markup"] == {
        "keyboard": [
            [{"text": "📍 签到 / 发送位置", "request_location": True}],
            [{"text": "➕ 新线索"}, {"text": "🔎 查客户"}],
            [{"text": "📅 日程"}, {"text": "☰ 菜单"}],
        ],
        "is_persistent": True,
        "resize_keyboard": True,
    }
    assert menu["text"] == "要做什么？"
    labels = [b["text"] for b in buttons_of(calls[2])]
    assert labels[:4] == ["📍 签到", "📝 记录拜访", "➕ 新线索", "🔎 查客户"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons_of(calls[2]))
    async with tg.container.sessionmaker() as s:
        identity = (await s.scalars(select(ChatIdentity).where(ChatIdentity.platform == "telegram"))).one()
        assert (identity.external_user_id, identity.chat_id, identity.user_id) == ("111", "111", tg.world.uid("rep"))


def keyboard_of(calls) -> list[list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    return next(c.params["reply_markup"]["keyboard"] for c in calls if "keyboard" in (c.params.get("reply_markup") or {}))


async def test_the_main_keyboard_holds_each_roles_everyday_actions(tg, world):
    manager = await bound(tg, "manager", 222, language_code="zh-hans")
    await manager.say("/start")
    assert "发送位置即可签到" in manager.text
    assert keyboard_of(manager.last) == [
        [{"text": "📍 签到 / 发送位置", "request_location": True}],
        [{"text": "✅ 待审批"}, {"text": "➕ 新线索"}],
        [{"text": "🔎 查客户"}, {"text": "📅 日程"}],
        [{"text": "☰ 菜单"}],
    ]
    await manager.say("✅ 待审批")  # a tap on the keyboard arrives as its label
    assert "目前没有待您审批的事项" in manager.text
    await manager.say("/checkin")  # asking for the location keeps the manager's keyboard
    assert keyboard_of(manager.last)[1] == [{"text": "✅ 待审批"}, {"text": "➕ 新线索"}]

    rep = await bound(tg, "rep", 444)
    await rep.locate(SIP[0] + 0.0009, SIP[1])
    await rep.tap("苏州恒力")
    await manager.say("/team")  # a list asking what next is not the menu: the keyboard stays the manager's
    assert "团队签到（今天）：1 条" in manager.text and "苏州恒力机械有限公司" in manager.text
    assert not [c for c in manager.last if "keyboard" in (c.params.get("reply_markup") or {})]

    dealer = await bound(tg, "dealer", 333)
    await dealer.say("/menu")
    keyboard = keyboard_of(dealer.last)
    assert keyboard[0] == [{"text": "📦 Report stock"}, {"text": "➕ New lead"}]
    assert not any(b.get("request_location") for row in keyboard for b in row)  # dealers do not check in
    assert "Report stock in one plain message" in dealer.text and "check in" not in dealer.text  # nor are told to

    engineer = await bound(tg, "engineer", 555)
    await engineer.say("/start")
    assert "/tickets lists your tickets, nearest first; send your location to record arriving on site" in engineer.text

    await dealer.say("/lang zh-CN")  # the keyboard follows the language, still a dealer's
    assert keyboard_of(dealer.last)[0] == [{"text": "📦 上报库存"}, {"text": "➕ 新线索"}]
    assert "要做什么？" in dealer.text
    commands = next(c.params for c in dealer.last if c.method == "setMyCommands")  # and so does the "/" menu
    assert commands["scope"] == {"type": "chat", "chat_id": 333}
    assert [(c["command"], c["description"]) for c in commands["commands"][:2]] == [("report", "上报库存"), ("stock", "渠道库存")]


async def test_a_message_the_bot_cannot_place_says_what_to_send_instead_in_two_messages(tg):
    """Not the whole greeting again after every typo: what went wrong and what the role can send,
    carrying the main keyboard, then the menu."""
    rep = await bound(tg, "rep", language_code="zh-hans")
    calls = [c for c in await rep.say("asdkjh qwe") if c.method == "sendMessage"]
    assert len(calls) == 2
    problem, menu = (c.params for c in calls)
    assert problem["text"] == "没有理解您的消息。\n直接发送客户名称（或 /c 加名称）即可查询客户，发送位置即可签到，或点击下方操作。"
    assert problem["reply_markup"]["keyboard"][0] == [{"text": "📍 签到 / 发送位置", "request_location": True}]
    assert menu["text"] == "要做什么？" and "您好" not in rep.text
    engineer = await bound(tg, "engineer", 112)
    await engineer.say("/frobnicate")
    assert engineer.texts[0] == "Unknown command /frobnicate.\n/tickets lists your tickets, nearest first; send your location to record " \
        "arriving on site; send a customer's name to look it up; or pick an action below."
    assert [b["text"] for b in buttons_of(engineer.last[1])][:2] == ["🔎 Customer", "🛠 My tickets"]


async def test_unbound_account_gets_only_the_binding_prompt(tg):
    stranger = tg.user(999)
    await stranger.say("/c 恒力")
    assert "binding code" in stranger.text and "恒力" not in stranger.text
    await stranger.locate(*SIP)
    assert "binding code" in stranger.text
    assert await stranger.move_live(1, *SIP) == []


async def test_check_in_with_live_location_pick_photo_and_step_by_step_check_out(tg):
    rep = await bound(tg, "rep")
    sent_at = int(time.time()) - 5
    calls = await rep.locate(SIP[0] + 0.0009, SIP[1], 12, live_period=900, date=sent_at)
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].params["text"] == "Customers near you (2). Where are you?"
    assert buttons_of(calls[0])[0]["text"].startswith("Suzhou Hengli Machinery Co., Ltd. · 苏州恒力机械有限公司 · 100 m")

    listed = calls[0]
    calls = await rep.tap("苏州恒力")
    # the card (the photo hint goes under it), then the list keeps only what was picked
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage", "editMessageText"]
    assert calls[0].params == {"callback_query_id": calls[0].params["callback_query_id"]}
    assert calls[2].params["message_id"] == listed.result["message_id"] and "reply_markup" not in calls[2].params
    assert calls[2].params["text"] == ("Customers near you (2). Where are you?\n\n"
                                       "<b>✓ Suzhou Hengli Machinery Co., Ltd. · 苏州恒力机械有限公司 · 100 m</b>")
    card = calls[1].params
    assert card["text"].startswith("<b>✅ Checked in: 苏州恒力机械有限公司</b>\n<i>机械-华东-001</i>\n\n<b>Distance to site:</b> 100 m\n")
    assert "<b>Geofence:</b> inside (300 m radius)" in card["text"] and "Trust" not in card["text"]
    assert card["text"].endswith("\n\nSend photos now to attach them to this visit; tap “Check out” when you leave.")
    assert [[(b["text"], b.get("style")) for b in row] for row in card["reply_markup"]["inline_keyboard"]] == [[("Check out", "primary")]]

    await rep.photo("AgACAgUAAxkBAAIBZ2VisitPhoto", caption="车间入口")
    assert "1 so far" in rep.text

    await rep.tap("Check out")
    assert rep.texts[0] == "Check out of 苏州恒力机械有限公司"
    assert rep.texts[-1] == "(1/3) What happened? (visit summary)"
    assert [b["text"] for b in buttons_of(rep.last[-1])] == ["✖ Cancel"]
    await rep.say("介绍X100离心泵，客户关注能耗")
    assert rep.texts == ["(2/3) Next step (optional)"]
    await rep.say("下周报价")
    await rep.tap("Skip")
    assert rep.text.startswith("👋 Checked out of 苏州恒力机械有限公司")

    async with tg.container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.platform == "telegram" and visit.source.value == "live" and "static_pin" not in visit.trust_flags
        assert int(visit.position_at.timestamp()) == sent_at and 95 < visit.distance_m < 105
        assert visit.photo_refs == ["tg:AgACAgUAAxkBAAIBZ2VisitPhoto"] and visit.checked_out_at is not None
        record = (await s.scalars(select(ContactRecord))).one()
        assert record.summary == "介绍X100离心泵，客户关注能耗" and record.next_step == "下周报价"


async def test_live_location_edits_move_the_visit_and_never_answer(tg):
    rep = await bound(tg, "rep")
    await rep.locate(SIP[0] + 0.004, SIP[1], 15, live_period=3600)  # about 450 m away: outside
    live_message_id = rep.last_message_id
    await rep.tap("苏州恒力")
    assert "outside" in rep.text
    await rep.say("/lead")  # a dialog is open while the position keeps moving
    assert await rep.move_live(live_message_id, SIP[0] + 0.0002, SIP[1], accuracy=6) == []
    async with tg.container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.inside_fence and visit.distance_m < 30 and visit.accuracy_m == 6
        moved = (await s.scalars(select(AuditEntry).where(AuditEntry.action == "visit.live_update"))).all()
        assert len(moved) == 1 and moved[0].platform == "telegram"
    await rep.say("王经理 13812345678 苏州恒力机械")  # the lead dialog is still where it was
    assert "Possible duplicate" in rep.text


async def test_static_pin_sent_an_hour_ago_is_recorded_late_and_flagged(tg):
    rep = await bound(tg, "rep")
    an_hour_ago = int(time.time()) - 3600
    await rep.locate(SIP[0], SIP[1], 20, date=an_hour_ago)
    await rep.tap("苏州恒力")
    card = rep.last[1].params["text"]
    assert "static pin" in card.lower() and "late" in card.lower()
    async with tg.container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert set(visit.trust_flags) >= {"static_pin", "late_position"}
        assert int(visit.position_at.timestamp()) == an_hour_ago


async def test_new_lead_in_one_message_warns_of_the_duplicate_and_saves(tg):
    rep = await bound(tg, "rep")
    await rep.say("/lead 王经理 13812345678 苏州恒力机械 需要10台水泵")
    assert "Possible duplicate" in rep.text
    await rep.tap("Save anyway")
    assert "saved and assigned to Zhang Wei" in rep.text
    async with tg.container.sessionmaker() as s:
        lead = (await s.scalars(select(Lead))).one()
        assert (lead.company_name, lead.phone, lead.need) == ("苏州恒力机械", "+8613812345678", "需要10台水泵")
        assert (await s.scalars(select(Task))).one().lead_id == lead.id


async def test_customer_card_is_html_with_user_text_escaped(tg):
    async with tg.container.sessionmaker() as s:
        await s.execute(update(Customer).where(Customer.code == "机械-华东-001").values(address="3号楼 <B区> & 东门"))
        await s.commit()
    rep = await bound(tg, "rep")
    calls = await rep.say("/c 恒力")
    card = calls[0].params
    assert card["parse_mode"] == "HTML" and card["text"].startswith("<b>Suzhou Hengli Machinery Co., Ltd. · 苏州恒力机械有限公司</b>\n<i>机械-华东-001")
    assert "3号楼 &lt;B区&gt; &amp; 东门" in card["text"]
    assert any("Check in here" in b["text"] for b in buttons_of(calls[0]))


async def test_pool_claim_near_me(tg):
    rep = await bound(tg, "rep")
    await rep.say("/pool")
    await rep.tap("Near me")  # the pool's two ways: a step of its dialog, which then shows the one taken
    ask, picked = rep.last[-2].params, rep.last[-1].params
    assert picked["text"].endswith("\n\n<b>✓ 📍 Near me</b>") and "reply_markup" not in picked
    assert ask["reply_markup"]["keyboard"][0] == [{"text": "📍 Check in / send location", "request_location": True}]
    await rep.locate(*SIP)
    await rep.tap("苏州天宇")
    assert "is now yours" in rep.text
    async with tg.container.sessionmaker() as s:
        tianyu = (await s.scalars(select(Customer).where(Customer.code == "精密-华东-002"))).one()
        assert tianyu.owner_id is not None


async def test_agenda_from_the_keyboard_label_and_closing_a_follow_up(tg):
    rep = await bound(tg, "rep")
    await rep.say("📅 Agenda")  # a tap on the persistent keyboard arrives as its label
    assert "苏州恒力机械有限公司" in rep.text
    await rep.tap("苏州恒力")
    await rep.say("电话确认了安装时间")
    assert "Follow-up with 苏州恒力机械有限公司 recorded" in rep.text


async def test_switching_the_agendas_period_changes_the_list_in_place(tg):
    """Today → this week → this month: one message, edited, not a new list under the old one."""
    rep = await bound(tg, "rep")
    (agenda,) = await rep.say("/agenda")
    assert agenda.params["text"].startswith("📅 Today") and "苏州恒力机械有限公司" in agenda.params["text"]
    for period, title in (("This week", "📅 This week"), ("This month", "📅 This month")):
        calls = await rep.tap(period, [agenda])
        assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
        assert int(calls[1].params["message_id"]) == int(agenda.result["message_id"])
        shown = tg.fake.sent[(111, int(agenda.result["message_id"]))]
        assert shown["text"].startswith(title) and "Tap an item when it is done:" in shown["text"]
        assert "Today" in str(shown["reply_markup"])  # the way back
    calls = await rep.tap("苏州恒力", [agenda])  # closing an item asks a question below; the list stays
    assert rep.text == "What was done? (完成内容)" and not [c for c in calls if c.method.startswith("edit")]


async def test_stale_button_gets_an_expired_toast_and_loses_its_keyboard(tg):
    rep = await bound(tg, "rep")
    offer = await rep.say("/lead 王经理 13812345678 苏州恒力机械")
    await rep.say("/cancel")
    assert rep.text.startswith("Cancelled.")
    calls = await rep.tap("Save", offer)
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert calls[0].params["text"] == "This button has expired. Start again from the menu (/help)."
    stale = offer[-1]
    assert calls[1].params == {"chat_id": 111, "message_id": stale.result["message_id"]}
    async with tg.container.sessionmaker() as s:
        assert (await s.scalars(select(Lead))).first() is None


async def test_in_a_group_check_in_offers_a_link_and_commands_for_other_bots_are_ignored(tg):
    rep = (await bound(tg, "rep")).in_group()
    calls = await rep.say(f"/checkin@{USERNAME}")
    assert [c.method for c in calls] == ["sendMessage"]
    ask = calls[0].params
    assert ask["chat_id"] == -1001234567890 and ask["text"] == "Share your current location to check in."
    (link,) = buttons_of(calls[0])
    assert link["text"] == "📍 Open the check-in page" and link["url"].startswith("https://fieldchat.example/")
    assert "keyboard" not in ask["reply_markup"]
    assert await rep.say("/c@SomeOtherBot 恒力") == []


async def test_in_a_group_a_question_opens_the_askers_reply_box(tg):
    """With group privacy on (the default) the bot sees only commands and replies to it there: a
    question replies to the asker's message with a selective ForceReply, so the asker's app opens
    the reply box on it (and nobody else's), and the typed answer reaches the bot."""
    rep = (await bound(tg, "rep")).in_group()
    await rep.say("/quote")
    asked_in = rep.last_message_id
    (ask,) = [c for c in rep.last if c.method == "sendMessage"]
    assert ask.params["text"] == "Quote for which customer? Type a name, pinyin, phone or code."
    assert ask.params["reply_markup"] == {"force_reply": True, "selective": True}
    assert ask.params["reply_parameters"] == {"message_id": asked_in, "allow_sending_without_reply": True}
    question = tg.fake.sent[(rep.chat["id"], int(ask.result["message_id"]))]
    await rep.send(text="恒力", reply_to_message=question)  # what the reply box sends
    started, product = rep.last  # the only match: the draft starts, and the next question opens the box again
    assert started.params["text"].startswith("Draft Q-") and started.params["text"].endswith(" for 苏州恒力机械有限公司 started.")
    assert "reply_markup" not in started.params
    assert product.params["text"].startswith("Which product?") and product.params["reply_markup"] == {"force_reply": True, "selective": True}

    await rep.say("/cancel")
    assert "reply_parameters" not in rep.last[0].params  # nothing asked: a plain answer
    alone = await bound(tg, "rep2", 112)
    await alone.say("/quote")
    assert alone.last[0].params["text"] == ask.params["text"]
    assert "reply_markup" not in alone.last[0].params and "reply_parameters" not in alone.last[0].params  # private: no need


async def test_in_a_forum_topic_replies_stay_in_the_topic(tg):
    rep = (await bound(tg, "rep")).in_group()
    topic = {"message_thread_id": 77, "is_topic_message": True}
    calls = await rep.send(text="/c 恒力", entities=[{"offset": 0, "length": 2, "type": "bot_command"}], **topic)
    assert calls and all(c.params["message_thread_id"] == 77 for c in calls)
    assert "苏州恒力机械有限公司" in rep.text
    calls = await rep.tap("Check in here")
    sent = [c for c in calls if c.method.startswith("send")]
    assert sent and all(c.params["message_thread_id"] == 77 for c in sent)
    calls = await rep.send(text="/c 恒力", entities=[{"offset": 0, "length": 2, "type": "bot_command"}])
    assert calls and all("message_thread_id" not in c.params for c in calls)  # the General topic: no thread id


async def test_a_file_that_is_not_a_picture_is_answered_not_ignored(tg):
    rep = await bound(tg, "rep")
    pdf = {"file_id": "BQACAgUAAxkBAAIBpdf", "file_unique_id": "AgADpdf", "file_name": "报价单.pdf", "mime_type": "application/pdf", "file_size": 48211}
    calls = await rep.send(document=pdf)
    assert [c.method for c in calls] == ["sendMessage"]
    assert rep.text.startswith("📎 I can't keep files here. Send a picture as a photo")
    picture = pdf | {"file_name": "门头.jpg", "mime_type": "image/jpeg"}
    await rep.send(document=picture)  # a photo sent "as a file" is still a photo
    assert "can't keep files" not in rep.text


async def test_a_voice_note_or_video_is_answered_with_what_to_send_instead(tg):
    rep = await bound(tg, "rep", language_code="zh-hans")
    voice = {"file_id": "AwACAgUAAxkBAAIBvoice", "file_unique_id": "AgADvo", "duration": 6, "mime_type": "audio/ogg", "file_size": 18022}
    calls = await rep.send(voice=voice)
    assert [c.method for c in calls] == ["sendMessage"]
    assert rep.text.startswith("🎤 暂时听不了语音消息，请改发文字")
    video = {"file_id": "BAACAgUAAxkBAAIBvideo", "file_unique_id": "AgADvi", "width": 720, "height": 1280, "duration": 9}
    await rep.send(video=video)
    assert rep.text.startswith("🎬 这里无法保存视频")
    async with tg.container.sessionmaker() as s:
        assert (await s.scalars(select(Visit))).first() is None  # nothing stored from either


async def test_in_a_group_files_and_voice_notes_between_people_get_no_answer(tg):
    rep = (await bound(tg, "rep")).in_group()
    pdf = {"file_id": "BQACAgUAAxkBAAIBpdf", "file_unique_id": "AgADpdf", "file_name": "报价单.pdf", "mime_type": "application/pdf"}
    assert await rep.send(document=pdf) == []
    assert await rep.send(voice={"file_id": "AwACvoice", "file_unique_id": "AgADv", "duration": 3}) == []
    people = {"message_id": 9, "from": {"id": 555, "is_bot": False, "first_name": "Li"}, "chat": rep.chat, "date": int(time.time()), "text": "见附件"}
    assert await rep.send(document=pdf, reply_to_message=people) == []
    ours = people | {"from": BOT_USER}
    await rep.send(document=pdf, reply_to_message=ours)  # answering the bot's own message: it is for the bot
    assert rep.text.startswith("📎 I can't keep files here")


async def test_in_a_group_the_bot_answers_only_what_is_said_to_it(tg):
    """A bot that is a group admin (or has privacy mode off) receives everything people say there."""
    rep = (await bound(tg, "rep")).in_group()
    assert await rep.say("今天谁去恒力？") == []  # people talking: no "not understood", no menu
    stranger = tg.user(888).in_group()
    assert await stranger.say("我下午去") == []  # an unbound member gets no binding prompt either
    await rep.locate(SIP[0] + 0.0009, SIP[1])
    assert rep.last == []  # a location shown to colleagues checks nobody in

    await rep.say(f"@{USERNAME} 苏州恒力")  # a mention is for the bot, and not part of the name asked for
    assert "苏州恒力机械有限公司" in rep.text and "王建国" in rep.text
    bot_message = {"message_id": 9, "from": BOT_USER, "chat": rep.chat, "date": int(time.time()), "text": "What would you like to do?"}
    await rep.send(text="谢谢", reply_to_message=bot_message)  # an answer to the bot is for it too
    assert "I did not understand" in rep.text
    await rep.say("/lead")  # a dialog open in the group takes the sender's next message
    await rep.send(text="王经理 13812345678 苏州恒力机械 需要10台水泵", reply_to_message=bot_message)
    assert "王经理" in rep.text
    async with tg.container.sessionmaker() as s:
        assert (await s.scalars(select(Visit))).first() is None


async def test_a_dialogs_pick_list_keeps_only_the_pick_while_search_results_stay_to_open_another(tg):
    rep = await bound(tg, "rep")
    found = await rep.say("/c 苏州")  # browsing: open one match, then another from the same list
    opened = await rep.tap("苏州恒力", found)
    assert "editMessageText" not in [c.method for c in opened] and "苏州恒力机械有限公司" in rep.text
    await rep.tap("苏州天宇", found)
    assert "苏州天宇精密科技有限公司" in rep.text

    listed = await rep.say("/quote 苏州")  # a quote's customer: picked once
    (listing,) = [c for c in listed if buttons_of(c)]
    as_sent = dict(rep.sent_message(listing))
    _, hengli = rep.button("苏州恒力", listed)
    calls = await rep.tap("苏州恒力", listed)
    assert [c.method for c in calls][:2] == ["answerCallbackQuery", "sendMessage"] and "Q-" in rep.text
    edit = calls[-1].params
    assert calls[-1].method == "editMessageText" and edit["message_id"] == listing.result["message_id"] and "reply_markup" not in edit
    assert edit["text"].endswith("\n\n<b>✓ Suzhou Hengli Machinery Co., Ltd. · 苏州恒力机械有限公司</b>")
    assert rep.sent_message(listing)["text"].startswith(as_sent["text"])  # what Telegram shows: the question, then the pick

    # A second tap already on its way when the list changed: no second draft, and only the list is edited again.
    again = await rep.tap_data(hengli["callback_data"], as_sent)
    assert "already open" in rep.text and "no second draft" in rep.text
    assert {c.params["message_id"] for c in again if c.method.startswith("edit")} == {listing.result["message_id"]}


async def test_a_tapped_card_shows_its_record_changed_in_place_even_after_a_line_of_text(tg, world, chat_as):
    await make_service_world(tg.container.sessionmaker, world)
    number = await manager_creates_ticket(chat_as)

    engineer = await bound(tg, "engineer", user_id=444)
    await engineer.say("/tickets")
    (card_call,) = [c for c in await engineer.tap(number) if c.method == "sendMessage"]
    calls = await engineer.tap("Accept", [card_call])
    # "Accepted" goes out below; the card tapped shows the ticket taken on, with its next steps
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    edit, said = calls[1].params, calls[2].params
    assert edit["message_id"] == card_call.result["message_id"] and "<b>Status:</b> accepted" in edit["text"]
    assert "Arrived on site" in [b["text"].split(" ", 1)[-1] for b in buttons_of(calls[1])] and number in said["text"]


async def test_a_record_shown_again_keeps_its_buttons_only_on_the_newest_copy(tg):
    rep = await bound(tg, "rep")
    (first,) = await rep.say("/c 苏州恒力")
    assert "Log visit" in str(buttons_of(first))
    calls = await rep.say("/c 苏州恒力")  # the same customer looked up again later in the day
    assert [c.method for c in calls] == ["sendMessage", "editMessageReplyMarkup"]  # the answer first, then the tidying
    second, strip = calls
    assert strip.params == {"chat_id": 111, "message_id": first.result["message_id"]}
    assert "reply_markup" not in rep.sent_message(first) and buttons_of(second)  # the older copy stays to read, without buttons
    assert "苏州恒力机械有限公司" in rep.sent_message(first)["text"]

    await rep.say("/c 苏州天宇")  # another record: nothing is taken off
    assert [c.method for c in rep.last] == ["sendMessage"]
    assert "reply_markup" in rep.sent_message(second)
