"""One search box: every kind of query a rep types, with the customer expected on top, and the
access rules applied inside search (hidden rows, pool, dealer)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conversations.messages import Card
from core.models import Product, ProductCategory
from core.permissions import scope_for


def cards(chat) -> list[Card]:  # type: ignore[no-untyped-def]
    return [r for r in chat.last if isinstance(r, Card)]


QUERIES = [
    # (what the rep types, which customer must come first)
    ("苏州恒力机械有限公司", "hengli"),  # the full Chinese name
    ("苏州恒力", "hengli"),  # a fragment from the start
    ("恒力机械", "hengli"),  # a fragment without the place
    ("联众泵阀", "lianzhong"),
    ("远航", "noloc"),
    ("suzhouhengli", "hengli"),  # full pinyin, no spaces
    ("su zhou heng li", "hengli"),  # full pinyin with spaces
    ("hengli", "hengli"),  # pinyin of the distinctive part
    ("beijingboyuan", "boyuan"),
    ("szhl", "hengli"),  # initials
    ("bjby", "boyuan"),
    ("tjhg", "huaguang"),
    ("恒力机械(苏州)", "hengli"),  # abbreviation, place in brackets
    ("恒力机械（苏州）有限公司", "hengli"),  # full-width brackets and the legal suffix
    ("苏州天宇精密科技", "tianyu"),  # legal suffix dropped
    ("Hengli Machinery", "hengli"),  # English name
    ("Shanghai Baogang Precision Co., Ltd.", "baogang"),  # English with a legal suffix
    ("13812345678", "hengli"),  # a contact's mobile
    ("138 1234 5678", "hengli"),  # typed with spaces
    ("+86 138-1234-5678", "hengli"),  # with the country code
    ("5678", "hengli"),  # its last four digits
    ("机械-华东-001", "hengli"),  # the customer code
    ("精密-华东-002", "tianyu"),
    ("苏州恒利机械", "hengli"),  # one typo (利 for 力)
    ("天津华光电器", "huaguang"),  # one typo (器 for 气)
    ("suzhouhenlgi", "hengli"),  # one typo in pinyin (swapped letters)
    ("tainyujinmi", "tianyu"),  # two typos in pinyin
    ("蘇州恆力機械", "hengli"),  # traditional characters
    ("ＳＵＺＨＯＵＨＥＮＧＬＩ", "hengli"),  # full-width letters
    ("王建国", "hengli"),  # a contact's name
    ("wangjianguo", "hengli"),  # a contact's name in pinyin
    ("wang@hengli.cn", "hengli"),  # a contact's e-mail
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
async def test_every_query_kind_finds_the_customer_first(container, world, query, expected):
    async with container.sessionmaker() as s:
        scope = await scope_for(s, world.users["admin"])
        hits = await container.deps.search.search(s, scope=scope, query=query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].customer.id == world.cid(expected), [h.customer.name for h in hits]


@pytest.mark.parametrize("query", ["", "   ", "@", "zzzzqqqq", "无关的文字内容", "%_%", "'; DROP TABLE customers; --", "0"])
async def test_nonsense_finds_nothing_and_never_fails(container, world, query):
    async with container.sessionmaker() as s:
        scope = await scope_for(s, world.users["rep"])
        assert await container.deps.search.search(s, scope=scope, query=query) == []


async def test_ranking_by_closeness_then_recency_among_equal_matches(container, world):
    """'苏州' matches four customers equally well: the nearest to the rep comes first."""
    from core.geo import Point

    async with container.sessionmaker() as s:
        scope = await scope_for(s, world.users["admin"])
        near_lianzhong = Point(31.3001, 120.6001)
        hits = await container.deps.search.search(s, scope=scope, query="苏州", near=near_lianzhong)
        assert hits[0].customer.id == world.cid("lianzhong")
        assert hits[0].distance_m is not None and hits[0].distance_m < 20
        near_tianyu = Point(31.3251, 120.7301)
        hits = await container.deps.search.search(s, scope=scope, query="苏州", near=near_tianyu)
        assert hits[0].customer.id == world.cid("tianyu")


ACCESS = [
    # (login, query, customer, visible)
    ("rep", "恒力", "hengli", True),  # own customer
    ("rep", "宝钢", "baogang", False),  # a colleague's: a list row only
    ("rep", "天宇", "tianyu", True),  # pool: fully visible
    ("rep", "博远", "boyuan", True),  # pool in another region
    ("rep3", "恒力", "hengli", False),  # another team's
    ("manager", "宝钢", "baogang", True),  # the team's
    ("manager2", "宝钢", "baogang", False),
    ("director", "华光", "huaguang", True),  # sees everything
    ("finance", "华光", "huaguang", True),  # reads everything
    ("dealer", "联众", "lianzhong", True),  # its own company
    ("dealer", "恒力", "hengli", False),  # any other
    ("dealer", "天宇", "tianyu", False),  # even the pool
]


@pytest.mark.parametrize(("login", "query", "key", "visible"), ACCESS)
async def test_access_rules_inside_search(container, world, login, query, key, visible):
    async with container.sessionmaker() as s:
        scope = await scope_for(s, world.users[login])
        hits = await container.deps.search.search(s, scope=scope, query=query)
    hit = next(h for h in hits if h.customer.id == world.cid(key))
    assert hit.visible is visible
    owner = hit.customer.owner_id
    assert hit.owner_name == (next(u.name for u in world.users.values() if u.id == owner) if owner else None)


async def test_out_of_scope_customer_is_a_row_not_a_card(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/c 宝钢")
    assert "上海宝钢精密制造有限公司" in rep.text and "精密-华东-001" in rep.text and "李娜" in rep.text
    assert "Outside your customers" in rep.text
    assert not cards(rep)
    rep3 = await chat_as("rep3")
    await rep3.say("/c 王建国")
    assert "苏州恒力机械有限公司" in rep3.text and "张伟" in rep3.text
    assert "王建国" not in rep3.text and "13812345678" not in rep3.text and not cards(rep3)


async def test_customer_360_by_contact_and_pool_card(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/c wangjianguo")
    assert [c.ref for c in cards(rep)] == [f"customer:{world.cid('hengli')}"]
    assert "王建国" in rep.text
    await rep.say("/c 苏州天宇")
    assert [c.ref for c in cards(rep)] == [f"customer:{world.cid('tianyu')}"]


async def test_contacts_search_respects_scope(container, world):
    async with container.sessionmaker() as s:
        mine = await container.deps.search.search_contacts(s, scope=await scope_for(s, world.users["rep"]), query="wjg")
        theirs = await container.deps.search.search_contacts(s, scope=await scope_for(s, world.users["rep2"]), query="王建国")
    assert [h.contact.name for h in mine] == ["王建国"] and mine[0].visible
    assert theirs[0].customer.id == world.cid("hengli") and not theirs[0].visible and theirs[0].owner_name == "张伟"


PRODUCTS = [("X100", "X100 离心水泵", "X100 centrifugal pump"), ("X200", "X200 多级离心泵", "X200 multistage centrifugal pump"),
            ("V50", "V50 不锈钢球阀", "V50 stainless ball valve"), ("M15", "M15 变频电机", "M15 variable-frequency motor")]
PRODUCT_QUERIES = [("X100", "X100"), ("x200", "X200"), ("离心水泵", "X100"), ("球阀", "V50"), ("buxiugangqiufa", "V50"),
                   ("bpdj", "M15"), ("ball valve", "V50"), ("multistage", "X200"), ("變頻電機", "M15"), ("lixinshuibeng", "X100")]


@pytest.mark.parametrize(("query", "sku"), PRODUCT_QUERIES)
async def test_products_by_sku_model_name_pinyin_initials(container, world, query, sku):
    from core.search.normalize import search_text

    async with container.sessionmaker() as s:
        category = ProductCategory(name_zh="泵", path="泵")
        s.add(category)
        await s.flush()
        for code, zh, en in PRODUCTS:
            s.add(Product(sku=code, name_zh=zh, name_en=en, category_id=category.id, base_unit="台",
                          base_price=Decimal(1000), search_text=search_text([zh, en], codes=[code])))
        s.add(Product(sku="X100-OLD", name_zh="X100 离心水泵（停产）", category_id=category.id, base_unit="台",
                      base_price=Decimal(1), active=False, search_text=search_text(["X100 离心水泵（停产）"], codes=["X100-OLD"])))
        await s.commit()
        hits = await container.deps.search.search_products(s, query=query)
    assert hits and hits[0].product.sku == sku
    assert all(h.product.active for h in hits)
