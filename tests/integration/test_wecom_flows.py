"""Whole WeCom dialogs through the encrypted callback: a check-in from a GCJ-02 location message,
card buttons (decided cards greyed out), the step-by-step check-out, location reports, photos,
and the per-member send budget measured on the fake API's timestamps."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bots.base import DeliveryError
from conversations.messages import Action, Card, Text
from core.datum import wgs84_to_gcj02
from core.models import LocationSource, MediaBlob, Visit
from tests.integration.wecom_env import WeComRig, make_rig
from tests.support import fake_wecom
from tests.support.fake_wecom import PNG, event, message
from tests.support.world import SIP


@pytest.fixture
async def rig(clean_db):
    rig = await make_rig(clean_db)
    yield rig
    await rig.client.aclose()


async def only_visit(rig: WeComRig) -> Visit:
    async with rig.container.sessionmaker() as s:
        return (await s.scalars(select(Visit))).one()


async def click(rig: WeComRig, user: str, key: str, response_code: str) -> None:
    plain = event(user, int(rig.clock()), "template_card_event", EventKey=key, TaskId="t1",
                  CardType="button_interaction", ResponseCode=response_code)
    assert (await rig.post(plain)).status_code == 200


async def check_in_at_hengli(rig: WeComRig, user: str) -> None:
    """The rep sends WeCom's location (GCJ-02) ~100 m north of Hengli and taps the customer."""
    glat, glon = wgs84_to_gcj02(SIP[0] + 0.0009, SIP[1])
    await rig.post(message(user, int(rig.clock()), "location", 7001, Location_X=round(glat, 6),
                           Location_Y=round(glon, 6), Scale=15, Label="苏州工业园区星湖街"))
    assert "苏州恒力" in rig.texts()
    key = rig.button("苏州恒力")
    rig.fake.clear()
    await click(rig, user, key, "resp-pick")


async def test_whole_check_in_from_a_wecom_location(rig: WeComRig) -> None:
    user = await rig.bind("rep", "zhangwei")
    await check_in_at_hengli(rig, user)
    (update,) = rig.fake.of("message/update_template_card")
    assert update.body["response_code"] == "resp-pick" and update.body["userids"] == ["zhangwei"]
    assert "苏州恒力" in update.body["button"]["replace_name"]  # the picked card now shows what happened
    receipt = rig.cards()[0]
    assert "苏州恒力" in receipt["main_title"]["title"]
    verdicts = {h["keyname"]: h["value"] for h in receipt["horizontal_content_list"]}
    assert any("内" in v or "inside" in v for v in verdicts.values()), verdicts  # inside the fence
    visit = await only_visit(rig)
    assert visit.datum == "gcj02" and visit.platform == "wecom" and visit.inside_fence
    assert 90 < visit.distance_m < 110  # as a WGS-84 reading would never be (≈ 500 m off)


async def test_stale_card_button_is_refused_politely(rig: WeComRig) -> None:
    user = await rig.bind("rep", "zhangwei")
    await check_in_at_hengli(rig, user)
    rig.fake.clear()
    await rig.say(user, "/cancel", 7101)
    rig.fake.clear()
    glat, glon = wgs84_to_gcj02(SIP[0], SIP[1])
    await rig.post(message(user, int(rig.clock()), "location", 7102, Location_X=glat, Location_Y=glon))
    old_key = rig.button("苏州恒力")
    await rig.say(user, "/cancel", 7103)
    rig.fake.clear()
    await click(rig, user, old_key, "resp-old")
    assert "失效" in rig.texts()  # "this button is no longer valid"
    async with rig.container.sessionmaker() as s:
        assert len((await s.scalars(select(Visit))).all()) == 1  # no second check-in


async def test_check_out_button_then_form_step_by_step(rig: WeComRig) -> None:
    user = await rig.bind("rep", "zhangwei")
    await check_in_at_hengli(rig, user)
    out_key = rig.button("签退")
    rig.fake.clear()
    await click(rig, user, out_key, "resp-out")
    (update,) = rig.fake.of("message/update_template_card")
    assert update.body["button"]["replace_name"].startswith("签退")
    # WeCom has no native forms: one question per message, and a link to the whole form.
    assert "(1/3) 拜访内容" in rig.texts() and "/p/form/" in rig.texts()
    rig.fake.clear()
    await rig.say(user, "介绍X100离心泵，客户关注能耗", 7201)
    assert "(2/3) 下一步计划" in rig.texts()
    rig.fake.clear()
    await rig.say(user, "下周报价", 7202)
    assert "(3/3) 下次联系日期" in rig.texts()
    skip = rig.button("跳过")
    rig.fake.clear()
    await click(rig, user, skip, "resp-skip")
    visit = await only_visit(rig)
    assert visit.checked_out_at is not None and visit.summary == "介绍X100离心泵，客户关注能耗"
    assert visit.next_step == "下周报价"
    assert "苏州恒力" in rig.texts()


