"""Notification throughput: the follow-up sweep over 1,000,000 customers, and delivery overhead.

1. Follow-up sweep: 1,000,000 customers (5 % due within the last day, 2,000 reps) in a
   migrated SQLite file and in PostgreSQL; FieldChat's sweep (keyset pages, anti-join on
   the outbox, one INSERT … ON CONFLICT DO NOTHING per 500 rows, cards in each rep's
   language) is timed end to end, then run again (nothing new to write). The anchor is the
   naive per-row way — for each due customer: load it, load its owner, look for an
   existing reminder, insert one, commit — timed on 2,000 customers and scaled to 50,000.
2. Delivery overhead: 20,000 queued notifications sent by one worker to a recording
   adapter that does nothing (rate limits off), so what is timed is FieldChat's own
   work per notification: claim, bindings and preferences, decoding, marking. The anchor
   is the naive loop — fetch the next due row, its bindings, send, update, commit — on 2,000.

Targets: each sweep ≤ 10 s; delivery ≤ 1 ms per notification; on both databases.
Run: `.venv/bin/python benchmarks/notifications.py` (about three minutes). PostgreSQL:
FIELDCHAT_BENCH_PG_URL (default its own database fieldchat_bench_notifications, created when missing — it is wiped).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402

from benchmarks.notifications_data import PLATFORM, clear_outbox, due_count, fresh, seed  # noqa: E402
from benchmarks.pg_database import bench_pg_url, ensure_database  # noqa: E402
from conversations.delivery import Sent  # noqa: E402
from conversations.messages import Reply  # noqa: E402
from conversations.reply_codec import load_all  # noqa: E402
from conversations.tokens import TokenCodec  # noqa: E402
from core.db import make_sessionmaker  # noqa: E402
from core.events import EventBus  # noqa: E402
from core.models import ChatIdentity, Customer, Notification, OutboxStatus, utcnow  # noqa: E402
from core.settings import Settings  # noqa: E402
from notifications.compose import Composer  # noqa: E402
from notifications.delivery import Delivery  # noqa: E402
from notifications.outbox import enqueue  # noqa: E402
from notifications.rules import RuleEnv, follow_up  # noqa: E402

PG_URL = bench_pg_url("notifications")
AT = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
DELIVERIES = 20_000
ANCHOR_ROWS = 2_000
TARGETS = {"sweep_s": 10.0, "delivery_ms": 1.0}
SETTINGS = {"notify_quiet_hours": "off", "notify_rate_platform": "off", "notify_rate_chat": "off", "demo": False}


class Recorder:
    """The platform: takes every message and does nothing with it."""

    name = PLATFORM

    def __init__(self) -> None:
        self.count = 0

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> Sent:
        self.count += 1
        return Sent(chat_id, (str(self.count),))

    def get(self, name: str) -> Recorder | None:
        return self if name == self.name else None


async def run(url: str | None) -> dict[str, float]:
    engine = await fresh(url)
    dialect = engine.dialect.name
    settings = Settings(database_url=str(engine.url), **SETTINGS)  # type: ignore[arg-type]
    sm = make_sessionmaker(engine)
    env = RuleEnv(sm, EventBus(), settings, Composer(settings, TokenCodec(b"benchmark-secret")))
    try:
        started = time.perf_counter()
        await seed(engine, AT)
        print(f"{dialect}: seeded 1,000,000 customers in {time.perf_counter() - started:.1f} s", flush=True)
        figures = await sweeps(engine, env, dialect)
        figures.update(await deliveries(engine, env, dialect))
        return figures
    finally:
        await engine.dispose()


async def sweeps(engine: AsyncEngine, env: RuleEnv, dialect: str) -> dict[str, float]:
    started = time.perf_counter()
    written = await follow_up.sweep(env, AT)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = await follow_up.sweep(env, AT)
    repeat = time.perf_counter() - started
    assert (written, again) == (due_count(), 0), (written, again)
    anchor = await naive_sweep(engine, env) * due_count() / ANCHOR_ROWS
    print(f"{dialect}: follow-up sweep wrote {written:,} reminders in {first:.2f} s; again (nothing new) {repeat:.2f} s; "
          f"anchor (per-row ORM, scaled from {ANCHOR_ROWS:,}) ≈ {anchor:.1f} s", flush=True)
    return {f"{dialect}_sweep_s": round(first, 2), f"{dialect}_repeat_sweep_s": round(repeat, 2),
            f"{dialect}_anchor_sweep_s": round(anchor, 1), f"{dialect}_reminders": written}


async def naive_sweep(engine: AsyncEngine, env: RuleEnv) -> float:
    """The anchor: one customer at a time, each in its own transaction (on an emptied outbox)."""
    await clear_outbox(engine)
    async with env.sessionmaker() as s:
        ids = (await s.scalars(select(Customer.id).where(
            Customer.owner_id.is_not(None), Customer.next_contact_at > AT - timedelta(days=7), Customer.next_contact_at <= AT,
        ).limit(ANCHOR_ROWS))).all()
    started = time.perf_counter()
    for cid in ids:
        async with env.sessionmaker() as s:
            customer = await s.get_one(Customer, cid)
            assert customer.owner_id is not None and customer.next_contact_at is not None
            to = (await env.composer.recipients(s, [customer.owner_id]))[customer.owner_id]
            item = follow_up.item(customer, to)
            if await s.scalar(select(Notification.id).where(Notification.dedupe_key == item.dedupe_key)) is None:
                s.add(Notification(**item.values(utcnow())))
            await s.commit()
    return time.perf_counter() - started


async def deliveries(engine: AsyncEngine, env: RuleEnv, dialect: str) -> dict[str, float]:
    await queue_rows(engine, env, DELIVERIES)
    platform = Recorder()
    worker = Delivery(env.sessionmaker, platform, env.settings)
    started = time.perf_counter()
    report = await worker.run_once(AT + timedelta(hours=1))
    per_ms = (time.perf_counter() - started) * 1000 / DELIVERIES
    assert report.sent == platform.count == DELIVERIES, report
    await queue_rows(engine, env, ANCHOR_ROWS)
    anchor_ms = await naive_delivery(env.sessionmaker, Recorder()) * 1000 / ANCHOR_ROWS
    print(f"{dialect}: delivery {per_ms:.3f} ms per notification ({DELIVERIES:,} through one worker); "
          f"anchor (row by row) {anchor_ms:.3f} ms", flush=True)
    return {f"{dialect}_delivery_ms": round(per_ms, 3), f"{dialect}_anchor_delivery_ms": round(anchor_ms, 3)}


async def queue_rows(engine: AsyncEngine, env: RuleEnv, n: int) -> None:
    """n follow-up reminders (real cards, each rep's language), urgent and due, on an emptied outbox."""
    await clear_outbox(engine)
    async with env.sessionmaker() as s:
        due = (await s.scalars(select(Customer).where(
            Customer.owner_id.is_not(None), Customer.next_contact_at > AT - timedelta(days=1), Customer.next_contact_at <= AT,
        ).order_by(Customer.id).limit(n))).all()
        to = await env.composer.recipients(s, {c.owner_id for c in due if c.owner_id})
        items = [replace(follow_up.item(c, to[c.owner_id]), routine=False, send_after=AT) for c in due if c.owner_id]
        assert len(await enqueue(s, items)) == n
        await s.commit()


async def naive_delivery(sm: async_sessionmaker[AsyncSession], platform: Recorder) -> float:
    started = time.perf_counter()
    while True:
        async with sm() as s:
            row = await s.scalar(select(Notification).where(Notification.status == OutboxStatus.QUEUED)
                                 .order_by(Notification.send_after, Notification.id).limit(1))
            if row is None:
                return time.perf_counter() - started
            chat = await s.scalar(select(ChatIdentity.chat_id).where(ChatIdentity.user_id == row.user_id))
            sent = await platform.send(chat or "", load_all(row.replies))
            row.status, row.sent_at, row.platform, row.message_ids = OutboxStatus.SENT, utcnow(), PLATFORM, sent.message_ids[0]
            await s.commit()


async def main() -> None:
    figures: dict[str, float] = {}
    figures.update(await run(None))
    try:
        await ensure_database(PG_URL)
        figures.update(await run(PG_URL))
    except OSError as exc:
        print(f"postgresql: not reachable at {PG_URL.split('@')[-1]} ({exc}); its targets count as missed")
    checks = [figures.get(f"{d}_sweep_s", 1e9) <= TARGETS["sweep_s"] for d in ("sqlite", "postgresql")]
    checks += [figures.get(f"{d}_delivery_ms", 1e9) <= TARGETS["delivery_ms"] for d in ("sqlite", "postgresql")]
    print("BENCHMARK " + json.dumps({"name": "notifications", "figures": figures, "targets": TARGETS, "ok": all(checks)}))


if __name__ == "__main__":
    asyncio.run(main())
