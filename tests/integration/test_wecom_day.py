"""A whole working day per role in WeCom, through the encrypted `POST /wecom/callback` only:
text, location, image, menu clicks and card buttons in; what the recording fake of the WeCom
API was asked to send (texts, markdown, cards, card updates, uploads) and what was stored out."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.models import (
    ApprovalStep,
    ChatIdentity,
    ContactRecord,
    Customer,
    Lead,
    Quote,
    QuoteComment,
    ServiceRating,
    StepStatus,
    StockLine,
    StockReport,
    Task,
    TaskKind,
    TaskStatus,
    Ticket,
    TicketNote,
    TicketPart,
    TicketStatus,
    TicketTransition,
    Visit,
)
from tests.integration.wecom_env import WeComRig, make_rig
from tests.support import fake_wecom
from tests.support.catalog import add_catalog
from tests.support.dealers import add_order, add_policy, make_channel
from tests.support.notify import notifier
from tests.support.quotes import submitted_quote
from tests.support.service_world import make_service_world
from tests.support.world import SIP, later_today


@pytest.fixture
async def rig(clean_db):
    rig = await make_rig(clean_db)
    yield rig
    await rig.client.aclose()


async def one(rig: WeComRig, model: type) -> object:
    async with rig.container.sessionmaker() as s:
        return (await s.scalars(select(model))).one()


def buttons(rig: WeComRig) -> list[str]:
    return [b["text"] for card in rig.cards() for b in card.get("button_list", [])]


async def test_rep_day(rig: WeComRig) -> None:
    async with rig.container.sessionmaker() as s:
        s.add(Task(user_id=rig.world.uid("rep"), kind=TaskKind.TASK, title="准备X100报价",
                   due_at=later_today(), status=TaskStatus.OPEN))
        await s.commit()
    rep = "zhangwei"

    # Morning: a stranger to FieldChat gets only the binding prompt, then binds with the admin's code.
    await rig.say(rep, "/agenda")
    assert "绑定码" in rig.texts() and "恒力" not in rig.texts()
    code = await rig.binding_code("rep")
    rig.fake.clear()
    await rig.say(rep, code.lower().replace("-", " "))
    assert "欢迎，张伟" in rig.texts()
    assert {"📍 签到", "📝 记录拜访", "➕ 新线索", "🔎 查客户", "📅 日程", "🌊 公海"} <= set(buttons(rig))
    identity = await one(rig, ChatIdentity)
    assert (identity.platform, identity.workspace, identity.external_user_id) == ("wecom", fake_wecom.CORP_ID, rep)
    assert identity.user_id == rig.world.uid("rep")

    # The agenda from the app menu; a task closed with what was done.
    rig.fake.clear()
    await rig.menu(rep, "agenda")
    assert "📅 今天" in rig.texts() and "苏州恒力机械有限公司" in rig.texts() and "准备X100报价" in rig.texts()
    await rig.click(rep, "准备X100报价", "rc-task")
    assert "完成内容是什么？" in rig.texts()
    rig.fake.clear()
    await rig.say(rep, "报价已发给王经理")
    assert "✓ 已完成：准备X100报价。" in rig.texts()
    task = await one(rig, Task)
    assert task.status == TaskStatus.DONE and task.outcome == "报价已发给王经理"

    # Customer 360 by pinyin initials (menu: 查客户) and by a Chinese name.
    rig.fake.clear()
    await rig.menu(rep, "c")
    await rig.say(rep, "szhl")
    assert "苏州恒力机械有限公司" in rig.texts() and "王建国 采购经理 13812345678" in rig.texts()
    rig.fake.clear()
    await rig.say(rep, "/c 恒力机械")
    assert "苏州恒力机械有限公司" in rig.texts() and "重点" in rig.texts()
    assert "📍 在此签到" in buttons(rig)

    # Check-in on site: WeCom's location (GCJ-02) ~100 m north of the customer.
    rig.fake.clear()
    await rig.locate(rep, SIP[0] + 0.0009, SIP[1])
    await rig.click(rep, "苏州恒力", "rc-pick")
    assert "✅ 已签到：苏州恒力机械有限公司" in rig.texts() and "范围内" in rig.texts()
    visit = await one(rig, Visit)
    assert visit.datum == "gcj02" and visit.inside_fence and 90 < visit.distance_m < 110

    # A phone call logged afterwards, one question per message.
    rig.fake.clear()
    await rig.menu(rep, "visit")
    await rig.say(rep, "恒力")  # the only match: its form at once
    assert "(1/4)" in rig.texts() and "/p/form/" in rig.texts()
    await rig.click(rep, "电话")
    rig.fake.clear()
    await rig.say(rep, "确认了X100的交期")
    await rig.say(rep, "下周送样")
    assert "(4/4)" in rig.texts()
    await rig.click(rep, "跳过")
    record = await one(rig, ContactRecord)
    assert (record.kind.value, record.summary, record.next_step) == ("call", "确认了X100的交期", "下周送样")

    # A new lead in one message: warned of the duplicate, saved anyway, assigned.
    rig.fake.clear()
    await rig.say(rep, "/lead 王经理 13812345678 苏州恒力机械 需要10台水泵")
    assert "可能重复" in rig.texts()
    await rig.click(rep, "仍然保存", "rc-lead")
    assert "✅ 线索 苏州恒力机械 已保存，分配给 张伟" in rig.texts()
    lead = await one(rig, Lead)
    assert (lead.company_name, lead.phone, lead.assignee_id) == ("苏州恒力机械", "+8613812345678", rig.world.uid("rep"))

    # The public pool near me: the page link or WeCom's location, then claim.
    rig.fake.clear()
    await rig.say(rep, "/pool")
    await rig.click(rep, "附近", "rc-near")
    (near,) = rig.updates()
    assert near["button"]["replace_name"].startswith("请发送位置")  # what the tap led to, not "已处理"
    (notice,) = rig.cards()
    assert notice["card_type"] == "text_notice" and "/p/loc/" in notice["card_action"]["url"]
    rig.fake.clear()
    await rig.locate(rep, *SIP)
    assert "苏州天宇精密科技有限公司" in rig.texts()
    await rig.click(rep, "领取", "rc-claim")
    assert "已领取 苏州天宇精密科技有限公司" in rig.texts()
    async with rig.container.sessionmaker() as s:
        tianyu = await s.get_one(Customer, rig.world.cid("tianyu"))
    assert tianyu.owner_id == rig.world.uid("rep")


async def test_manager_day(rig: WeComRig) -> None:
    """Team check-ins, then two approval cards pushed by the notifier: a question, an approval and a
    rejection with its reason; every WeCom copy ends without buttons, saying how it was decided."""
    catalog = await add_catalog(rig.container.sessionmaker)
    n = notifier(rig.container, rig.adapter)
    rep, manager = await rig.bind("rep", "zhangwei"), await rig.bind("manager", "wangqiang")
    await rig.locate(rep, SIP[0] + 0.0009, SIP[1])
    await rig.click(rep, "苏州恒力")
    bus = rig.container.deps.bus
    first = await submitted_quote(rig.container.sessionmaker, rig.world, catalog, qty=2, bus=bus)  # ¥192,000
    second = await submitted_quote(rig.container.sessionmaker, rig.world, catalog, qty=3, bus=bus)  # ¥288,000
    q1, q2 = await quote_number(rig, first), await quote_number(rig, second)
    rig.fake.clear()
    await n.deliver()
    pushed = [c for c in rig.fake.of("message/send") if c.body["touser"] == manager and c.body["msgtype"] == "template_card"]
    assert len(pushed) == 2 and all(
        [b["text"] for b in c.body["template_card"]["button_list"]] == ["✅ 批准", "❌ 驳回", "💬 留言"] for c in pushed
    )
    assert "¥192,000.00" in rig.texts() and "¥288,000.00" in rig.texts()  # the full cards, as markdown

    # The team's check-ins from the menu (the third page of a manager's seventeen actions).
    rig.fake.clear()
    await rig.say(manager, "/menu")
    assert [len(c["button_list"]) for c in rig.cards()] == [6, 6, 5]
    await rig.click(manager, "团队签到")
    assert "团队签到（今天）：1 条" in rig.texts() and "张伟 @ 苏州恒力机械有限公司 · 100 m 范围内" in rig.texts()

    # A question on the first quote, from the card the notifier pushed.
    await rig.click(manager, "留言", "rc-ask", card=q1)
    assert f"对 {q1} 的留言" in rig.texts()
    rig.fake.clear()
    await rig.say(manager, "交期能否提前一周？")
    assert "留言已发送给申请人" in rig.texts()
    async with rig.container.sessionmaker() as s:
        note = (await s.scalars(select(QuoteComment))).one()
    assert (note.text, note.platform, note.author_id) == ("交期能否提前一周？", "wecom", rig.world.uid("manager"))

    # /approvals lists both; the first approved, the second rejected with a reason.
    rig.fake.clear()
    await rig.say(manager, "/approvals")
    assert "有 2 项待您审批" in rig.texts()
    await rig.click(manager, "批准", "rc-yes", card=q1)
    (approved,) = rig.updates()
    assert approved["response_code"] == "rc-yes" and approved["button"]["replace_name"].startswith("已批准")
    await rig.click(manager, "驳回", "rc-no", card=q2)
    assert f"请填写驳回 {q2} 的原因" in rig.texts()
    rig.fake.clear()
    await rig.say(manager, "价格低于底价")
    assert "已驳回" in rig.texts() and "价格低于底价" in rig.texts()
    async with rig.container.sessionmaker() as s:
        steps = {st.quote_id: st for st in (await s.scalars(select(ApprovalStep))).all()}
    assert steps[first].status == StepStatus.APPROVED and steps[second].status == StepStatus.REJECTED
    assert steps[second].comment == "价格低于底价"
    assert {st.decided_platform for st in steps.values()} == {"wecom"} and {st.decided_by_id for st in steps.values()} == {rig.world.uid("manager")}

    # The notifier's copies are edited in place: their buttons give way to the decision.
    rig.fake.clear()
    await n.deliver()
    edits = {u["response_code"]: u["button"]["replace_name"] for u in rig.updates()}
    assert set(edits) == {p.answer["response_code"] for p in pushed}  # the codes WeCom gave with the cards
    assert sorted(label.split(" · ")[0] for label in edits.values()) == ["✅ 王强 已批准", "❌ 王强 已驳回"]
    to_rep = "\n".join(b.get("text", b.get("markdown", {})).get("content", "") for b in rig.fake.sent() if b["touser"] == rep)
    assert q1 in to_rep and q2 in to_rep  # the requester hears both outcomes in WeCom

    # A late tap on the old card decides nothing.
    rig.fake.clear()
    await rig.click(manager, "批准", "rc-late", card=q2)
    assert "王强 已于" in rig.texts() and "驳回，您的操作未生效" in rig.texts()
    (late,) = rig.updates()
    assert late["response_code"] == "rc-late" and late["button"]["replace_name"].startswith("王强 已于")
    async with rig.container.sessionmaker() as s:
        assert (await s.get_one(ApprovalStep, steps[second].id)).status == StepStatus.REJECTED


async def quote_number(rig: WeComRig, quote_id: int) -> str:
    async with rig.container.sessionmaker() as s:
        return str((await s.get_one(Quote, quote_id)).number)


async def test_engineer_day(rig: WeComRig) -> None:
    """A ticket from dispatch to the customer's rating: accept, arrive by WeCom location, a note and a
    photo, a part from the van, resolve step by step, the QR code image and the rating link."""
    service = await make_service_world(rig.container.sessionmaker, rig.world)
    n = notifier(rig.container, rig.adapter)
    manager, engineer = await rig.bind("manager", "wangqiang"), await rig.bind("engineer", "chenjie")
    await rig.say(manager, "/newticket 恒力")
    await rig.click(manager, "X100")
    await rig.click(manager, "维修")
    await rig.say(manager, "X100 泵体异响，振动大")
    await rig.click(manager, "紧急")
    assert "派给 陈杰" in rig.texts()
    number = re.search(r"FW-\d{6}-\d{4}", rig.texts()).group(0)  # type: ignore[union-attr]

    # The engineer hears of it in WeCom, lists his tickets and accepts.
    rig.fake.clear()
    await n.deliver()
    assert number in rig.texts() and {b["touser"] for b in rig.fake.sent()} == {engineer}
    rig.fake.clear()
    await rig.say(engineer, "/tickets")
    assert number in rig.texts() and "苏州恒力机械有限公司" in rig.texts()
    await rig.click(engineer, "FW-")
    assert "王建国 采购经理 13812345678" in rig.texts() and "X100 离心泵 · SN-X100-0001" in rig.texts()
    await rig.click(engineer, "接单", "rc-accept")
    assert f"已接单：{number}" in rig.texts()
    assert rig.updates()[0]["button"]["replace_name"] == f"已接单：{number}。"

    # On site: arrival from WeCom's location (GCJ-02) ~56 m from the customer.
    await rig.click(engineer, "到达现场")
    (ask,) = rig.cards()
    assert ask["card_type"] == "text_notice" and "位置" in ask["main_title"]["title"]
    rig.fake.clear()
    await rig.locate(engineer, SIP[0] + 0.0005, SIP[1])
    assert f"已到场 {number}" in rig.texts() and "在签到范围内" in rig.texts()

    # A note, then a photo (fetched from WeCom before its MediaId expires).
    await rig.click(engineer, "备注")
    await rig.say(engineer, "轴承磨损，需更换")
    await rig.click(engineer, "备注")
    await rig.photo(engineer, "MEDIA-BEARING")
    assert rig.fake.of("media/get")[0].params["media_id"] == "MEDIA-BEARING"
    await rig.click(engineer, "完成")

    # The part used, found by a part of its code, taken from the van.
    await rig.click(engineer, "使用备件")
    rig.fake.clear()
    await rig.say(engineer, "6205")
    assert "BRG-6205 深沟球轴承 6205 · 车载 2 · 中心库 10" in rig.texts()
    await rig.click(engineer, "1 BRG-620")  # a long label: numbered on the button, in full above it
    await rig.say(engineer, "1个")
    assert "BRG-6205 ×1" in rig.texts()

    # Resolve: the resolution asked in a message; the QR code goes out as an image, the link as text.
    await rig.click(engineer, "完工")
    assert "(1/1) 处理结果" in rig.texts()
    rig.fake.clear()
    await rig.say(engineer, "更换轴承 6205，试运行正常")
    assert f"工单 {number} 已完工" in rig.texts()
    ((media_id, qr),) = rig.fake.uploads()
    assert qr.mime == "image/png" and qr.data.startswith(b"\x89PNG") and rig.fake.of("media/upload")[0].params["type"] == "image"
    images = [b for b in rig.fake.sent() if b["msgtype"] == "image"]
    assert images == [{**images[0], "image": {"media_id": media_id}}] and images[0]["touser"] == engineer
    link = re.search(r"\((https?://[^)]+/rate/[^)]+)\)", rig.texts()).group(1)  # type: ignore[union-attr]

    # The customer rates the visit through the link.
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = await rig.client.get(path)
    assert page.status_code == 200 and number in page.text and "服务态度" in page.text
    done = await rig.client.post(path, data={"attitude": "5", "response": "4", "quality": "5", "comment": "很专业"})
    assert done.status_code == 200

    async with rig.container.sessionmaker() as s:
        ticket = (await s.scalars(select(Ticket))).one()
        moves = [(m.from_status, m.to_status) for m in (await s.scalars(select(TicketTransition).order_by(TicketTransition.id))).all()]
        notes = (await s.scalars(select(TicketNote).order_by(TicketNote.id))).all()
        used = (await s.scalars(select(TicketPart))).one()
        rating = (await s.scalars(select(ServiceRating))).one()
    assert ticket.status == TicketStatus.CLOSED and ticket.arrival_inside and ticket.resolution == "更换轴承 6205，试运行正常"
    assert moves[-4:] == [("assigned", "accepted"), ("accepted", "on_site"), ("on_site", "resolved"), ("resolved", "closed")]
    assert notes[0].text == "轴承磨损，需更换" and notes[1].photo_ref is not None and notes[1].photo_ref.startswith("media:")
    assert used.quantity == 1 and used.warehouse_id == service.warehouses["van"].id
    assert (rating.attitude, rating.response, rating.quality, rating.engineer_id) == (5, 4, 5, rig.world.uid("engineer"))


async def test_dealer_day(rig: WeComRig) -> None:
    """Stock in one plain Chinese message, confirmed once from its card; the rebate statement; the
    quarter's target with its chart sent as a WeCom image message."""
    channel = await make_channel(rig.container.sessionmaker, rig.world)
    await add_policy(rig.container.sessionmaker, [(1_000_000, "2"), (3_000_000, "3")])
    lianzhong = rig.world.cid("lianzhong")
    await add_order(rig.container.sessionmaker, rig.world, lianzhong, [(channel.products["X100"], "800000")])
    dealer = await rig.bind("dealer", "liuyang")

    await rig.say(dealer, "X100水泵 3台, B200 两箱")
    assert "库存上报 · 苏州联众泵阀贸易有限公司" in rig.texts()
    assert "X100 离心水泵：3 台" in rig.texts() and "B200 变频电机：4 台（您填写：两箱）" in rig.texts()  # 1 箱 = 2 台
    assert await stock(rig, lianzhong) == {}  # nothing stored before the dealer confirms
    await rig.click(dealer, "确认上报", "rc-confirm")
    assert "库存已保存：2 个产品" in rig.texts()
    (confirmed,) = rig.updates()
    assert confirmed["response_code"] == "rc-confirm" and confirmed["button"]["replace_name"].startswith("✅ 库存已保存")
    await rig.click(dealer, "确认上报", "rc-again")  # a second tap on the same card (a slow network)
    assert "不会重复保存" in rig.texts()
    assert await stock(rig, lianzhong) == {channel.pid("X100"): 3, channel.pid("B200"): 4}
    async with rig.container.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(StockReport)) == 1

    rig.fake.clear()
    await rig.say(dealer, "/stock")
    assert "B200 变频电机: 4 台" in rig.texts() and "X100 离心水泵: 3 台" in rig.texts()

    rig.fake.clear()
    await rig.say(dealer, "/rebate")
    assert "渠道返利 2026" in rig.texts() and "销售额：¥800,000.00" in rig.texts()
    assert "再完成超过 ¥200,000.00 即达 2%" in rig.texts()

    rig.fake.clear()
    await rig.say(dealer, "/target")
    assert "🎯 苏州联众泵阀贸易有限公司" in rig.texts() and "¥800,000.00" in rig.texts()
    ((media_id, chart),) = rig.fake.uploads()
    assert chart.mime == "image/png" and chart.data.startswith(b"\x89PNG") and len(chart.data) > 1000
    kinds = [b["msgtype"] for b in rig.fake.sent()]
    assert "image" in kinds and rig.fake.sent()[kinds.index("image")]["image"] == {"media_id": media_id}
    assert rig.fake.of("media/upload")[0].params["type"] == "image"


async def stock(rig: WeComRig, dealer_id: int) -> dict[int, int]:
    async with rig.container.sessionmaker() as s:
        rows = await s.execute(
            select(StockLine.product_id, StockLine.quantity).join(StockReport).where(StockReport.dealer_id == dealer_id)
        )
        return {pid: int(qty) for pid, qty in rows.all()}

