"""Demo service data: engineers around Suzhou, installed equipment, spare parts, tickets in every
status (some close to their SLA), ratings, and telemetry (one series trending to its threshold)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.demo.context import Demo
from core.demo.customers import HENGLI
from core.geo import Point, distance_m
from core.models import (
    Customer,
    EngineerProfile,
    Equipment,
    PartStock,
    Priority,
    PurchaseRequest,
    Role,
    ServiceRating,
    SparePart,
    TelemetryReading,
    Ticket,
    TicketPart,
    TicketStatus,
    TicketTransition,
    TicketType,
    User,
    Warehouse,
    WarehouseKind,
)
from core.services.parts import part_search_text
from core.sla import deadlines

SIP = Point(31.3236, 120.7260)
ENGINEERS = (
    # login, name, name_en, skills, base (lat, lon): the demo login `engineer` plus three colleagues
    ("engineer", "陈杰", "Chen Jie", ["pump", "motor", "compressor"], (31.3300, 120.7100)),
    ("engineer2", "赵刚", "Zhao Gang", ["pump", "valve"], (31.3080, 120.6190)),
    ("engineer3", "钱勇", "Qian Yong", ["compressor", "motor"], (31.3850, 120.9800)),
    ("engineer4", "孙浩", "Sun Hao", ["pump", "motor"], (31.4900, 120.3100)),
)
MODELS: tuple[tuple[str, str, dict[str, float], int], ...] = (
    ("X100 离心泵", "pump", {"temperature": 85, "vibration": 7.1}, 180),
    ("X150 多级泵", "pump", {"temperature": 85, "pressure": 16}, 180),
    ("M200 电机", "motor", {"temperature": 90, "current": 120}, 365),
    ("C300 螺杆压缩机", "compressor", {"temperature": 105, "pressure": 10}, 90),
    ("V50 电动阀", "valve", {}, 365),
)
PARTS = (
    ("BRG-6205", "深沟球轴承 6205", "Deep groove ball bearing 6205", "pump", 4, 40, 10),
    ("BRG-6308", "深沟球轴承 6308", "Deep groove ball bearing 6308", "motor", 2, 12, 5),
    ("SEAL-X100", "X100 机械密封", "X100 mechanical seal", "pump", 1, 2, 4),
    ("IMP-X100", "X100 叶轮", "X100 impeller", "pump", 0, 3, 2),
    ("FLT-C300", "C300 空气滤芯", "C300 air filter", "compressor", 2, 0, 6),
    ("OIL-C300", "C300 专用润滑油 5L", "C300 lubricant 5 L", "compressor", 1, 20, 5),
    ("COIL-V50", "V50 执行器线圈", "V50 actuator coil", "valve", 1, 6, 2),
    ("FAN-M200", "M200 散热风扇", "M200 cooling fan", "motor", 1, 5, 2),
)
SLA = "urgent=2/24,high=4/48,normal=8/72,low=24/120"


async def load_service(demo: Demo) -> None:
    engineers = await _engineers(demo)
    machines = await _equipment(demo)
    parts, central = await _parts(demo, engineers)
    await _tickets(demo, engineers, machines, parts, central)
    await _telemetry(demo, machines)


async def _engineers(demo: Demo) -> dict[str, User]:
    lead = demo.users["engineer"]
    out: dict[str, User] = {}
    for number, (login, name, name_en, skills, (lat, lon)) in enumerate(ENGINEERS, start=1):
        user = demo.users.get(login)
        if user is None:
            user = User(
                company_id=lead.company_id, department_id=lead.department_id, login=login, name=name, name_en=name_en,
                role=Role.ENGINEER, manager_id=lead.manager_id, phone=f"1390512{number:04d}", timezone=lead.timezone,
                email=f"{login}@hengtai-demo.cn", expertise=lead.expertise, active=True,
            )
            demo.session.add(user)
            await demo.session.flush()
            demo.users[login] = user
        last = demo.scatter(lat, lon, 500, 3000)
        demo.session.add(EngineerProfile(
            user_id=user.id, skills=skills, base_lat=lat, base_lon=lon, last_lat=last[0], last_lon=last[1],
            last_seen_at=demo.now - timedelta(minutes=demo.rng.randint(5, 90)), work_start="08:30", work_end="17:30",
        ))
        out[login] = user
    return out


async def _equipment(demo: Demo) -> list[Equipment]:
    near = [c for c in demo.customers if c.lat is not None and c.lon is not None and distance_m(SIP, Point(c.lat, c.lon)) < 60_000]
    near.sort(key=lambda c: (c.name != HENGLI, c.id))
    machines: list[Equipment] = []
    for index, customer in enumerate(near[:24]):
        kinds = [0, 2] if customer.name == HENGLI else [demo.rng.randrange(len(MODELS))]
        for kind in kinds:
            model, line, thresholds, interval = MODELS[kind]
            installed = demo.today - timedelta(days=demo.rng.randint(200, 1500))
            last_days = interval - 5 if index % 5 == 1 else demo.rng.randint(10, interval - 20)
            e = Equipment(
                customer_id=customer.id, model=model, serial=f"SN-{model.split()[0]}-{len(machines) + 1:04d}",
                product_line=line, install_date=installed, warranty_end=installed + timedelta(days=730),
                service_interval_days=interval, service_interval_hours=4000 if line == "compressor" else None,
                running_hours=float(demo.rng.randint(2000, 9000)) if line == "compressor" else None,
                last_service_at=demo.now - timedelta(days=last_days), thresholds=dict(thresholds),
            )
            e.hours_at_last_service = (e.running_hours - 1500) if e.running_hours else None
            demo.session.add(e)
            machines.append(e)
    await demo.session.flush()
    return machines


async def _parts(demo: Demo, engineers: dict[str, User]) -> tuple[dict[str, SparePart], Warehouse]:
    central = Warehouse(code="WH-SZ", name="苏州中心库", kind=WarehouseKind.CENTRAL)
    vans = [Warehouse(code=f"VAN-{u.login}", name=f"{u.name}车载库", kind=WarehouseKind.VAN, engineer_id=u.id) for u in engineers.values()]
    demo.session.add_all([central, *vans])
    parts: dict[str, SparePart] = {}
    for sku, zh, en, line, _van, _central, _safety in PARTS:
        part = SparePart(sku=sku, name_zh=zh, name_en=en, unit="个", product_line=line)
        part.search_text = part_search_text(part)
        demo.session.add(part)
        parts[sku] = part
    await demo.session.flush()
    for sku, *_rest, van_qty, central_qty, safety in PARTS:
        demo.session.add(PartStock(warehouse_id=central.id, part_id=parts[sku].id, quantity=central_qty, reserved=0, safety=safety))
        for van in vans:
            demo.session.add(PartStock(warehouse_id=van.id, part_id=parts[sku].id, quantity=van_qty, reserved=0, safety=0))
    await demo.session.flush()
    return parts, central


PLAN = (
    # status, engineer, priority, type, hours ago created, product line, problem
    (TicketStatus.ASSIGNED, "engineer", Priority.URGENT, TicketType.REPAIR, 1.6, "pump", "泵体异响，出口压力波动"),
    (TicketStatus.ASSIGNED, "engineer", Priority.NORMAL, TicketType.INSPECTION, 3, "motor", "年度巡检"),
    (TicketStatus.ACCEPTED, "engineer", Priority.HIGH, TicketType.REPAIR, 5, "motor", "电机温升过高，疑似风扇损坏"),
    (TicketStatus.ON_SITE, "engineer", Priority.NORMAL, TicketType.MAINTENANCE, 6, "pump", "定期保养：更换轴承和润滑油"),
    (TicketStatus.WAITING_PARTS, "engineer", Priority.HIGH, TicketType.REPAIR, 30, "pump", "机械密封泄漏，需更换密封"),
    (TicketStatus.RESOLVED, "engineer", Priority.NORMAL, TicketType.REPAIR, 26, "compressor", "排气压力不稳"),
    (TicketStatus.CLOSED, "engineer", Priority.NORMAL, TicketType.INSTALLATION, 120, "pump", "新泵安装调试"),
    (TicketStatus.CLOSED, "engineer", Priority.HIGH, TicketType.REPAIR, 200, "compressor", "压缩机排气温度高"),
    (TicketStatus.NEW, None, Priority.URGENT, TicketType.REPAIR, 0.5, "pump", "设备停机，现场报警代码 E07"),
    (TicketStatus.NEW, None, Priority.NORMAL, TicketType.INSTALLATION, 2, "valve", "新增电动阀，需安装调试"),
    (TicketStatus.ASSIGNED, "engineer2", Priority.HIGH, TicketType.REPAIR, 3.5, "pump", "水泵振动超标"),
    (TicketStatus.ACCEPTED, "engineer3", Priority.NORMAL, TicketType.MAINTENANCE, 20, "compressor", "压缩机保养"),
    (TicketStatus.CLOSED, "engineer2", Priority.NORMAL, TicketType.REPAIR, 300, "valve", "电动阀卡滞"),
    (TicketStatus.CANCELLED, None, Priority.LOW, TicketType.INSPECTION, 48, "motor", "客户取消巡检"),
)
PATH = (TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.ACCEPTED, TicketStatus.ON_SITE, TicketStatus.RESOLVED, TicketStatus.CLOSED)


async def _tickets(demo: Demo, engineers: dict[str, User], machines: list[Equipment], parts: dict[str, SparePart], central: Warehouse) -> None:
    customers = {c.id: c for c in demo.customers}
    by_line: dict[str, list[Equipment]] = {}
    for m in machines:
        by_line.setdefault(m.product_line, []).append(m)
    load: dict[str, int] = {}
    for n, (status, login, priority, type_, hours, line, problem) in enumerate(PLAN, start=1):
        pool = by_line.get(line) or machines
        machine = pool[(n // 2) % len(pool)] if pool else None
        customer = customers[machine.customer_id] if machine else demo.customers[0]
        created = demo.now - timedelta(hours=hours)
        respond_by, resolve_by = deadlines(SLA, priority.value, created)
        engineer = engineers.get(login) if login else None
        ticket = Ticket(
            number=f"FW-{created.astimezone(demo.tz):%y%m%d}-{n:04d}", customer_id=customer.id, equipment_id=machine.id if machine else None,
            type=type_, priority=priority, status=status, problem=problem, skill=machine.product_line if machine else None,
            assignee_id=engineer.id if engineer else None, created_by_id=demo.users["manager"].id, source="chat",
            created_at=created, respond_by=respond_by, resolve_by=resolve_by, arrival_flags=[],
            dispatch_note=_reason(engineer, customer, machine, load.get(login or "", 0)) if engineer else None,
        )
        demo.session.add(ticket)
        await demo.session.flush()
        if engineer and status in (TicketStatus.ASSIGNED, TicketStatus.ACCEPTED, TicketStatus.ON_SITE, TicketStatus.WAITING_PARTS):
            load[login or ""] = load.get(login or "", 0) + 1
        _history(demo, ticket, created, hours)
        if status == TicketStatus.WAITING_PARTS:
            demo.session.add(TicketPart(ticket_id=ticket.id, part_id=parts["SEAL-X100"].id, warehouse_id=central.id, quantity=1, reserved=True, user_id=ticket.assignee_id))
            demo.session.add(PurchaseRequest(part_id=parts["SEAL-X100"].id, quantity=1, ticket_id=ticket.id, reason="shortage", requested_by_id=ticket.assignee_id))
            await demo.session.flush()
            stock = await demo.session.get(PartStock, await _stock_id(demo, central.id, parts["SEAL-X100"].id))
            if stock is not None:
                stock.reserved += 1
        if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            ticket.resolution = "已处理，试运行正常"
        if status == TicketStatus.CLOSED:
            stars = (5, 5, 4) if n % 2 else (4, 3, 5)
            demo.session.add(ServiceRating(ticket_id=ticket.id, engineer_id=ticket.assignee_id, customer_id=ticket.customer_id, attitude=stars[0], response=stars[1], quality=stars[2], comment="工程师很专业", locale="zh-CN", at=ticket.closed_at or created))


def _reason(engineer: User, customer: Customer, machine: Equipment | None, load: int) -> str:
    """The dispatch reason as dispatch writes it, from the engineer's base to the site."""
    base = next(b for login, *_, b in ENGINEERS if login == engineer.login)
    km = distance_m(Point(*base), Point(customer.lat or base[0], customer.lon or base[1])) / 1000
    return f"km={km:.1f};skill={machine.product_line if machine else ''};load={load}"


