"""A rep, a manager, an engineer and a dealer each do a whole day in DingTalk.

Messages reach FieldChat as the dingtalk-stream SDK delivers them (CALLBACK frames on the Stream
connection) or as signed robot callbacks at /dingtalk/robot; card clicks arrive over Stream;
positions come from the signed page a DingTalk button opens. What each person sees is read
from the recording fake of DingTalk's API (robot messages, StandardCards, card updates, media
uploads); what is stored is read from the database. A DingTalk user starts in Chinese.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.models import (
    ApprovalStep,
    ChatIdentity,
    ContactRecord,
    Customer,
    DealerTarget,
    Lead,
    PartStock,
    RebateClaim,
    ServiceRating,
    StepStatus,
    StockLine,
    StockReport,
    Task,
    TaskKind,
    TaskStatus,
    Ticket,
    TicketPart,
    TicketStatus,
    User,
    Visit,
    utcnow,
)
from core.rebate_math import previous_period, quarter_of
from tests.support.catalog import add_catalog
from tests.support.dealers import add_order, add_policy, make_channel
from tests.support.dingtalk import DingTalkRig, Person, dingtalk_rig, message_text
from tests.support.quotes import submitted_quote
from tests.support.service_world import make_service_world
from tests.support.world import SIP, later_today

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def rig(clean_db, world):
    async with dingtalk_rig(clean_db, dingtalk_stream=True) as rig:
        await rig.adapter.start()
        yield rig


def buttons(card: dict) -> list[str]:
    return [b["label"]["text"] for block in card["contents"] for b in block.get("actions", [])]


async def one(rig: DingTalkRig, model, *where):  # type: ignore[no-untyped-def]
    async with rig.container.sessionmaker() as s:
        return (await s.scalars(select(model).where(*where))).one()


async def check_in_at_hengli(person: Person) -> None:
    """DingTalk robots get no location: the check-in page reads the phone's position ~100 m from 恒力."""
    await person.say("/签到")
    (ask,) = person.latest()
    assert ask["type"] == "sampleActionCard" and ask["param"]["singleTitle"] == "📍 打开定位页面"
    answer = await person.open_page(person.link("定位"), lat=SIP[0] + 0.0009, lon=SIP[1], accuracy_m=12)
    assert answer.json()["delivered"] is True
    assert "苏州恒力机械有限公司 · 100 m" in person.text
    await person.click("苏州恒力")


