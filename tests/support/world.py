"""A small, exact CRM for tests: two sales teams, a pool, a dealer, known coordinates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import (
    Company,
    Contact,
    Customer,
    CustomerGrade,
    CustomerType,
    Role,
    User,
    utcnow,
)
from core.search.normalize import pinyin
from core.services.customers import refresh_search_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
"""The world's zone (the test settings' default time zone)."""
SIP = (31.3236, 120.7260)
"""Suzhou Industrial Park: where 苏州恒力机械 stands."""


def later_today() -> datetime:
    """An hour from now, but never past the last minute of today in Shanghai (the agenda's "today")."""
    now = utcnow()
    last_minute = datetime.combine(now.astimezone(SHANGHAI).date(), time(23, 59), tzinfo=SHANGHAI)
    return min(now + timedelta(hours=1), last_minute.astimezone(UTC))


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)

    def uid(self, login: str) -> int:
        return self.users[login].id

    def cid(self, key: str) -> int:
        return self.customers[key].id


GRADES = [
    ("strategic", "战略", "strategic", 2, 30, 1),
    ("key", "重点", "key", 3, 15, 2),
    ("normal", "一般", "normal", 7, 7, 3),
    ("potential", "潜在", "potential", 15, 7, 4),
]
USERS = [
    ("admin", "管理员", "Admin", Role.ADMIN, None, None, None),
    ("director", "赵敏", "Zhao Min", Role.DIRECTOR, None, "华东", None),
    ("manager", "王强", "Wang Qiang", Role.MANAGER, "director", "华东", None),
    ("manager2", "周涛", "Zhou Tao", Role.MANAGER, "director", "华北", None),
    ("rep", "张伟", "Zhang Wei", Role.REP, "manager", "华东", "水泵,电机"),
    ("rep2", "李娜", "Li Na", Role.REP, "manager", "华东", "压缩机,阀门"),
    ("rep3", "吴磊", "Wu Lei", Role.REP, "manager2", "华北", "水泵"),
    ("finance", "孙丽", "Sun Li", Role.FINANCE, None, None, None),
    ("engineer", "陈杰", "Chen Jie", Role.ENGINEER, "manager", None, None),
    ("dealer", "刘洋", "Liu Yang", Role.DEALER, None, None, None),
]
CUSTOMERS = [
    # key, code, name, name_en, owner, lat, lon, grade, region, city, type
    ("hengli", "机械-华东-001", "苏州恒力机械有限公司", "Suzhou Hengli Machinery Co., Ltd.", "rep", *SIP, "key", "华东", "苏州", CustomerType.END_CUSTOMER),
    ("baogang", "精密-华东-001", "上海宝钢精密制造有限公司", "Shanghai Baogang Precision", "rep2", 31.3750, 121.2500, "strategic", "华东", "上海", CustomerType.OEM_ODM),
    ("huaguang", "电气-华北-001", "天津华光电气有限公司", "Tianjin Huaguang Electric", "rep3", 39.0800, 117.2000, "normal", "华北", "天津", CustomerType.END_CUSTOMER),
    ("tianyu", "精密-华东-002", "苏州天宇精密科技有限公司", "Suzhou Tianyu Precision Technology", None, 31.3250, 120.7300, "normal", "华东", "苏州", CustomerType.END_CUSTOMER),
    ("boyuan", "化工-华北-001", "北京博远化工有限公司", "Beijing Boyuan Chemical", None, 39.9000, 116.4000, "potential", "华北", "北京", CustomerType.PROJECT),
    ("lianzhong", "贸易-华东-001", "苏州联众泵阀贸易有限公司", "Suzhou Lianzhong Pump & Valve Trading", "rep", 31.3000, 120.6000, "key", "华东", "苏州", CustomerType.DEALER),
    ("noloc", "机械-华东-002", "昆山远航机械有限公司", "Kunshan Yuanhang Machinery", "rep", None, None, "normal", "华东", "昆山", CustomerType.END_CUSTOMER),
]


async def make_world(sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    world = World()
    async with sessionmaker() as s:
        s.add_all(CustomerGrade(code=c, name_zh=z, name_en=e, follow_up_days=f, recycle_days=r, rank=k) for c, z, e, f, r, k in GRADES)
        company = Company(name="苏州恒泰流体设备有限公司", name_en="Hengtai Fluid")
        s.add(company)
        await s.flush()
        for login, name, name_en, role, manager, region, expertise in USERS:
            user = User(
                company_id=company.id, login=login, name=name, name_en=name_en, role=role, region=region,
                expertise=expertise, manager_id=world.users[manager].id if manager else None,
            )
            s.add(user)
            await s.flush()
            world.users[login] = user
        now = utcnow()
        # Noon, five local days ago: a normal-grade customer (7 days) is then recycled at noon the day
        # after tomorrow, whatever the hour the tests run, so sweeps "tomorrow at 07:00" never meet a
        # pool warning in some hours of the day and not in others.
        last_contact = datetime.combine(now.astimezone(SHANGHAI).date() - timedelta(days=5), time(12), tzinfo=SHANGHAI)
        for key, code, name, name_en, owner, lat, lon, grade, region, city, ctype in CUSTOMERS:
            customer = Customer(
                code=code, name=name, name_en=name_en, aliases=[], type=ctype, grade_code=grade,
                owner_id=world.users[owner].id if owner else None, lat=lat, lon=lon, region=region, city=city,
                industry=code.split("-")[0], last_contact_at=last_contact.astimezone(UTC),
                next_contact_at=now - timedelta(days=1) if owner == "rep" else now + timedelta(days=3),
            )
            s.add(customer)
            await s.flush()
            world.customers[key] = customer
        contact = Contact(customer_id=world.cid("hengli"), name="王建国", name_pinyin=pinyin("王建国"), title="采购经理", mobile="13812345678", email="wang@hengli.cn")
        s.add(contact)
        world.users["dealer"].dealer_customer_id = world.cid("lianzhong")
        for customer in world.customers.values():
            refresh_search_text(customer, [contact] if customer.id == contact.customer_id else [])
        await s.commit()
    return world
