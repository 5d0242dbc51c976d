"""Telemetry ingestion through the real endpoint against a bare SQLAlchemy Core insert of the same rows.

FieldChat: `POST /api/v1/telemetry` on a uvicorn server built as `run.py serve` builds it (a
subprocess; the client is aiohttp over loopback HTTP with keep-alive), batches of 500 readings
with a Bearer key: key check, JSON parsing and validation of every reading, serial lookup,
INSERT … ON CONFLICT DO NOTHING for idempotency, threshold checks. The anchor: the same rows
(equipment ids already resolved) inserted with a bare Core `insert(telemetry_readings)`
executemany, one transaction per batch, from this process.

Two modes, both sides alike: `serial` (one sender, batch after batch) and `fleet` (four senders
at once, as several gateways would). Both run against the same freshly migrated database in
the same run, the table emptied before each side; five rounds per mode alternate which side
goes first, and the best round of each side counts.

Backends: SQLite (a temporary file, WAL, the default deployment) and PostgreSQL
(`FIELDCHAT_BENCH_PG_URL`, default its own database fieldchat_bench_telemetry, created when missing; its schema is dropped first).
Target: FieldChat ≥ 50 % of the bare insert's readings per second, in both modes, on both.

Run: `.venv/bin/python benchmarks/telemetry.py` (a few minutes; no arguments).
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pg_database import bench_pg_url, ensure_database  # noqa: E402

BATCH = 500
BATCHES = 40
MACHINES = 20
METRICS = ("temperature", "vibration")
ROUNDS = 5
MODES = (("serial", 1), ("fleet", 4))
"""One machine sending batch after batch; four gateways sending at once (both sides alike)."""
TARGET = 0.5
PG_URL = bench_pg_url("telemetry")


def serve(url: str, port: int) -> None:
    """The FieldChat server, as `serve` runs it (subprocess entry point)."""
    import uvicorn

    from bootstrap import build, create_app
    from core.settings import Settings

    async def main() -> None:
        settings = Settings(database_url=url, demo=False, secret_key="bench-secret", notify_in_process=False)  # type: ignore[call-arg]
        container = await build(settings, migrate=False)
        server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning", access_log=False))
        await server.serve()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def prepare(url: str) -> tuple[str, dict[str, int]]:
    """A fresh schema with one customer, the machines and a telemetry key."""
    from sqlalchemy import text

    from core.db import make_engine, make_sessionmaker
    from core.migrate import upgrade
    from core.models import Company, Customer, CustomerGrade, CustomerType, Equipment
    from core.services.apikeys import create_key

    engine = make_engine(url)
    if url.startswith("postgresql"):
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    async with make_sessionmaker(engine)() as s:
        s.add(CustomerGrade(code="key", name_zh="重点", name_en="key", follow_up_days=3, recycle_days=15, rank=1))
        s.add(Company(name="bench"))
        await s.flush()
        customer = Customer(code="B-001", name="基准客户", type=CustomerType.END_CUSTOMER, grade_code="key", aliases=[])
        s.add(customer)
        await s.flush()
        serials: dict[str, int] = {}
        for n in range(MACHINES):
            e = Equipment(customer_id=customer.id, model="X100", serial=f"SN-B-{n:04d}", product_line="pump",
                          thresholds={"temperature": 1e9, "vibration": 1e9})
            s.add(e)
            await s.flush()
            serials[e.serial] = e.id
        _, key = await create_key(s, name="bench", scopes=["telemetry"])
        await s.commit()
    await engine.dispose()
    return key, serials


def batches() -> list[list[dict[str, Any]]]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for b in range(BATCHES):
        rows = []
        for i in range(BATCH):
            n = b * BATCH + i
            machine, metric = n % MACHINES, METRICS[(n // MACHINES) % len(METRICS)]
            ts = start + timedelta(seconds=n // (MACHINES * len(METRICS)))
            rows.append({"serial": f"SN-B-{machine:04d}", "metric": metric, "value": 40 + (n % 97) / 10, "ts": ts.isoformat()})
        out.append(rows)
    return out


async def empty(url: str) -> None:
    from sqlalchemy import text

    from core.db import make_engine

    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM telemetry_readings"))
    await engine.dispose()


async def bare(url: str, data: list[list[dict[str, Any]]], serials: dict[str, int], senders: int) -> float:
    """The anchor: Core executemany of the resolved rows, one transaction per batch."""
    from sqlalchemy import insert

    from core.db import make_engine
    from core.models import TelemetryReading

    rows = [[{"equipment_id": serials[r["serial"]], "metric": r["metric"], "ts": datetime.fromisoformat(r["ts"]), "value": r["value"]} for r in b] for b in data]
    engine = make_engine(url, **({} if url.startswith("sqlite") else {"pool_size": senders}))
    stmt = insert(TelemetryReading.__table__)
    async with engine.begin() as conn:  # connect once before timing, as the server's pool is warm
        await conn.exec_driver_sql("SELECT 1")
    queue = list(reversed(rows))

    async def writer() -> None:
        while queue:
            batch = queue.pop()
            async with engine.begin() as conn:
                await conn.execute(stmt, batch)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(senders)))
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return len(rows) * BATCH / elapsed


async def endpoint(base: str, key: str, data: list[list[dict[str, Any]]], senders: int) -> float:
    """FieldChat: the batches POSTed as a gateway would (aiohttp, keep-alive), `senders` at a time."""
    import aiohttp

    bodies = [json.dumps(b).encode() for b in data]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(base, headers=headers, connector=aiohttp.TCPConnector(limit=senders)) as client:
        async with client.post("/api/v1/telemetry", data=b"[]") as warm:
            assert warm.status == 200, await warm.text()
        queue = list(reversed(bodies))

        async def sender() -> None:
            while queue:
                async with client.post("/api/v1/telemetry", data=queue.pop()) as answer:
                    result = await answer.json()
                    assert answer.status == 200 and result["accepted"] == BATCH, (answer.status, str(result)[:300])

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        elapsed = time.perf_counter() - started
    return len(bodies) * BATCH / elapsed


async def wait_up(base: str, proc: asyncio.subprocess.Process) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(300):
            if proc.returncode is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not start")


async def measure(name: str, url: str) -> dict[str, float]:
    """Both sides at each sender count, alternating order; the best round of each side counts."""
    key, serials = await prepare(url)
    data = batches()
    port = free_port()
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, "--serve", url, str(port), cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, float] = {}
    try:
        await wait_up(base, proc)
        for mode, senders in MODES:
            best = {"fieldchat": 0.0, "bare": 0.0}
            for round_ in range(ROUNDS):
                order = ("bare", "fieldchat") if round_ % 2 == 0 else ("fieldchat", "bare")
                for side in order:
                    await empty(url)
                    rate = await (bare(url, data, serials, senders) if side == "bare" else endpoint(base, key, data, senders))
                    best[side] = max(best[side], rate)
                    print(f"  {name} {mode} round {round_ + 1} {side:<9} {rate:>10,.0f} readings/s", flush=True)
            share = best["fieldchat"] / best["bare"]
            print(f"{name} {mode} ({senders} at once): FieldChat {best['fieldchat']:,.0f}/s, bare insert {best['bare']:,.0f}/s → {share:.0%}", flush=True)
            figures |= {f"{mode}_fieldchat_per_s": round(best["fieldchat"]), f"{mode}_bare_per_s": round(best["bare"]), f"{mode}_share": round(share, 3)}
    finally:
        proc.terminate()
        await proc.wait()
    return figures


async def main() -> int:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="fieldchat-bench-") as tmp:
        backends = [("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"), ("postgresql", PG_URL)]
        for name, url in backends:
            if name == "postgresql":
                await ensure_database(url)
            print(f"{name}: {BATCHES} batches × {BATCH} readings, {ROUNDS} rounds per mode", flush=True)
            for k, v in (await measure(name, url)).items():
                figures[f"{name}_{k}"] = v
    targets = {f"{n}_{m}_share": f">= {TARGET}" for n in ("sqlite", "postgresql") for m, _ in MODES}
    ok = all(figures[k] >= TARGET for k in targets)
    print("BENCHMARK " + json.dumps({"name": "telemetry", "figures": figures, "targets": targets, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(asyncio.run(main()))
