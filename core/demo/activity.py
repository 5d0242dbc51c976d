"""Demo activity: past visits with their contact records, leads and the reps' tasks."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from core.clock import follow_up_due
from core.demo.context import Demo, offset
from core.demo.customers import HENGLI, company_name
from core.demo.names import PARKS
from core.geo import Point, distance_m, inside_fence
from core.models import (
    ContactKind,
    ContactRecord,
    Customer,
    Lead,
    LeadSource,
    LeadStatus,
    LocationSource,
    Product,
    Task,
    TaskKind,
    TaskStatus,
    User,
    Visit,
)
from core.search.normalize import pinyin
from core.services.leads import product_lines

DEFAULT_RADIUS_M = 300.0
VISIT_PLAN: tuple[tuple[str, int], ...] = (
    ("rep", 20), ("rep2", 14), ("rep3", 8), ("rep6", 8), ("rep4", 5), ("rep5", 5),
)
PITCHES = ("介绍{p}", "演示{p}选型", "回访{p}使用情况", "沟通{p}备件需求", "现场勘察泵房，推荐{p}")
CONCERNS = ("客户关注能耗", "客户关注交期", "客户关注价格", "客户关注售后响应", "客户希望先试用", "客户在对比竞品")
NEXT_STEPS = ("下周报价", "三天内提交技术方案", "安排工程师现场测试", "月底前再次拜访", "寄送样本资料", "等待客户内部评审")
USES = ("冷却水循环改造", "废水处理站扩建", "车间供水", "压缩空气站扩容", "锅炉给水", "工艺管道改造")
LEAD_STATUSES = (
    [LeadStatus.NEW] * 3 + [LeadStatus.ASSIGNED] * 7 + [LeadStatus.CONTACTED] * 6
    + [LeadStatus.CONVERTED] * 5 + [LeadStatus.LOST] * 4
)
SOURCES = (LeadSource.EXHIBITION, LeadSource.WEBSITE, LeadSource.REFERRAL, LeadSource.CAMPAIGN)
REGION_REPS = {"华东": ("rep", "rep2", "rep3", "rep6"), "华北": ("rep4",), "华南": ("rep5",)}


def _product_word(demo: Demo, products: list[Product]) -> str:
    return demo.rng.choice(products[:20]).name_zh.replace(" ", "")


def _visit(demo: Demo, customer: Customer, user_id: int, end: datetime) -> Visit:
    assert customer.lat is not None and customer.lon is not None
    site = Point(customer.lat, customer.lon)
    here = Point(*offset(site.lat, site.lon, demo.rng.uniform(25, 420), demo.rng.uniform(0, math.tau)))
    distance = round(distance_m(here, site), 1)
    radius = customer.geofence_radius_m or DEFAULT_RADIUS_M
    live = demo.rng.random() < 0.75
    checked_in = end - timedelta(minutes=demo.rng.randint(35, 120))
    return Visit(
        customer_id=customer.id, user_id=user_id, checked_in_at=checked_in, lat=here.lat, lon=here.lon,
        accuracy_m=round(demo.rng.uniform(5, 40) if live else demo.rng.uniform(30, 80), 1),
        source=LocationSource.LIVE if live else LocationSource.PIN,
        position_at=checked_in - timedelta(seconds=demo.rng.randint(5, 90)), platform="webchat",
        distance_m=distance, radius_m=radius, inside_fence=inside_fence(distance, radius), speed_kmh=None,
        trust_flags=[] if live else ["static_pin"], photo_refs=[], checked_out_at=end,
    )


def _record(demo: Demo, visit: Visit, customer: Customer, products: list[Product]) -> ContactRecord:
    pitch = demo.rng.choice(PITCHES).format(p=_product_word(demo, products))
    step = demo.rng.choice(NEXT_STEPS)
    visit.summary, visit.next_step = f"{pitch}，{demo.rng.choice(CONCERNS)}，{step}", step
    assert visit.checked_out_at is not None
    days = demo.grades[customer.grade_code].follow_up_days
    return ContactRecord(
        customer_id=customer.id, user_id=visit.user_id, kind=ContactKind.VISIT, happened_at=visit.checked_out_at,
        summary=visit.summary, next_step=step, next_contact_at=follow_up_due(visit.checked_out_at, days, demo.tz),
        visit_id=visit.id,
    )


async def _visits(demo: Demo, products: list[Product]) -> None:
    pairs: list[tuple[Visit, Customer]] = []
    for login, count in VISIT_PLAN:
        user = demo.users[login]
        owned = [c for c in demo.customers if c.owner_id == user.id and c.last_contact_at is not None]
        chosen = demo.rng.sample(owned, min(len(owned), count * 2 // 3 + 1))
        ends: dict[int, datetime] = {}
        for n in range(count):
            customer = chosen[n % len(chosen)]
            assert customer.last_contact_at is not None
            previous = ends.get(customer.id)
            end = customer.last_contact_at if previous is None else previous - timedelta(
                days=demo.rng.randint(4, 15), minutes=demo.rng.randint(0, 120)
            )
            ends[customer.id] = end
            pairs.append((_visit(demo, customer, user.id, end), customer))
    demo.session.add_all([v for v, _ in pairs])
    await demo.session.flush()
    demo.session.add_all([_record(demo, v, c, products) for v, c in pairs])
    await demo.session.flush()


def _lead_company(demo: Demo, n: int, status: LeadStatus, used: set[str]) -> tuple[str, str, Customer | None]:
    """(company name, region, customer it became); a few names match existing customers on purpose."""
    if status == LeadStatus.CONVERTED:
        customer = demo.rng.choice([c for c in demo.customers if c.owner_id is not None])
        return customer.name, customer.region or "华东", customer
    if n in (4, 11):
        pool = [c for c in demo.customers if c.owner_id is None and c.region == "华东"]
        return demo.rng.choice(pool).name, "华东", None
    if n == 5:
        return "恒力机械", "华东", None
    park = PARKS[demo.rng.choice(("sip", "snd", "kunshan", "wuxi", "jiading", "jiaxing", "beijing", "shenzhen"))]
    return company_name(demo, park, used)[0], park.region, None


def _assignee(demo: Demo, n: int, region: str, need: str, customer: Customer | None) -> tuple[User, str]:
    """Who got the lead and why, in the same terms as the real distribution rules."""
    lines = product_lines(need)
    if customer is not None and customer.owner_id is not None:
        user = next(u for u in demo.users.values() if u.id == customer.owner_id)
    elif n in (3, 4, 5):
        user = demo.users["rep"]
    else:
        logins = REGION_REPS.get(region, ("rep",))
        experts = [x for x in logins if lines & set((demo.users[x].expertise or "").split(","))]
        user = demo.users[demo.rng.choice(experts or list(logins))]
    reasons = ["lead.reason_region"] if user.region == region else []
    if lines & set((user.expertise or "").split(",")):
        reasons.append("lead.reason_expertise")
    return user, ",".join(reasons or ["lead.reason_load"])


def _lead(demo: Demo, n: int, status: LeadStatus, products: list[Product], used: set[str]) -> Lead:
    company, region, customer = _lead_company(demo, n, status, used)
    product = demo.rng.choice(products[:24])
    need = f"需要{product.name_zh.replace(' ', '')} {demo.rng.randint(1, 8)} {product.base_unit}，用于{demo.rng.choice(USES)}"
    assignee, reasons = (None, None) if status == LeadStatus.NEW else _assignee(demo, n, region, need, customer)
    source = demo.rng.choice(SOURCES)
    days = demo.rng.randint(0, 2) if assignee is None else demo.rng.randint(3, 40)
    created = demo.now - timedelta(days=days, hours=demo.rng.randint(0, 9))
    contact = demo.person()
    creator = demo.users["manager"] if source in (LeadSource.WEBSITE, LeadSource.CAMPAIGN) else assignee
    return Lead(
        source=source, company_name=company, contact_name=contact, phone=demo.mobile(),
        email=f"{pinyin(contact)}@163.com" if demo.rng.random() < 0.4 else None, need=need, region=region,
        status=status, assignee_id=assignee.id if assignee else None, created_by_id=creator.id if creator else None,
        assignment_reason=reasons, customer_id=customer.id if customer else None, created_at=created, updated_at=created,
    )


async def _leads(demo: Demo, products: list[Product]) -> list[Lead]:
    used = {c.name for c in demo.customers}
    leads = [_lead(demo, n, status, products, used) for n, status in enumerate(LEAD_STATUSES)]
    demo.session.add_all(leads)
    await demo.session.flush()
    return leads


def _task(demo: Demo, login: str, kind: TaskKind, title: str, due: datetime, **extra: object) -> Task:
    user = demo.users[login]
    task = Task(
        user_id=user.id, created_by_id=user.manager_id if kind == TaskKind.TASK else user.id, kind=kind,
        title=title, due_at=due, priority=2, status=TaskStatus.OPEN,
        created_at=min(due, demo.now) - timedelta(days=demo.rng.randint(1, 5)),
    )
    for key, value in extra.items():
        setattr(task, key, value)
    return task


def _tasks(demo: Demo, leads: list[Lead]) -> list[Task]:
    today, rep, rep2 = demo.today, demo.users["rep"], demo.users["rep2"]
    mine = [c for c in demo.customers if c.owner_id == rep.id]
    hengli = next(c for c in mine if c.name == HENGLI)
    lead = next(x for x in leads if x.assignee_id == rep.id and x.status == LeadStatus.ASSIGNED)
    friday = today + timedelta(days=max(0, 4 - today.weekday()))
    theirs = [c for c in demo.customers if c.owner_id == rep2.id]
    done = {"status": TaskStatus.DONE}
    return [
        _task(demo, "rep", TaskKind.FOLLOW_UP, f"电话回访{HENGLI}，确认 X100 报价", demo.at(today, 10),
              customer_id=hengli.id, priority=1),
        _task(demo, "rep", TaskKind.VISIT, f"拜访{mine[5].name}，现场勘察泵房", demo.at(today, 14, 30),
              customer_id=mine[5].id),
        _task(demo, "rep", TaskKind.TASK, "准备 X200 多级离心泵技术方案", demo.at(today + timedelta(days=1), 10),
              customer_id=mine[7].id),
        _task(demo, "rep", TaskKind.FOLLOW_UP, f"跟进线索：{lead.company_name}",
              demo.at(today + timedelta(days=2), 11), lead_id=lead.id),
        _task(demo, "rep", TaskKind.TASK, "提交本周拜访总结", demo.at(friday, 17), priority=3),
        _task(demo, "rep", TaskKind.VISIT, f"拜访{mine[9].name}，送样品", demo.at(today - timedelta(days=2), 10),
              customer_id=mine[9].id, done_at=demo.at(today - timedelta(days=2), 11), outcome="样品已送达，客户下周测试", **done),
        _task(demo, "rep", TaskKind.FOLLOW_UP, f"电话回访{mine[12].name}", demo.at(today - timedelta(days=3), 15),
              customer_id=mine[12].id, done_at=demo.at(today - timedelta(days=3), 16), outcome="客户确认下月采购计划", **done),
        _task(demo, "rep", TaskKind.TASK, "更新 K20 机械密封报价单", demo.at(today - timedelta(days=5), 17),
              done_at=demo.at(today - timedelta(days=5), 16), outcome="已发给客户", **done),
        _task(demo, "rep2", TaskKind.FOLLOW_UP, f"电话回访{theirs[0].name}，确认交期", demo.at(today, 16),
              customer_id=theirs[0].id, priority=1),
        _task(demo, "rep2", TaskKind.VISIT, f"拜访{theirs[4].name}，空压机节能改造交流",
              demo.at(today + timedelta(days=2), 9, 30), customer_id=theirs[4].id),
        _task(demo, "rep2", TaskKind.TASK, "整理 C37 螺杆空压机投标资料", demo.at(today - timedelta(days=1), 17),
              done_at=demo.at(today - timedelta(days=1), 15), outcome="已提交投标文件", **done),
    ]


async def load_activity(demo: Demo, products: list[Product]) -> None:
    await _visits(demo, products)
    leads = await _leads(demo, products)
    demo.session.add_all(_tasks(demo, leads))
    await demo.session.flush()
