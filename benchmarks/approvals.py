"""Simultaneous approval clicks: FieldChat's exactly-once decision against a check-then-act anchor.

Each round submits a quote for the manager (who is away, so the delegate may decide too) and
fires 12 clicks at the same moment — two people × six chats on different platforms, half of
them approving, half rejecting with a reason — through the real conversation engine (token
check, identity, dialog, `core.services.approvals.decide`). Counted: decisions stored per
round (must be exactly one), clicks told who decided, and each click's latency.

The anchor is how approval buttons are often built: read the step, and if it is still
pending write the decision (two transactions, no condition on the write). It gets the same
12 simultaneous clicks; every click that "decided" counts.

Backends: SQLite (temporary file, WAL) and PostgreSQL (`FIELDCHAT_BENCH_PG_URL`, default
its own database fieldchat_bench_approvals, created when missing; its schema is dropped first). Run with no arguments (~1 min).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pg_database import bench_pg_url, ensure_database  # noqa: E402

ROUNDS = 20
PLATFORMS = ("web", "tg", "slack", "wecom", "feishu", "ding")
PG_URL = bench_pg_url("approvals")


async def setup(url: str) -> Any:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bootstrap import build
    from core.db import make_engine
    from core.migrate import upgrade
    from core.settings import Settings
    from tests.support.catalog import add_catalog
    from tests.support.world import make_world

    engine: AsyncEngine = make_engine(url)
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    await upgrade(engine)
    settings = Settings(database_url=url, demo=False, secret_key="bench", default_locale="en", notify_in_process=False)  # type: ignore[call-arg]
    container = await build(settings, migrate=False, db=engine)
    world = await make_world(container.sessionmaker)
    catalog = await add_catalog(container.sessionmaker)
    return container, world, catalog


async def clickers(container: Any, world: Any) -> list[Any]:
    from conversations.local import sign_in
    from core.events import EventBus
    from core.models import User
    from core.services import absences
    from core.uow import Actor, UnitOfWork
    from tests.support.chat import Chat

    async with UnitOfWork(container.sessionmaker, EventBus()) as uow:
        manager = await uow.session.get_one(User, world.uid("manager"))
        await absences.go_away(uow, actor=Actor(manager, "web"), delegate_id=world.uid("manager2"), until=None, today=date.today())
        await uow.commit()
    chats = []
    for login in ("manager", "manager2"):
        for platform in PLATFORMS:
            chat = Chat(container.engine, login, platform=platform)
            await sign_in(container.deps, chat.key, login)
            chats.append(chat)
    return chats


async def fieldchat_round(container: Any, world: Any, catalog: Any, chats: list[Any]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from conversations.inbound import ActionEvent, TextEvent
    from core.models import AuditEntry
    from tests.support.quotes import submitted_quote

    quote_id = await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    await chats[0].say("/approvals")
    approve = chats[0].button("Approve").token
    rejecters = chats[1::2]
    for chat in rejecters:
        await chat.say("/approvals")
        await chat.tap("Reject")

    async def click(chat: Any) -> tuple[float, str]:
        start = time.perf_counter()
        event = TextEvent("price too low") if chat in rejecters else ActionEvent(approve)
        replies = await chat.send(event)
        return time.perf_counter() - start, "\n".join(getattr(r, "text", "") for r in replies)

    async with container.sessionmaker() as s:
        before = await s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("approval.%")))
    results = await asyncio.gather(*(click(c) for c in chats))
    async with container.sessionmaker() as s:
        after = await s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("approval.%")))
    told = sum("changed nothing" in text for _, text in results)
    return {"quote": quote_id, "decisions": after - before, "told": told, "latencies": [t for t, _ in results]}


async def anchor_round(container: Any, world: Any, catalog: Any, n: int) -> int:
    """Check-then-act: read the step in one transaction, write the decision in another."""
    from sqlalchemy import select, update

    from core.models import ApprovalStep, StepStatus, utcnow
    from tests.support.quotes import submitted_quote

    quote_id = await submitted_quote(container.sessionmaker, world, catalog, qty=2)
    async with container.sessionmaker() as s:
        step_id = (await s.scalars(select(ApprovalStep.id).where(ApprovalStep.quote_id == quote_id))).one()

    async def click(i: int) -> bool:
        async with container.sessionmaker() as s:
            status = await s.scalar(select(ApprovalStep.status).where(ApprovalStep.id == step_id))
            await s.commit()
        if status != StepStatus.PENDING:
            return False
        await asyncio.sleep(0)
        async with container.sessionmaker() as s:
            await s.execute(update(ApprovalStep).where(ApprovalStep.id == step_id).values(
                status=StepStatus.APPROVED if i % 2 == 0 else StepStatus.REJECTED, decided_at=utcnow()))
            await s.commit()
        return True

    return sum(await asyncio.gather(*(click(i) for i in range(n))))


async def measure(name: str, url: str) -> dict[str, Any]:
    container, world, catalog = await setup(url)
    chats = await clickers(container, world)
    rounds = [await fieldchat_round(container, world, catalog, chats) for _ in range(ROUNDS)]
    anchor = [await anchor_round(container, world, catalog, len(chats)) for _ in range(ROUNDS)]
    await container.db.dispose()
    latencies = sorted(t for r in rounds for t in r["latencies"])
    figures = {
        "clicks_per_round": len(chats),
        "rounds": ROUNDS,
        "fieldchat_rounds_with_exactly_one_decision": sum(r["decisions"] == 1 for r in rounds),
        "fieldchat_clicks_told_who_decided": sum(r["told"] for r in rounds),
        "fieldchat_click_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "fieldchat_click_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "anchor_rounds_with_more_than_one_decision": sum(a > 1 for a in anchor),
        "anchor_decisions_per_round_mean": round(statistics.mean(anchor), 2),
    }
    print(f"{name}: {json.dumps(figures)}", flush=True)
    return figures


async def main() -> None:
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = await measure("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db")
    await ensure_database(PG_URL)
    results["postgresql"] = await measure("postgresql", PG_URL)
    figures = {f"{db}.{k}": v for db, f in results.items() for k, v in f.items()}
    targets = {
        "every round exactly one decision": "fieldchat_rounds_with_exactly_one_decision == rounds",
        "every other click told who decided": "fieldchat_clicks_told_who_decided == rounds × (clicks − 1)",
        "p95 click latency": "< 1000 ms with 12 simultaneous clicks",
    }
    ok = all(
        f["fieldchat_rounds_with_exactly_one_decision"] == ROUNDS
        and f["fieldchat_clicks_told_who_decided"] == ROUNDS * (f["clicks_per_round"] - 1)
        and f["fieldchat_click_p95_ms"] < 1000
        for f in results.values()
    )
    print("BENCHMARK " + json.dumps({"name": "approvals", "figures": figures, "targets": targets, "ok": ok}, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
