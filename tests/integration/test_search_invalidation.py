"""Every worker's index stays correct when another worker (another process, its own engine
and index, the same database) adds, renames, re-assigns or deletes customers."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from core.db import make_engine, make_sessionmaker
from core.geo import Point
from core.models import Customer
from core.permissions import scope_for
from core.search.indexed import IndexedSearch
from tests.conftest import DATABASE_URL
from tests.support.world import SIP

ROOT = Path(__file__).resolve().parents[2]


async def names(search, session, scope, query):  # type: ignore[no-untyped-def]
    return [h.customer.name for h in await search.search(session, scope=scope, query=query)]


async def test_changes_by_another_process_reach_this_index(container, world):
    search = container.deps.search
    async with container.sessionmaker() as s:
        rep = await scope_for(s, world.users["rep"])
        assert (await search.search(s, scope=rep, query="恒力"))[0].customer.name == "苏州恒力机械有限公司"
        tianyu = (await search.search(s, scope=rep, query="天宇"))[0]
        assert tianyu.visible
        assert await names(search, s, rep, "远航") == ["昆山远航机械有限公司"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.search_writer", DATABASE_URL, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    other = json.loads(out.decode().strip().splitlines()[-1])
    assert other == {"新辉": ["无锡新辉电气有限公司"], "恒远": ["苏州恒远重工有限公司"], "远航": []}
    async with container.sessionmaker() as s:
        rep = await scope_for(s, world.users["rep"])
        assert await names(search, s, rep, "新辉") == ["无锡新辉电气有限公司"]  # added
        assert await names(search, s, rep, "恒远重工") == ["苏州恒远重工有限公司"]  # renamed
        assert "苏州恒力机械有限公司" not in await names(search, s, rep, "恒力机械")
        assert await names(search, s, rep, "远航") == []  # deleted
        moved = (await search.search(s, scope=rep, query="天宇"))[0]
        assert moved.customer.id == world.cid("tianyu") and not moved.visible and moved.owner_name == "李娜"
        pool = await search.nearby(s, scope=rep, point=Point(*SIP), radius_m=5000, pool_only=True)
        assert [h.customer.name for h in pool] == ["无锡新辉电气有限公司"]  # tianyu left the pool, the new one joined


async def test_changes_through_this_engine_reach_a_second_engines_index(container, world):
    engine = make_engine(DATABASE_URL)
    try:
        second = IndexedSearch(engine)
        await second.warm(prune=False)
        other_sessions = make_sessionmaker(engine)
        async with container.sessionmaker() as s:
            baogang = await s.get_one(Customer, world.cid("baogang"))
            baogang.name, baogang.lat, baogang.lon = "上海宝华精密制造有限公司", SIP[0] + 0.001, SIP[1]
            await s.commit()
        async with other_sessions() as s:
            admin = await scope_for(s, world.users["admin"])
            assert await names(second, s, admin, "宝华精密") == ["上海宝华精密制造有限公司"]
            near = await second.nearby(s, scope=admin, point=Point(*SIP), radius_m=300)
            assert {h.customer.name for h in near} == {"苏州恒力机械有限公司", "上海宝华精密制造有限公司"}
            # a write by plain SQL, outside FieldChat's code, reaches the index too
            await s.execute(text("UPDATE customers SET owner_id = NULL WHERE id = :i"), {"i": world.cid("huaguang")})
            await s.commit()
            rep = await scope_for(s, world.users["rep"])
            hit = (await second.search(s, scope=rep, query="华光电气"))[0]
            assert hit.visible and hit.owner_name is None
    finally:
        await engine.dispose()


async def test_the_change_log_triggers_exist(container):
    async with container.sessionmaker() as s:
        if s.bind.dialect.name == "postgresql":
            sql = "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'trg_%_search'"
            expected = 3
        else:
            sql = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'trg_%_search_%'"
            expected = 9
        assert (await s.execute(text(sql))).scalar() == expected


async def test_a_rolled_back_write_never_reaches_the_index(container, world):
    search = container.deps.search
    async with container.sessionmaker() as s:
        hengli = await s.get_one(Customer, world.cid("hengli"))
        hengli.name = "苏州临时改名有限公司"
        hengli.search_text = "苏州临时改名"
        await s.flush()
        admin = await scope_for(s, world.users["admin"])
        assert await names(search, s, admin, "临时改名") == []  # not committed: not seen
        await s.rollback()
        assert (await s.execute(select(Customer.name).where(Customer.id == world.cid("hengli")))).scalar() == "苏州恒力机械有限公司"
        assert await names(search, s, admin, "临时改名") == []
        assert (await search.search(s, scope=admin, query="恒力机械"))[0].customer.id == world.cid("hengli")


async def test_a_change_committed_after_a_later_one_still_reaches_the_index(container, world):
    """PostgreSQL: change ids come from a sequence, so an earlier id can commit last. The index,
    which first asks through the searching session whether anything is unread, still sees it."""
    search = container.deps.search
    async with container.sessionmaker() as slow, container.sessionmaker() as fast, container.sessionmaker() as s:
        if s.bind.dialect.name != "postgresql":
            pytest.skip("SQLite commits one writer at a time, in order")
        admin = await scope_for(s, world.users["admin"])
        assert await names(search, s, admin, "恒力机械") == ["苏州恒力机械有限公司"]
        await slow.execute(text("UPDATE customers SET name = '无锡星河重工有限公司', search_text = '无锡星河重工' WHERE id = :i"), {"i": world.cid("hengli")})
        await fast.execute(text("UPDATE customers SET name = '上海宝华精密制造有限公司', search_text = '上海宝华精密制造' WHERE id = :i"), {"i": world.cid("baogang")})
        await fast.commit()
        assert await names(search, s, admin, "宝华精密") == ["上海宝华精密制造有限公司"]
        await s.commit()
        await slow.commit()
        assert await names(search, s, admin, "星河重工") == ["无锡星河重工有限公司"]