STEP_HOURS = (0.0, 0.1, 0.6, 2.0)
"""When the first steps happen after a ticket opens (new, assigned, accepted, on site); later ones spread over its age."""


def _history(demo: Demo, ticket: Ticket, created: datetime, hours: float) -> None:
    """Transitions along the usual path up to the ticket's status, at plausible moments within its age."""
    target = ticket.status
    steps: list[TicketStatus] = []
    if target == TicketStatus.CANCELLED:
        steps = [TicketStatus.NEW, TicketStatus.CANCELLED]
    elif target == TicketStatus.WAITING_PARTS:
        steps = [*PATH[:4], TicketStatus.WAITING_PARTS]
    else:
        steps = list(PATH[: PATH.index(target) + 1])
    stamps = {TicketStatus.ASSIGNED: "assigned_at", TicketStatus.ACCEPTED: "accepted_at", TicketStatus.ON_SITE: "arrived_at", TicketStatus.RESOLVED: "resolved_at", TicketStatus.CLOSED: "closed_at"}
    previous: TicketStatus | None = None
    for i, step in enumerate(steps):
        offset = STEP_HOURS[i] if i < len(STEP_HOURS) else hours * (0.6 + 0.1 * i)
        at = created + timedelta(hours=min(offset, hours * 0.9))
        demo.session.add(TicketTransition(ticket_id=ticket.id, from_status=previous.value if previous else None, to_status=step.value, at=at, user_id=ticket.assignee_id, platform="demo"))
        if step in stamps:
            setattr(ticket, stamps[step], at)
        previous = step
    if ticket.arrived_at is not None:
        ticket.arrival_distance_m, ticket.arrival_inside = float(demo.rng.randint(20, 250)), True


async def _stock_id(demo: Demo, warehouse_id: int, part_id: int) -> int:
    from sqlalchemy import select

    return int(await demo.session.scalar(select(PartStock.id).where(PartStock.warehouse_id == warehouse_id, PartStock.part_id == part_id)) or 0)


async def _telemetry(demo: Demo, machines: list[Equipment]) -> None:
    """Ten days of readings every 12 h; the first pump's vibration climbs towards its 7.1 mm/s limit."""
    rows: list[dict[str, object]] = []
    for index, machine in enumerate(machines[:6]):
        for metric, limit in machine.thresholds.items():
            for k in range(20):
                ts = (demo.now - timedelta(hours=12 * (20 - k))).replace(microsecond=0)
                if index == 0 and metric == "vibration":
                    value = 3.6 + 0.08 * k + demo.rng.uniform(-0.05, 0.05)  # ≈ +0.16 mm/s a day: at 7.1 in ~3 weeks
                else:
                    value = float(limit) * demo.rng.uniform(0.55, 0.7)
                rows.append({"equipment_id": machine.id, "metric": metric, "ts": ts, "value": round(value, 2)})
    for row in rows:
        demo.session.add(TelemetryReading(**row))
    await demo.session.flush()

