"""Service data on top of the small world: engineers with skills and positions, equipment, parts, stock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import (
    EngineerProfile,
    Equipment,
    PartStock,
    Role,
    SparePart,
    User,
    Warehouse,
    WarehouseKind,
    utcnow,
)
from core.services.parts import part_search_text
from tests.support.world import SIP, World

OLD_TOWN = (31.3080, 120.6190)
"""Suzhou old town, about 10 km west of SIP."""
KUNSHAN = (31.3850, 120.9800)


@dataclass
class ServiceWorld:
    equipment: dict[str, Equipment] = field(default_factory=dict)
    parts: dict[str, SparePart] = field(default_factory=dict)
    warehouses: dict[str, Warehouse] = field(default_factory=dict)
    engineers: dict[str, int] = field(default_factory=dict)

    def eid(self, key: str) -> int:
        return self.equipment[key].id


async def make_service_world(sessionmaker: async_sessionmaker[AsyncSession], world: World) -> ServiceWorld:
    sw = ServiceWorld()
    async with sessionmaker() as s:
        await _engineers(s, world, sw)
        today = utcnow().date()
        machines = [
            ("pump", "hengli", "X100 离心泵", "SN-X100-0001", "pump", {"temperature": 85, "vibration": 7.1}, 180),
            ("motor", "hengli", "M200 电机", "SN-M200-0002", "motor", {"temperature": 90}, 365),
            ("comp", "baogang", "C300 压缩机", "SN-C300-0003", "compressor", {"pressure": 10}, 90),
        ]
        for key, customer, model, serial, line, thresholds, interval in machines:
            e = Equipment(
                customer_id=world.cid(customer), model=model, serial=serial, product_line=line,
                install_date=today - timedelta(days=400), warranty_end=today + timedelta(days=300),
                service_interval_days=interval, last_service_at=utcnow() - timedelta(days=30), thresholds=thresholds,
            )
            s.add(e)
            sw.equipment[key] = e
        central = Warehouse(code="WH-SZ", name="苏州中心库", kind=WarehouseKind.CENTRAL)
        van = Warehouse(code="VAN-engineer", name="陈杰车载库", kind=WarehouseKind.VAN, engineer_id=world.uid("engineer"))
        s.add_all([central, van])
        for sku, zh, en, line in (("BRG-6205", "深沟球轴承 6205", "Deep groove ball bearing 6205", "pump"),
                                  ("SEAL-X100", "X100 机械密封", "X100 mechanical seal", "pump"),
                                  ("FLT-C300", "C300 空气滤芯", "C300 air filter", "compressor")):
            part = SparePart(sku=sku, name_zh=zh, name_en=en, unit="个", product_line=line)
            part.search_text = part_search_text(part)
            s.add(part)
            sw.parts[sku] = part
        await s.flush()
        stock = [("BRG-6205", van, 2, 1), ("BRG-6205", central, 10, 3), ("SEAL-X100", van, 1, 0), ("SEAL-X100", central, 1, 2), ("FLT-C300", central, 0, 2)]
        for sku, wh, qty, safety in stock:
            s.add(PartStock(warehouse_id=wh.id, part_id=sw.parts[sku].id, quantity=qty, reserved=0, safety=safety))
        sw.warehouses = {"central": central, "van": van}
        await s.commit()
    return sw


async def _engineers(s: AsyncSession, world: World, sw: ServiceWorld) -> None:
    manager = world.users["manager"]
    for login, name, name_en in (("engineer2", "赵刚", "Zhao Gang"), ("engineer3", "钱勇", "Qian Yong")):
        user = User(company_id=manager.company_id, login=login, name=name, name_en=name_en, role=Role.ENGINEER, manager_id=manager.id)
        s.add(user)
        await s.flush()
        world.users[login] = user
    profiles = [
        ("engineer", ["pump", "motor"], (SIP[0] + 0.02, SIP[1])),  # ~2.2 km north of 恒力
        ("engineer2", ["pump", "compressor"], OLD_TOWN),
        ("engineer3", ["compressor"], KUNSHAN),
    ]
    for login, skills, (lat, lon) in profiles:
        s.add(EngineerProfile(user_id=world.uid(login), skills=skills, base_lat=lat, base_lon=lon, work_start="00:00", work_end="23:59"))
        sw.engineers[login] = world.uid(login)
