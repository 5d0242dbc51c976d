"""A rep, a manager, an engineer and a dealer do their whole day in Feishu, through POST /feishu/events.

Every step is what the Feishu client sends (sealed and signed im.message.receive_v1 text, post,
location and image messages, card.action.trigger clicks and card form submissions); what the
user sees is what the recording fake Open API received (messages created, cards patched) and
the toast and card Feishu got back for a click; what is stored is read from the database.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from conversations.local import sign_in
from core.clock import local_date, zone
from core.datum import wgs84_to_gcj02
from core.models import (
    ChatIdentity,
    ContactRecord,
    Customer,
    Lead,
    Task,
    TaskKind,
    TaskStatus,
    Visit,
    utcnow,
)
from tests.support.feishu import TENANT, feishu_rig
from tests.support.feishu_user import FeishuUser, buttons, header_of, label, labels, new_code, visible
from tests.support.world import SIP, later_today

SHANGHAI = zone("Asia/Shanghai")


async def test_rep_binds_checks_in_logs_adds_a_lead_looks_up_claims_and_closes_a_task(clean_db, world):
    async with feishu_rig(clean_db) as rig:
        db = rig.container.sessionmaker
        async with db() as s:
            s.add(Task(user_id=world.uid("rep"), kind=TaskKind.TASK, title="准备X100报价", due_at=later_today(), status=TaskStatus.OPEN))
            await s.commit()
        rep = FeishuUser(rig, "ou_rep0001")

        # Binding: an unbound user gets only the prompt; the one-time code binds this Feishu user.
        await rep.say("/agenda")
        assert "binding code" in rep.text and "准备X100报价" not in rep.text
        await rep.say(await new_code(rig.container, "rep"))
        assert "Welcome, Zhang Wei" in rep.text and "📍 Check in" in labels(rep.cards()[-1])
        async with db() as s:
            identity = (await s.scalars(select(ChatIdentity))).one()
        assert (identity.platform, identity.workspace, identity.chat_id, identity.user_id) == ("feishu", TENANT, rep.open_id, world.uid("rep"))

        # Check-in from Feishu's location message (GCJ-02, ~100 m north of 恒力): the verdict is right.
        await rep.locate(*wgs84_to_gcj02(SIP[0] + 0.0009, SIP[1]), name="苏州工业园区星湖街")
        assert "Customers near you (2)" in rep.text and "苏州恒力机械有限公司 · 100 m" in rep.text
        answer = await rep.tap("苏州恒力")
        picked = visible(answer["card"]["data"])
        assert picked.startswith("✓ ") and "苏州恒力" in picked and not buttons(answer["card"]["data"])
        receipt = next(c for c in rep.cards() if header_of(c).startswith("✅ Checked in"))
        assert "Geofence\ninside (300 m radius)" in visible(receipt) and labels(receipt) == ["Check out"]
        await rep.photo("img_v3_02ab_visit")
        assert "Photo added to the visit (1 so far)" in rep.text

        await rep.tap("Check out")
        (form,) = rep.cards()[1:]
        assert header_of(form) == "Check out of 苏州恒力机械有限公司" and "form_submit" in str(form)
        answer = await rep.submit(summary="介绍X100离心泵，客户关注能耗", next_step="下周报价", next_contact=None)
        assert visible(answer["card"]["data"]) == "✓ Submitted" and "Checked out of 苏州恒力机械有限公司" in rep.text
        async with db() as s:
            visit = (await s.scalars(select(Visit))).one()
        assert visit.platform == "feishu" and visit.datum == "gcj02" and visit.inside_fence and 95 < visit.distance_m < 105
        assert visit.summary == "介绍X100离心泵，客户关注能耗" and visit.checked_out_at and len(visit.photo_refs) == 1

        # A phone call logged in the card form, with the date picker's value.
        await rep.say("/visit 恒力")
        in_ten_days = local_date(utcnow(), SHANGHAI) + timedelta(days=10)
        await rep.submit(kind="call", summary="确认了X100的交期", next_step="", next_contact=f"{in_ten_days} +0800")
        assert "Saved for 苏州恒力机械有限公司" in rep.text
        async with db() as s:
            record = (await s.scalars(select(ContactRecord).where(ContactRecord.kind == "call"))).one()
            hengli = await s.get_one(Customer, world.cid("hengli"))
        assert record.summary == "确认了X100的交期" and local_date(hengli.next_contact_at, SHANGHAI) == in_ten_days

        # A new lead typed as a rich-text post; the duplicate warning is a card.
        await rep.say("/lead")
        await rep.post("", "王经理 13812345678", "苏州恒力机械 需要10台水泵")
        assert "Possible duplicate" in rep.text and "contact 王建国 (same phone)" in rep.text
        await rep.tap("Save anyway")
        assert "saved and assigned to Zhang Wei" in rep.text
        async with db() as s:
            lead = (await s.scalars(select(Lead))).one()
        assert (lead.company_name, lead.phone, lead.assignee_id) == ("苏州恒力机械", "+8613812345678", world.uid("rep"))

        # Customer 360 by Chinese name and by pinyin.
        for query in ("苏州恒力", "suzhouhengli"):
            await rep.say(f"/c {query}")
            (card,) = rep.cards()
            assert "苏州恒力机械有限公司" in header_of(card) and "王建国 采购经理 13812345678" in visible(card), query
            assert "📍 Check in here" in labels(card)

        # The public pool near me: Feishu location again, then claim.
        await rep.say("/pool")
        await rep.tap("Near me")
        ask = rep.cards()[-1]
        assert "Share your location" in visible(ask) and labels(ask) == ["📍 Send my location from a page"]
        await rep.locate(*wgs84_to_gcj02(*SIP))
        assert "Pool customers near you (1)" in rep.text
        await rep.tap("苏州天宇")
        assert "苏州天宇精密科技有限公司 is now yours" in rep.text
        async with db() as s:
            assert (await s.get_one(Customer, world.cid("tianyu"))).owner_id == world.uid("rep")

        # The agenda: close a task with what was done (完成内容).
        await rep.say("/agenda")
        assert "准备X100报价" in rep.text
        answer = await rep.tap("准备X100报价")
        assert visible(answer["card"]["data"]) == "✓ 准备X100报价"  # one check mark, buttons gone
        assert "What was done? (完成内容)" in rep.text
        await rep.say("报价已发给王经理")
        assert "Done: 准备X100报价" in rep.text
        async with db() as s:
            task = (await s.scalars(select(Task).where(Task.title == "准备X100报价"))).one()
        assert task.status == TaskStatus.DONE and task.outcome == "报价已发给王经理"


async def test_manager_sees_team_check_ins_and_decides_quotes_from_the_cards(clean_db, world):
    from core.models import ApprovalStep, Quote, QuoteStatus, StepStatus
    from tests.integration.test_quote_dialog import draft_big_quote
    from tests.support.catalog import add_catalog
    from tests.support.chat import Chat
    from tests.support.quotes import submitted_quote

    async with feishu_rig(clean_db) as rig:
        db = rig.container.sessionmaker
        catalog = await add_catalog(db)
        rep, manager = FeishuUser(rig, "ou_rep0001"), FeishuUser(rig, "ou_mgr0001")
        await rig.bind("rep", rep.open_id)
        await rig.bind("manager", manager.open_id)
        await rep.locate(*wgs84_to_gcj02(SIP[0] + 0.0009, SIP[1]))
        await rep.tap("苏州恒力")

        await manager.say("/checkins")
        assert "Team check-ins, Today: 1" in manager.text and "Zhang Wei @ 苏州恒力机械有限公司 · 100 m inside" in manager.text

        # Two quotes wait: the big one (drafted in the web chat) and a smaller one; the notifier pushes
        # an approval card for each into the manager's Feishu chat.
        web = Chat(rig.container.engine, "rep")
        await sign_in(rig.container.deps, web.key, "rep")
        await draft_big_quote(web)
        await web.tap("Submit")
        small = await submitted_quote(db, world, catalog, qty=2, customer="baogang", login="rep2", bus=rig.container.deps.bus)
        await rig.container.notifier.deliver()
        pushed = manager.catch_up()
        assert sorted(header_of(s.content).split(" · ")[2] for s in pushed) == ["CN¥192,000.00", "CN¥524,250.00"]
        assert all(labels(s.content) == ["✅ Approve", "❌ Reject", "💬 Comment"] for s in pushed)

        await manager.say("/approvals")
        assert "2 approvals wait for you" in manager.text

        # Approve the big one from the list: the click's answer replaces that card, without buttons.
        big, small_card = (next(x for x in pushed if total in header_of(x.content)) for total in ("524,250.00", "192,000.00"))
        stale_approve = (big, next(b for b in buttons(big.content) if "Approve" in label(b)))
        answer = await manager.tap("Approve", on="CN¥524,250.00")
        assert manager.button("Reject", on="CN¥524,250.00")[0].id == big.id  # the list's copy is the one answered
        assert answer["toast"]["content"] == "Approved. Next: Zhao Min (director)."
        decided = answer["card"]["data"]
        assert not buttons(decided) and "✅ Approved by Wang Qiang" in visible(decided) and "· feishu" in visible(decided)
        # The pushed copy is patched by the notifier's card sync: no copy of a decided card keeps buttons.
        await rig.container.notifier.deliver()
        assert [(x.id, x.type) for x in manager.catch_up()] == [(big.id, "patched")]
        assert not buttons(big.content) and "✅ Approved by Wang Qiang" in visible(big.content)
        # A second, late click on a button shown before the decision decides nothing.
        late = await manager.click(*stale_approve)
        assert late["toast"]["content"].startswith("Already approved by Wang Qiang")
        assert not buttons(late["card"]["data"]) and "✅ Approved by Wang Qiang" in visible(late["card"]["data"])

        # Reject the small one on its pushed card, with the reason typed in the chat.
        await manager.click(small_card, next(b for b in buttons(small_card.content) if "Reject" in label(b)))
        assert "Why do you reject Q-2026-00002?" in manager.text
        await manager.say("价格低于底价")
        assert "Rejected:" in manager.text
        await rig.container.notifier.deliver()
        assert [(x.id, x.type) for x in manager.catch_up()] == [(small_card.id, "patched")]
        assert not buttons(small_card.content) and "❌ Rejected by Wang Qiang" in visible(small_card.content)
        async with db() as s:
            steps = (await s.scalars(select(ApprovalStep).where(ApprovalStep.decided_by_id.is_not(None)))).all()
            small_quote = await s.get_one(Quote, small)
        assert sorted((x.status, x.decided_platform) for x in steps) == [(StepStatus.APPROVED, "feishu"), (StepStatus.REJECTED, "feishu")]
        assert small_quote.status == QuoteStatus.REJECTED


async def test_engineer_accepts_arrives_uses_parts_resolves_and_the_customer_rates(clean_db, world, chat_as):
    from core.models import PartStock, ServiceRating, Ticket, TicketPart, TicketStatus
    from tests.integration.test_service_engineer_dialog import manager_creates_ticket
    from tests.support.service_world import make_service_world

    service = await make_service_world((await chat_as("manager")).engine.deps.sessionmaker, world)
    number = await manager_creates_ticket(chat_as)  # the manager dispatches from the web chat
    async with feishu_rig(clean_db) as rig:
        db = rig.container.sessionmaker
        engineer = FeishuUser(rig, "ou_eng0001")
        await rig.bind("engineer", engineer.open_id)
        await engineer.say("/tickets")
        assert f"{number} 苏州恒力机械有限公司 · 2.2 km away · assigned" in engineer.text
        await engineer.tap(number)
        ticket_card = engineer.cards()[-1]
        assert header_of(ticket_card) == f"{number} · Repair · Urgent" and "王建国 采购经理 13812345678" in visible(ticket_card)
        await engineer.tap("Accept")
        assert f"Ticket {number} accepted" in engineer.text and "📍 Arrived on site" in labels(engineer.cards()[-1])

        await engineer.tap("Arrived on site")
        assert "Share your location to check in on site" in engineer.text
        await engineer.locate(*wgs84_to_gcj02(SIP[0] + 0.0005, SIP[1]))  # ~55 m away, as Feishu reports it
        assert f"On site for {number}: 56 m from the site, inside the geofence" in engineer.text

        await engineer.tap("Parts used")
        await engineer.say("6205")
        await engineer.tap("BRG-6205")
        await engineer.say("1个")
        assert "Recorded: BRG-6205 ×1 used; stock updated." in engineer.text

        await engineer.tap("Resolve")
        assert header_of(engineer.cards()[-1]) == f"Resolve {number}"
        answer = await engineer.submit(resolution="更换轴承 6205，试运行正常")
        assert visible(answer["card"]["data"]) == "✓ Submitted" and f"Ticket {number} resolved" in engineer.text
        (qr,) = engineer.images()  # the rating QR code: uploaded, then sent by its key
        upload = rig.fake.to("/open-apis/im/v1/images")[-1]
        assert upload.body == {"image_type": "message", "image": f"<file rating-{number}.png>"}
        assert qr.content["image_key"] == rig.fake.ids_of[id(upload)].replace("om_", "img_")  # the key the upload got
        rating = next(b for c in engineer.cards() for b in buttons(c) if "multi_url" in b)
        assert label(rating) == "⭐ Rating page"

        # The customer opens the link and rates: the ticket is closed.
        path = "/" + rating["multi_url"]["url"].split("://", 1)[1].split("/", 1)[1]
        page = await rig.client.get(path)
        assert page.status_code == 200 and number in page.text
        done = await rig.client.post(path, data={"attitude": "5", "response": "4", "quality": "5", "comment": "很专业"})
        assert done.status_code == 200 and "Thank you" in done.text
        async with db() as s:
            ticket = (await s.scalars(select(Ticket))).one()
            used = (await s.scalars(select(TicketPart))).one()
            van = await s.scalar(select(PartStock).where(
                PartStock.warehouse_id == service.warehouses["van"].id, PartStock.part_id == service.parts["BRG-6205"].id))
            stars = (await s.scalars(select(ServiceRating))).one()
        assert ticket.status == TicketStatus.CLOSED and ticket.arrival_inside and 40 < (ticket.arrival_distance_m or 0) < 70
        assert ticket.resolution == "更换轴承 6205，试运行正常" and used.quantity == 1 and van.quantity == 1
        assert (stars.attitude, stars.engineer_id) == (5, world.uid("engineer"))


async def test_dealer_reports_stock_in_one_message_and_reads_rebate_and_target(clean_db, world):
    from core.models import StockLine, StockReport
    from core.rebate_math import quarter_of
    from tests.support.dealers import add_order, add_policy, make_channel

    async with feishu_rig(clean_db) as rig:
        db = rig.container.sessionmaker
        channel = await make_channel(db, world)
        await add_policy(db, [(1_000_000, "2"), (3_000_000, "3")])
        this_quarter = quarter_of(local_date(utcnow(), SHANGHAI))
        await add_order(db, world, world.cid("lianzhong"), [(channel.products["X100"], "1200000")])
        dealer = FeishuUser(rig, "ou_dlr0001")
        await rig.bind("dealer", dealer.open_id)

        await dealer.say("库存：X100 十二台 / B-200 5箱，V50 2 boxes")
        (card,) = dealer.cards()
        assert header_of(card).startswith("📦 Stock report · 苏州联众泵阀贸易有限公司")
        assert "X100 centrifugal pump\n12 台 (you wrote 十二台) · first report" in visible(card)
        assert "B200 variable-frequency motor\n10 台 (you wrote 5箱)" in visible(card)
        assert labels(card) == ["✅ Confirm", "✏️ Edit", "Cancel"]
        confirm = dealer.button("Confirm")
        answer = await dealer.tap("Confirm")
        assert answer["toast"]["content"].startswith("✅ Stock report saved: 3 products")
        again = await dealer.click(*confirm)  # a second tap on the same card
        assert "already saved" in again["toast"]["content"]

        # The next count as a rich-text post, one product per line.
        await dealer.post("", "X100 9台", "B200 4台")
        assert "X100 centrifugal pump\n9 台 · last report 12 on" in visible(dealer.cards()[0])
        await dealer.tap("Confirm")
        async with db() as s:
            reports = (await s.scalars(select(StockReport).order_by(StockReport.id))).all()
            lines = (await s.execute(select(StockLine.product_id, StockLine.quantity).where(StockLine.report_id == reports[-1].id))).all()
        assert len(reports) == 2 and sorted(lines) == sorted([(channel.pid("X100"), 9), (channel.pid("B200"), 4)])

        await dealer.say("/rebate")
        statement = next(c for c in dealer.cards() if this_quarter.key in header_of(c))
        body = visible(statement)
        assert "渠道返利 2026" in header_of(statement) and "Sales\nCN¥1,200,000.00" in body and "Rebate\nCN¥24,000.00" in body

        await dealer.say("/target")
        (target,) = dealer.cards()
        assert header_of(target) == f"🎯 苏州联众泵阀贸易有限公司 · {this_quarter.key}" and "CN¥1,200,000.00" in visible(target)
        (chart,) = dealer.images()
        upload = rig.fake.to("/open-apis/im/v1/images")[-1]
        assert upload.body["image_type"] == "message" and chart.content["image_key"] == rig.fake.ids_of[id(upload)].replace("om_", "img_")
        async with db() as s:
            assert await s.scalar(select(func.count()).select_from(StockReport)) == 2