async def test_a_reps_day(rig: DingTalkRig, world) -> None:
    async with rig.container.sessionmaker() as s:
        s.add(Task(user_id=world.uid("rep"), kind=TaskKind.TASK, title="准备X100报价", due_at=later_today(), status=TaskStatus.OPEN))
        await s.commit()
    rep = rig.person("zhangwei")

    await rep.say("你好")
    assert "绑定码" in rep.text and "语言 / Language" in rep.text and "签到" not in rep.text
    await rep.say(await rig.code_for("rep"), http=True)  # the one-time code, through the HTTP robot callback
    assert "欢迎，张伟！" in rep.text and "📍 签到" in rep.text
    identity = await one(rig, ChatIdentity, ChatIdentity.platform == "dingtalk")
    assert (identity.user_id, identity.external_user_id, identity.chat_id) == (world.uid("rep"), "zhangwei", "u:zhangwei")

    await check_in_at_hengli(rep)
    (receipt,) = rep.cards()
    assert "已签到：苏州恒力机械有限公司" in message_text(receipt) and "范围内" in message_text(receipt)
    visit = await one(rig, Visit)
    assert visit.platform == "dingtalk" and visit.inside_fence and 95 < visit.distance_m < 105

    await rep.say("/visit 恒力", http=True)
    assert "(1/4) 方式" in rep.text and rep.link("网页")  # no native forms: one question at a time, or the form page
    await rep.click("电话")
    await rep.say("确认了X100的交期")
    await rep.click("跳过")
    await rep.say("+10")
    assert "已记录：苏州恒力机械有限公司" in rep.text
    record = await one(rig, ContactRecord)
    assert (record.kind.value, record.summary) == ("call", "确认了X100的交期")

    await rep.say("/lead")
    await rep.say("钱经理 13912345678 无锡新星泵业 需要5台水泵")
    assert "新线索：请确认" in rep.text and "+8613912345678" in rep.text
    await rep.click("保存")
    assert "线索 无锡新星泵业 已保存" in rep.text
    lead = await one(rig, Lead)
    assert (lead.company_name, lead.phone, lead.contact_name) == ("无锡新星泵业", "+8613912345678", "钱经理")

    for query in ("恒力", "szhl", "suzhouhengli"):  # a Chinese name, pinyin initials, full pinyin
        await rep.say(f"/c {query}")
        (card,) = rep.cards()
        assert card["card"]["header"]["title"]["text"] == "苏州恒力机械有限公司", query
        assert "王建国 采购经理 13812345678" in message_text(card) and "📍 在此签到" in buttons(card["card"])
        assert card["id"].split("|")[2] == f"customer:{world.cid('hengli')}"

    await rep.say("/pool")
    await rep.click("附近")
    await rep.open_page(rep.link("定位"), lat=SIP[0], lon=SIP[1], accuracy_m=20)
    assert "附近的公海客户（1 个）" in rep.text
    await rep.click("苏州天宇")
    assert "已领取 苏州天宇精密科技有限公司" in rep.text
    assert (await one(rig, Customer, Customer.id == world.cid("tianyu"))).owner_id == world.uid("rep")

    await rep.say("/agenda")
    assert "准备X100报价" in rep.text and "跟进：苏州联众泵阀贸易有限公司" in rep.text
    await rep.click("准备X100报价")
    assert rep.text == "完成内容是什么？"
    await rep.say("报价已发给王经理")
    assert "已完成：准备X100报价" in rep.text
    task = await one(rig, Task, Task.title == "准备X100报价")
    assert task.status == TaskStatus.DONE and task.outcome == "报价已发给王经理"


async def test_a_managers_day_in_english_with_decisions_on_the_cards(rig: DingTalkRig, world) -> None:
    catalog = await add_catalog(rig.container.sessionmaker)
    await rig.bind("rep", "zhangwei")
    await check_in_at_hengli(rig.person("zhangwei"))
    manager = rig.person("wangqiang")
    await manager.say(await rig.code_for("manager"))
    assert "欢迎，王强！" in manager.text
    await manager.say("/lang")
    await manager.click("English")
    assert manager.text.startswith("Language set to English.\nWhat would you like to do?\n📍 Check in")  # the menu, in English
    assert (await one(rig, User, User.id == world.uid("manager"))).locale == "en"

    await manager.say("/team", http=True)
    assert "Team check-ins" in manager.text and "Zhang Wei @ 苏州恒力机械有限公司" in manager.text

    steps = []
    for qty in (2, 3):
        quote = await submitted_quote(rig.container.sessionmaker, world, catalog, qty=qty, bus=rig.container.deps.bus)
        steps.append((await one(rig, ApprovalStep, ApprovalStep.quote_id == quote)).id)
    manager.mark = len(manager.mine())
    await rig.container.notifier.deliver()  # the approval requests reach the manager as DingTalk cards
    requests = {card["id"].split("|")[2]: card["id"] for card in manager.cards()}
    assert set(requests) == {f"approval:{s}" for s in steps}
    first, second = (requests[f"approval:{s}"] for s in steps)
    assert "CN¥192,000.00" in message_text({"type": "card", "card": manager.card(first)})
    assert buttons(manager.card(first)) == ["✅ Approve", "❌ Reject", "💬 Comment"]

    await manager.say("/approvals")
    assert "2 approvals wait for you" in manager.text

    approve = manager.button("Approve", in_card=first)
    await manager.click("Approve", button=approve)
    assert "is fully approved" in manager.text
    assert buttons(manager.card(first)) == []  # the clicked card now shows the decision, buttons gone
    shown = message_text({"type": "card", "card": manager.card(first)})
    assert "**Decision**: ✅ Approved by Wang Qiang" in shown and "\\*" not in shown and "####" not in shown
    await manager.click("Approve", button=approve)  # the same (stale) button again
    assert "Already approved by Wang Qiang" in manager.text and "changed nothing" in manager.text

    await manager.click("Reject", in_card=second)
    assert "Why do you reject" in manager.text and buttons(manager.card(second)) != []
    await manager.say("价格低于底价")
    assert "Rejected: the requester" in manager.text
    decided = message_text({"type": "card", "card": manager.card(second)})
    assert buttons(manager.card(second)) == [] and "价格低于底价" in decided  # updated after the reason
    async with rig.container.sessionmaker() as s:
        decisions = [(x.status, x.decided_by_id, x.decided_platform) for x in (await s.scalars(select(ApprovalStep).order_by(ApprovalStep.id))).all()]
    assert decisions == [
        (StepStatus.APPROVED, world.uid("manager"), "dingtalk"), (StepStatus.REJECTED, world.uid("manager"), "dingtalk"),
    ]
    await rig.container.notifier.deliver()  # every recorded copy is synced once more: still no buttons
    assert all(buttons(card) == [] for card_id, card in rig.fake.updates() if card_id in (first, second))