async def test_location_report_refreshes_the_open_visit_silently(rig: WeComRig) -> None:
    user = await rig.bind("rep", "zhangwei")
    await check_in_at_hengli(rig, user)
    rig.fake.clear()
    glat, glon = wgs84_to_gcj02(SIP[0] + 0.0002, SIP[1])  # ~22 m from the site, reported by WeCom
    await rig.post(event(user, int(rig.clock()), "LOCATION", Latitude=glat, Longitude=glon, Precision=12.5))
    assert rig.fake.sent() == []  # reports come every few seconds: never answered
    visit = await only_visit(rig)
    assert visit.source == LocationSource.LIVE and visit.accuracy_m == 12.5
    assert 15 < visit.distance_m < 30 and visit.datum == "gcj02"


async def test_location_report_from_an_idle_or_unbound_member_is_silent(rig: WeComRig) -> None:
    await rig.bind("rep", "zhangwei")
    for n, user in enumerate(("zhangwei", "stranger")):
        await rig.post(event(user, int(rig.clock()) + n, "LOCATION", Latitude=31.3, Longitude=120.6, Precision=30))
    assert rig.fake.sent() == []


async def test_location_picker_from_the_menu_starts_a_check_in(rig: WeComRig) -> None:
    user = await rig.bind("rep", "zhangwei")
    glat, glon = wgs84_to_gcj02(SIP[0], SIP[1])
    info = {"Location_X": glat, "Location_Y": glon, "Scale": 15, "Label": "星湖街", "Poiname": "恒力"}
    await rig.post(event(user, int(rig.clock()), "location_select", EventKey="checkin", SendLocationInfo=info))
    assert "苏州恒力" in rig.texts()


async def test_photo_is_kept_and_added_to_the_visit(rig: WeComRig) -> None:
    user = await rig.bind("rep", "zhangwei")
    await check_in_at_hengli(rig, user)
    rig.fake.clear()
    await rig.post(message(user, int(rig.clock()), "image", 7301, PicUrl="http://wework.qpic.cn/x", MediaId="MEDIA1"))
    (download,) = rig.fake.of("media/get")
    assert download.params["media_id"] == "MEDIA1"
    visit = await only_visit(rig)
    assert len(visit.photo_refs) == 1 and visit.photo_refs[0].startswith("media:")
    async with rig.container.sessionmaker() as s:
        blob = (await s.scalars(select(MediaBlob))).one()
    assert blob.data == PNG and blob.mime == "image/png"


async def test_notifications_stay_within_thirty_a_minute_per_member(rig: WeComRig) -> None:
    """Proactive sends past the budget raise DeliveryError(retry_after) instead of being dropped by WeCom."""
    refused: list[float] = []
    for _ in range(45):
        try:
            await rig.adapter.send("zhangwei", [Text("⏰ 跟进提醒")])
        except DeliveryError as exc:
            assert exc.retry_after is not None and not exc.permanent
            refused.append(exc.retry_after)
        rig.clock.at += 1.0
    stamps = [c.at for c in rig.fake.calls if c.path == "message/send"]
    assert len(stamps) == 30 and len(refused) == 15
    assert all(sum(1 for t in stamps if s <= t < s + 60) <= 30 for s in stamps)
    wait = await rig.adapter.would_exceed("zhangwei")
    assert 15 < wait < 16  # the first send (t=0) leaves the widened minute at t=60.6
    rig.clock.at += wait
    assert await rig.adapter.would_exceed("zhangwei") == 0
    await rig.adapter.send("lisi", [Text("another member has his own budget")])


async def test_an_hour_of_steady_notifications_stays_under_a_thousand(rig: WeComRig) -> None:
    sent = 0
    for _ in range(1100):
        if await rig.adapter.would_exceed("zhangwei") == 0:
            await rig.adapter.send("zhangwei", [Text("·")])
            sent += 1
        rig.clock.at += 3.0  # 20 a minute, within the minute window: the hour is what binds
    stamps = [c.at for c in rig.fake.calls if c.path == "message/send"]
    assert sent == len(stamps) > 900
    assert all(sum(1 for t in stamps if s <= t < s + 3600) <= 1000 for s in stamps[::25])


async def test_interactive_reply_waits_for_the_window_rather_than_being_dropped(rig: WeComRig) -> None:
    user = await rig.bind("rep", "zhangwei")
    for _ in range(30):
        await rig.adapter.send(user, [Text("·")])
    rig.fake.clear()
    await rig.say(user, "/lang", 7401)
    assert rig.slept and 0 < rig.slept[0] <= 61  # waited for a slot, then answered
    assert rig.fake.sent()


