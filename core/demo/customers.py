"""Demo customers around the Yangtze-delta industrial parks, with their contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from core.clock import follow_up_due
from core.demo.context import Demo
from core.demo.names import (
    BRANDS,
    DEALER_WORDS,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    PARKS,
    SUFFIX_WEIGHTS,
    SUFFIXES,
    TITLE_WEIGHTS,
    TITLES,
    Park,
)
from core.models import Contact, Customer, CustomerType
from core.search.normalize import pinyin
from core.services.customers import refresh_search_text


@dataclass(frozen=True)
class Spec:
    name: str
    name_en: str
    brand: str
    park: str
    industry: str
    owner: str | None
    grade: str
    type: CustomerType = CustomerType.END_CUSTOMER
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    point: tuple[float, float] | None = None
    address: str | None = None
    fence: float | None = None
    contact: tuple[str, str, str] | None = None
    """(name, title, mobile) of a fixed primary contact."""


DLR, END, OEM, PRJ = CustomerType.DEALER, CustomerType.END_CUSTOMER, CustomerType.OEM_ODM, CustomerType.PROJECT
HENGLI = "苏州恒力机械有限公司"
DEALER = "苏州联众泵阀贸易有限公司"
GROUP = "江苏华光控股集团有限公司"

FIXED: tuple[Spec, ...] = (
    Spec(HENGLI, "Suzhou Hengli Machinery Co., Ltd.", "恒力", "sip", "机械", "rep", "key", aliases=("恒力机械",),
         point=(31.3251, 120.7289), address="苏州工业园区星湖街 128 号", contact=("王建国", "采购经理", "13812345678")),
    Spec(DEALER, "Suzhou Lianzhong Pump & Valve Trading Co., Ltd.", "联众", "snd", "贸易", "rep", "strategic", DLR),
    Spec("上海宝钢精密制造有限公司", "Shanghai Baogang Precision Manufacturing Co., Ltd.", "宝钢", "jiading", "精密",
         "rep2", "key", fence=500),
    Spec("恒力机械(昆山)有限公司", "Hengli Machinery (Kunshan) Co., Ltd.", "恒力", "kunshan", "机械", "rep2", "normal",
         parent=HENGLI),
    Spec(GROUP, "Jiangsu Huaguang Holding Group Co., Ltd.", "华光", "wuxi", "电气", "rep3", "strategic", fence=500),
    Spec("苏州华光电气科技有限公司", "Suzhou Huaguang Electric Technology Co., Ltd.", "华光", "snd", "电气", "rep",
         "key", parent=GROUP),
    Spec("无锡华光精密机械有限公司", "Wuxi Huaguang Precision Machinery Co., Ltd.", "华光", "wuxi", "机械", "rep3",
         "normal", OEM, parent=GROUP),
    Spec("苏州天成食品有限公司", "Suzhou Tiancheng Food Co., Ltd.", "天成", "wujiang", "食品", "rep", "normal",
         parent=DEALER),
    Spec("苏州晨光纺织有限公司", "Suzhou Chenguang Textile Co., Ltd.", "晨光", "wujiang", "纺织", None, "potential",
         parent=DEALER),
)

OWNERS: tuple[tuple[str | None, tuple[str, ...], int], ...] = (
    ("rep", ("sip", "snd"), 36),
    ("rep2", ("jiading", "songjiang", "minhang", "kunshan", "taicang"), 37),
    ("rep3", ("wuxi", "wujin", "wujiang"), 44),
    ("rep6", ("jiaxing", "wujiang", "taicang", "minhang"), 46),
    ("rep4", ("beijing", "tianjin"), 15),
    ("rep5", ("guangzhou", "shenzhen"), 14),
    (None, tuple(PARKS), 88),
)
DEALER_PLAN: tuple[tuple[str, str], ...] = (("wuxi", "rep3"), ("minhang", "rep2"), ("jiaxing", "rep6"), ("guangzhou", "rep5"))
OWNED_GRADES = (("strategic", 6), ("key", 22), ("normal", 47), ("potential", 25))
POOL_GRADES = (("key", 5), ("normal", 55), ("potential", 40))
TYPES = ((END, 72), (OEM, 16), (PRJ, 12))
T = TypeVar("T")


def _pick(demo: Demo, weighted: tuple[tuple[T, int], ...]) -> T:
    return demo.rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def company_name(demo: Demo, park: Park, used: set[str]) -> tuple[str, str, str, str]:
    """(name, name_en, brand, industry label), a name not used before."""
    while True:
        brand = demo.rng.choice(BRANDS)
        industry = demo.rng.choices(INDUSTRIES, weights=INDUSTRY_WEIGHTS)[0]
        suffix, suffix_en = demo.rng.choices(SUFFIXES, weights=SUFFIX_WEIGHTS)[0]
        name = f"{park.prefix}{brand}{industry.word}{suffix}"
        if name not in used:
            used.add(name)
            english = f"{park.prefix_en} {pinyin(brand).capitalize()} {industry.en} {suffix_en}"
            return name, english, brand, industry.label


def _dealer(demo: Demo, park: Park, used: set[str]) -> tuple[str, str, str]:
    while True:
        brand = demo.rng.choice(BRANDS)
        word, word_en = demo.rng.choice(DEALER_WORDS)
        name = f"{park.prefix}{brand}{word}有限公司"
        if name not in used:
            used.add(name)
            return name, f"{park.prefix_en} {pinyin(brand).capitalize()} {word_en} Co., Ltd.", brand


def plan(demo: Demo) -> list[Spec]:
    """Every customer to create, fixed ones first, in a deterministic order."""
    specs = list(FIXED)
    used = {s.name for s in specs}
    for park_key, seller in DEALER_PLAN:
        name, english, brand = _dealer(demo, PARKS[park_key], used)
        specs.append(Spec(name, english, brand, park_key, "贸易", seller, _pick(demo, OWNED_GRADES[:3]), DLR))
    for owner, parks, count in OWNERS:
        grades = OWNED_GRADES if owner else POOL_GRADES
        for _ in range(count):
            park = PARKS[demo.rng.choice(parks)]
            name, english, brand, industry = company_name(demo, park, used)
            specs.append(Spec(name, english, brand, park.key, industry, owner, _pick(demo, grades), _pick(demo, TYPES)))
    return specs


def _landline(demo: Demo, park: Park) -> str:
    return f"{park.area_code}-{demo.rng.randint(5, 8)}{demo.rng.randrange(10**7):07d}"


def _days_ago(demo: Demo, follow_up: int, recycle: int) -> int:
    """Most owned customers are on rhythm; some are a few days late; none is due for recycling."""
    days = follow_up + demo.rng.randint(1, 4) if demo.rng.random() < 0.15 else demo.rng.randint(0, follow_up)
    return min(days, 20, recycle - 1)


def _schedule(demo: Demo, customer: Customer, days_ago: int | None) -> None:
    grade = demo.grades[customer.grade_code]
    if customer.owner_id is None:
        customer.released_at = demo.now - timedelta(days=demo.rng.randint(1, 30), hours=demo.rng.randint(0, 8))
        back = grade.recycle_days + demo.rng.randint(0, 5)
        customer.last_contact_at = None if demo.rng.random() < 0.25 else customer.released_at - timedelta(days=back)
        customer.next_contact_at = None
        return
    if days_ago is None:
        days_ago = _days_ago(demo, grade.follow_up_days, grade.recycle_days)
    customer.last_contact_at = demo.past_working_time(days_ago)
    customer.next_contact_at = follow_up_due(customer.last_contact_at, grade.follow_up_days, demo.tz)


def _customer(demo: Demo, spec: Spec, serials: dict[str, int]) -> Customer:
    park = PARKS[spec.park]
    prefix = f"{spec.industry}-{park.region}"
    serials[prefix] = serials.get(prefix, 0) + 1
    lat, lon = spec.point or demo.scatter(park.lat, park.lon, 200, 3500)
    address = spec.address or f"{park.address_prefix}{demo.rng.choice(park.streets)} {demo.rng.randint(1, 60) * 2 + 6} 号"
    owner = demo.users[spec.owner] if spec.owner else None
    return Customer(
        code=f"{prefix}-{serials[prefix]:03d}", name=spec.name, name_en=spec.name_en, aliases=list(spec.aliases),
        type=spec.type, grade_code=spec.grade, owner_id=owner.id if owner else None, lat=lat, lon=lon,
        geofence_radius_m=spec.fence, address=address, region=park.region, province=park.province, city=park.city,
        industry=spec.industry, credit_level=demo.rng.choices("ABC", weights=(3, 5, 2))[0],
        phone=_landline(demo, park), next_contact_manual=False, search_text="",
    )


def _birthday(demo: Demo) -> date | None:
    if demo.rng.random() > 0.35:
        return None
    return date(demo.rng.randint(1965, 1995), demo.rng.randint(1, 12), demo.rng.randint(1, 28))


def _contacts(demo: Demo, customer: Customer, spec: Spec) -> list[Contact]:
    domain = f"{pinyin(spec.brand)}-{PARKS[spec.park].prefix_en.lower()}.com.cn"
    people: list[tuple[str, str, str]] = [spec.contact] if spec.contact else []
    names = {p[0] for p in people}
    count = demo.rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
    while len(people) < count:
        name = demo.person()
        if name not in names:
            names.add(name)
            people.append((name, demo.rng.choices(TITLES, weights=TITLE_WEIGHTS)[0], demo.mobile()))
    return [
        Contact(
            customer_id=customer.id, name=name, name_pinyin=pinyin(name), title=title, mobile=mobile,
            email=f"{pinyin(name)}@{domain}" if demo.rng.random() < 0.7 else None, birthday=_birthday(demo),
            is_primary=i == 0,
        )
        for i, (name, title, mobile) in enumerate(people)
    ]


def _rep_agenda(demo: Demo, specs: list[Spec], customers: list[Customer]) -> dict[int, int]:
    """Days since the last contact for rep's key accounts: three due today, two overdue."""
    keyed = [i for i, s in enumerate(specs) if s.owner == "rep" and s.grade in ("key", "strategic")]
    plan: dict[int, int] = {}
    for n, index in enumerate(keyed[:5]):
        follow_up = demo.grades[customers[index].grade_code].follow_up_days
        plan[index] = follow_up + (0 if n < 3 else n - 2)
    return plan


async def load_customers(demo: Demo) -> list[Customer]:
    demo.used_mobiles.update(s.contact[2] for s in FIXED if s.contact)
    specs = plan(demo)
    serials: dict[str, int] = {}
    customers = [_customer(demo, spec, serials) for spec in specs]
    agenda = _rep_agenda(demo, specs, customers)
    for index, customer in enumerate(customers):
        _schedule(demo, customer, agenda.get(index))
    demo.session.add_all(customers)
    await demo.session.flush()
    by_name = {c.name: c for c in customers}
    for spec, customer in zip(specs, customers, strict=True):
        if spec.parent:
            customer.parent_id = by_name[spec.parent].id
    contacts = [_contacts(demo, c, s) for s, c in zip(specs, customers, strict=True)]
    demo.session.add_all([person for group in contacts for person in group])
    for customer, group in zip(customers, contacts, strict=True):
        refresh_search_text(customer, group)
    await demo.session.flush()
    demo.customers = customers
    return customers

