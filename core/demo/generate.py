"""The deterministic demo data set: a pump and motor maker near Suzhou with its sales team and customers.

`load_demo` fills an empty database; the caller commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import zone
from core.demo.activity import load_activity
from core.demo.catalog import load_catalog
from core.demo.context import Demo
from core.demo.customers import DEALER, load_customers
from core.demo.dealers import load_dealers
from core.demo.quotes import load_quotes
from core.demo.service import load_service
from core.models import Company, CustomerGrade, Department, Role, User, utcnow

COMPANY = ("苏州恒泰流体设备有限公司", "Suzhou Hengtai Fluid Equipment Co., Ltd.")
EMAIL_DOMAIN = "hengtai-demo.cn"

GRADES: tuple[tuple[str, str, str, int, int, int], ...] = (
    ("strategic", "战略", "Strategic", 2, 30, 1),
    ("key", "重点", "Key", 3, 15, 2),
    ("normal", "一般", "Normal", 7, 7, 3),
    ("potential", "潜在", "Potential", 15, 7, 4),
)

DEPARTMENTS: tuple[tuple[str, str, str | None, str | None], ...] = (
    # key, name, region, parent key
    ("east", "华东销售部", "华东", None),
    ("suzhou", "苏州组", "华东", "east"),
    ("shanghai", "上海组", "华东", "east"),
    ("north_south", "华北华南销售部", "华北,华南", None),
    ("service", "服务部", None, None),
    ("channel", "渠道部", None, None),
    ("finance", "财务部", None, None),
)


@dataclass(frozen=True)
class Staff:
    login: str
    name: str
    name_en: str
    role: Role
    manager: str | None = None
    department: str | None = None
    region: str | None = None
    expertise: str | None = None


STAFF: tuple[Staff, ...] = (
    # superiors first, so that manager ids exist when their team is created
    Staff("director", "赵敏", "Zhao Min", Role.DIRECTOR, department="east"),
    Staff("manager", "王强", "Wang Qiang", Role.MANAGER, "director", "east", "华东"),
    Staff("manager2", "周涛", "Zhou Tao", Role.MANAGER, "director", "north_south", "华北"),
    Staff("rep", "张伟", "Zhang Wei", Role.REP, "manager", "suzhou", "华东", "水泵,电机"),
    Staff("rep2", "李娜", "Li Na", Role.REP, "manager", "shanghai", "华东", "压缩机,阀门"),
    Staff("rep3", "吴斌", "Wu Bin", Role.REP, "manager", "suzhou", "华东", "水泵,阀门"),
    Staff("rep4", "郑浩", "Zheng Hao", Role.REP, "manager2", "north_south", "华北", "电机,传动"),
    Staff("rep5", "黄婷", "Huang Ting", Role.REP, "manager2", "north_south", "华南", "压缩机,电气"),
    Staff("rep6", "徐磊", "Xu Lei", Role.REP, "manager", "shanghai", "华东", "阀门,液压"),
    Staff("engineer", "陈杰", "Chen Jie", Role.ENGINEER, "manager", "service", None, "水泵,电机,压缩机"),
    Staff("dealer", "刘洋", "Liu Yang", Role.DEALER),
    Staff("finance", "孙丽", "Sun Li", Role.FINANCE, department="finance"),
    Staff("admin", "系统管理员", "Administrator", Role.ADMIN),
)


async def _grades(demo: Demo) -> None:
    for code, name_zh, name_en, follow_up, recycle, rank in GRADES:
        grade = CustomerGrade(
            code=code, name_zh=name_zh, name_en=name_en, follow_up_days=follow_up, recycle_days=recycle, rank=rank
        )
        demo.session.add(grade)
        demo.grades[code] = grade
    await demo.session.flush()


async def _departments(session: AsyncSession, company_id: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    for key, name, region, parent in DEPARTMENTS:
        department = Department(
            company_id=company_id, name=name, region=region, parent_id=ids[parent] if parent else None
        )
        session.add(department)
        await session.flush()
        ids[key] = department.id
    return ids


async def _staff(demo: Demo, company_id: int, departments: dict[str, int], timezone: str) -> None:
    for number, staff in enumerate(STAFF, start=1):
        user = User(
            company_id=company_id, login=staff.login, name=staff.name, name_en=staff.name_en, role=staff.role,
            department_id=departments[staff.department] if staff.department else None,
            manager_id=demo.users[staff.manager].id if staff.manager else None,
            phone=f"1381234{number:04d}", email=f"{staff.login}@{EMAIL_DOMAIN}", region=staff.region,
            expertise=staff.expertise, locale=None, timezone=timezone, active=True,
        )
        demo.session.add(user)
        await demo.session.flush()
        demo.users[staff.login] = user


async def _is_empty(session: AsyncSession) -> bool:
    return await session.scalar(select(User.id).limit(1)) is None


async def load_demo(session: AsyncSession, *, timezone: str = "Asia/Shanghai", seed: int = 7) -> bool:
    """Fill an empty database with the demo company; False (and nothing written) if users exist."""
    if not await _is_empty(session):
        return False
    demo = Demo(session=session, rng=random.Random(seed), now=utcnow(), tz=zone(timezone))
    company = Company(name=COMPANY[0], name_en=COMPANY[1])
    session.add(company)
    await session.flush()
    await _grades(demo)
    await _staff(demo, company.id, await _departments(session, company.id), timezone)
    customers = await load_customers(demo)
    demo.users["dealer"].dealer_customer_id = next(c.id for c in customers if c.name == DEALER)
    products = await load_catalog(session)
    await load_activity(demo, products)
    await load_quotes(demo, products)
    await load_service(demo)
    await load_dealers(demo, products)
    await session.flush()
    return True