async def test_an_engineers_day_from_the_ticket_to_the_rating(rig: DingTalkRig, world) -> None:
    service = await make_service_world(rig.container.sessionmaker, world)
    await rig.bind("manager", "wangqiang")
    manager = rig.person("wangqiang")
    await manager.say("/newticket 恒力")
    for label in ("X100", "维修"):
        await manager.click(label)
    await manager.say("X100 泵体异响，振动大")
    await manager.click("紧急")
    number = re.search(r"FW-\d{6}-\d{4}", manager.text).group(0)  # type: ignore[union-attr]
    assert "派给 陈杰" in manager.text

    await rig.bind("engineer", "chenjie")
    engineer = rig.person("chenjie")
    await engineer.say("/tickets")
    assert number in engineer.text and "响应 剩 1 小时" in engineer.text
    await engineer.click(number)
    (ticket,) = engineer.cards()
    assert "王建国 采购经理 13812345678" in message_text(ticket) and buttons(ticket["card"]) == ["✅ 接单"]
    await engineer.click("接单")
    assert engineer.text == f"已接单：{number}。"
    assert "📍 到达现场" in buttons(engineer.card(ticket["id"]))  # the clicked ticket card shows its new state

    await engineer.click("到达现场", in_card=ticket["id"])
    await engineer.open_page(engineer.link("定位"), lat=SIP[0] + 0.0005, lon=SIP[1], accuracy_m=10)
    assert f"已到场 {number}" in engineer.text and "在签到范围内" in engineer.text

    await engineer.click("使用备件")
    await engineer.say("6205", http=True)
    assert "BRG-6205 深沟球轴承 6205 · 车载 2 · 中心库 10" in engineer.text
    await engineer.click("BRG-6205")
    await engineer.say("1个")
    assert "已记录：使用 BRG-6205 ×1" in engineer.text

    await engineer.click("完工")
    assert "(1/1) 处理结果" in engineer.text
    await engineer.say("更换轴承 6205，试运行正常")
    assert f"工单 {number} 已完工" in engineer.text
    (upload,) = [c for c in rig.fake.calls if c.path == "/media/upload"]
    assert upload.body["type"] == "image" and upload.body["media"] == f"<file rating-{number}.png>"
    image = next(m for m in engineer.latest() if m["type"] == "sampleImageMsg")
    assert image["param"]["photoURL"].startswith("@media")
    rating = engineer.link("评价")
    path = "/" + rating.split("://", 1)[1].split("/", 1)[1]
    page = await rig.client.get(path)
    assert page.status_code == 200 and number in page.text and "服务态度" in page.text
    done = await rig.client.post(path, data={"attitude": "5", "response": "4", "quality": "5", "comment": "很专业"})
    assert done.status_code == 200

    async with rig.container.sessionmaker() as s:
        stored = (await s.scalars(select(Ticket))).one()
        assert stored.status == TicketStatus.CLOSED and stored.arrival_inside and stored.resolution == "更换轴承 6205，试运行正常"
        used = (await s.scalars(select(TicketPart))).one()
        assert used.quantity == 1 and used.warehouse_id == service.warehouses["van"].id
        van = await s.scalar(select(PartStock).where(PartStock.warehouse_id == service.warehouses["van"].id, PartStock.part_id == service.parts["BRG-6205"].id))
        assert van is not None and van.quantity == 1
        score = (await s.scalars(select(ServiceRating))).one()
        assert (score.attitude, score.response, score.quality, score.engineer_id) == (5, 4, 5, world.uid("engineer"))