async def test_card_sent_then_edited_when_decided(rig: WeComRig) -> None:
    card = Card("报价 Q-7 待审批", (), (Action("批准", token="qa.-.ok7.Ab12Cd", style="primary"),))
    sent = await rig.adapter.send("manager", [card])
    (message_id,) = sent.message_ids
    assert message_id.startswith("rc:")
    await rig.adapter.edit("manager", message_id, [Text("已批准")])
    (update,) = rig.fake.of("message/update_template_card")
    assert update.body["response_code"] == message_id[3:] and update.body["button"]["replace_name"] == "已批准"


async def test_member_outside_the_app_is_a_permanent_failure(rig: WeComRig) -> None:
    rig.fake.send_errors.append(81013)
    with pytest.raises(DeliveryError) as caught:
        await rig.adapter.send("gone", [Text("hi")])
    assert caught.value.permanent
    rig.fake.send_errors.append(45009)
    with pytest.raises(DeliveryError) as caught:
        await rig.adapter.send("busy", [Text("hi")])
    assert not caught.value.permanent and caught.value.retry_after == 60


async def test_token_name_is_per_app(rig: WeComRig) -> None:
    assert rig.adapter.api.token_name == f"wecom:{fake_wecom.CORP_ID}:{fake_wecom.AGENT_ID}"


async def test_manager_approves_a_quote_from_the_wecom_card(rig: WeComRig) -> None:
    from conversations.local import sign_in
    from core.models import ApprovalStep, StepStatus
    from tests.integration.test_quote_dialog import draft_big_quote
    from tests.support.catalog import add_catalog
    from tests.support.chat import Chat

    await add_catalog(rig.container.sessionmaker)
    rep = Chat(rig.container.engine, "rep")  # the rep drafts and submits anywhere (the web chat here)
    await sign_in(rig.container.deps, rep.key, "rep")
    await draft_big_quote(rep)
    await rep.tap("Submit")

    manager = await rig.bind("manager", "wangqiang")
    rig.fake.clear()
    await rig.say(manager, "/approvals", 8001)
    assert "报价审批" in rig.texts() and "¥524,250.00" in rig.texts()  # the whole card, as markdown
    approve = rig.button("批准")
    rig.fake.clear()
    await click(rig, manager, approve, "resp-approve")
    (update,) = rig.fake.of("message/update_template_card")
    assert update.body["response_code"] == "resp-approve" and "button" in update.body  # buttons gone
    async with rig.container.sessionmaker() as s:
        first = (await s.scalars(select(ApprovalStep).order_by(ApprovalStep.position))).first()
    assert first is not None and first.status == StepStatus.APPROVED
    assert first.decided_by_id == rig.world.uid("manager") and first.decided_platform == "wecom"
    rig.fake.clear()
    await click(rig, manager, approve, "resp-again")  # a second tap on the old card
    async with rig.container.sessionmaker() as s:
        steps = (await s.scalars(select(ApprovalStep))).all()
    assert [x.decided_by_id for x in steps if x.decided_by_id] == [rig.world.uid("manager")]



async def test_a_burst_of_notifications_is_deferred_within_the_budget_never_dropped(rig: WeComRig) -> None:
    """Forty reminders due at once for one member: what WeCom would silently drop (the 31st of a
    minute) waits for the window, folded into one digest that follows when it has room; every one
    arrives once, alone or as a line of the digest."""
    from datetime import timedelta

    from core.models import OutboxStatus, utcnow
    from notifications.ratelimit import Limits
    from tests.support.notify import notifier, queue, rows

    await rig.bind("rep", "zhangwei")
    n = notifier(rig.container, rig.adapter, limits=Limits(rig.container.settings, clock=rig.clock))
    for i in range(40):
        await queue(rig.container, rig.world.uid("rep"), f"⏰ 跟进提醒 {i}")
    now = utcnow()
    await n.deliver(now)
    first = len(rig.fake.sent())
    (digest,) = await rows(rig.container, status=OutboxStatus.QUEUED)
    folded = await rows(rig.container, status=OutboxStatus.DIGESTED)
    assert 0 < first <= 30 and len(folded) == 40 - first and digest.kind == "digest" and digest.send_after > now
    for minute in range(1, 4):
        rig.clock.at += 61
        await n.deliver(now + timedelta(seconds=61 * minute))
    texts = sorted(line.removeprefix("• ") for b in rig.fake.sent() if b["msgtype"] == "text"
                   for line in b["text"]["content"].splitlines() if "跟进提醒" in line)
    assert texts == sorted(f"⏰ 跟进提醒 {i}" for i in range(40))  # every one, once
    stamps = [c.at for c in rig.fake.of("message/send")]
    assert all(sum(1 for t in stamps if s <= t < s + 60) <= 30 for s in stamps)