async def test_a_dealers_day_stock_rebate_and_target(rig: DingTalkRig, world) -> None:
    channel = await make_channel(rig.container.sessionmaker, world)
    await add_policy(rig.container.sessionmaker, [(1_000_000, "2"), (3_000_000, "3")])
    last = previous_period(quarter_of(utcnow().astimezone(SHANGHAI).date()), "quarter")
    early_last = datetime.combine(last.start + timedelta(days=5), time(10), tzinfo=SHANGHAI).astimezone(UTC)
    await add_order(rig.container.sessionmaker, world, world.cid("lianzhong"), [(channel.products["X100"], "1200000")], at=early_last)
    await add_order(rig.container.sessionmaker, world, world.cid("lianzhong"), [(channel.products["X100"], "800000")])
    await rig.bind("rep", "zhangwei")  # the channel manager sets the quarter's target
    rep = rig.person("zhangwei")
    await rep.say("/target 联众")
    await rep.click("设置本季度目标")
    await rep.say("100万")
    assert "¥1,000,000.00" in rep.text

    await rig.bind("dealer", "liuyang")
    dealer = rig.person("liuyang")
    await dealer.say("库存：X100 十二台 / B-200 5箱，V50 2 boxes", http=True)
    (report,) = dealer.cards()
    assert "库存上报 · 苏州联众泵阀贸易有限公司" in message_text(report)
    assert "12 台（您填写：十二台）" in message_text(report) and "10 台（您填写：5箱）" in message_text(report)
    async with rig.container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(StockReport)) == 0  # nothing before confirming
    confirm = dealer.button("确认上报")
    await dealer.click("确认上报", button=confirm)
    assert "库存已保存：3 个产品" in dealer.text
    await dealer.click("确认上报", button=confirm)  # a second tap on the same card
    assert "不会重复保存" in dealer.text
    async with rig.container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(StockReport)) == 1
        lines = dict((await s.execute(select(StockLine.product_id, StockLine.quantity))).all())
    assert lines == {channel.pid("X100"): 12, channel.pid("B200"): 10, channel.pid("V50"): 20}

    await dealer.say("/rebate")
    assert "返利阶梯" in dealer.text and "¥1,200,000.00" in dealer.text and "¥24,000.00" in dealer.text
    await dealer.click("申请返利 ¥24,000.00")
    assert "等待 张伟 审批" in dealer.text
    assert (await one(rig, RebateClaim)).amount == 24000

    await dealer.say("/target")
    assert "完成率" in dealer.text and "80.0 %" in dealer.text and "设置本季度目标" not in dealer.text
    chart = [c for c in rig.fake.calls if c.path == "/media/upload"][-1]
    assert chart.body == {"type": "image", "media": "<file target.png>"}
    image = dealer.latest()[-1]
    assert image["type"] == "sampleImageMsg" and image["param"]["photoURL"].startswith("@media")
    async with rig.container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(DealerTarget)) == 1


async def test_picking_english_before_binding_makes_dingtalk_english(rig: DingTalkRig, world) -> None:
    """DingTalk exposes no user language, so the first answer is Chinese; a picked language then holds."""
    carol = rig.person("lina")
    await carol.say("hello")
    assert "绑定码" in carol.text
    await carol.click("English")
    assert carol.text == "Language set to English."
    await carol.say(await rig.code_for("rep2"))
    assert "Welcome, Li Na" in carol.text and "📍 Check in" in carol.text
    assert (await one(rig, User, User.id == world.uid("rep2"))).locale == "en"
    await carol.say("/checkin")
    (ask,) = carol.latest()
    assert ask["param"]["singleTitle"] == "📍 Open the location page" and "check in" in ask["param"]["title"]
    await carol.say("/lang")
    await carol.click("中文")
    await carol.say("/agenda", http=True)
    assert "今天" in carol.text
