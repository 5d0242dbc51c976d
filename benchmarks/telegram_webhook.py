"""Telegram updates through POST /telegram/webhook on loopback: FieldChat against the bare floor.

The floor is FastAPI + aiogram: the same secret check and Update parsing, then
`dp.feed_update` with a trivial handler that answers every message with one sendMessage.
FieldChat is `run.py serve` itself (identity, dialog state, update de-duplication, nearby
search, check-in written to the database, the customer 360, rendering, send limits). Both
talk to the same fake Bot API (tests/support/fake_telegram.py), which runs in this process
next to the load: 32 concurrent connections, each playing many bound Telegram users in
turn, alternating a check-in (a location → the nearby list; a tap on the nearest customer →
the check-in card, then the list edited to show the pick) and a lookup (`/c <name>` → the card;
from a user's second lookup on, the card shown before also loses its buttons). A turn counts when the webhook has
answered *and* every reply it causes has reached the fake, so throughput is work done, not
acknowledgements. The same run covers SQLite (a temporary file) and PostgreSQL (the
database in FIELDCHAT_BENCH_PG_URL, by default fieldchat_bench_telegram_webhook on 127.0.0.1, created when missing; its schema is rebuilt).

Also measured, on SQLite, as a diagnostic without a target: "replayed", FieldChat with the engine
answering every turn with the replies it gave the first turn of that kind
(benchmarks/telegram_replayed.py), i.e. the adapter's own share of the CPU per turn.

Figures: turns per second; webhook answer p50/p99 (what Telegram waits for); reply
p50/p99 (post → last reply at the Bot API); the server process's CPU milliseconds per turn
(steadier than the rest on a shared machine). Targets: FieldChat's turns/s at least 50 % of
the floor's, and FieldChat's webhook p99 under 50 ms, on both databases.
Condition: the fake Bot API has no flood control, so FieldChat's overall send limit is
raised to 100,000/s (FIELDCHAT_TELEGRAM_RATE_PER_SECOND) like the floor, which has none; the
per-chat limit stays at Telegram's (many users: a chat gets a turn every few seconds).

Run: `.venv/bin/python benchmarks/telegram_webhook.py` (about four minutes; no arguments).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pg_database import bench_pg_url, ensure_database  # noqa: E402
from tests.support.fake_telegram import TOKEN, FakeBotApi  # noqa: E402

CONNECTIONS = 32
USERS_PER_CONNECTION = 64
WARMUP_S = 3.0
MEASURE_S = 15.0
REPLY_TIMEOUT_S = 10.0
START_TIMEOUT_S = 90.0
SECRET = "bench-webhook-secret"
PG_URL = bench_pg_url("telegram_webhook")
TARGET_RATIO, TARGET_P99_MS = 0.5, 50.0
FIRST_USER_ID = 10_000_000
PROBE = -1
"""The user (index in Plan.users) whose turns count each kind's replies before the load."""
UPDATE_IDS = itertools.count(1)


# -- FieldChat as deployed (a subprocess) --------------------------------------------------------------
def fieldchat_env(db_url: str, api_url: str, port: int) -> dict[str, str]:
    return os.environ | {
        "FIELDCHAT_DATABASE_URL": db_url, "FIELDCHAT_DEMO": "false", "FIELDCHAT_SECRET_KEY": "bench-secret-key",
        "FIELDCHAT_PUBLIC_URL": f"http://127.0.0.1:{port}", "FIELDCHAT_TELEGRAM_TOKEN": TOKEN,
        "FIELDCHAT_TELEGRAM_API_URL": api_url, "FIELDCHAT_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "FIELDCHAT_TELEGRAM_RATE_PER_SECOND": "100000", "FIELDCHAT_NOTIFY_IN_PROCESS": "false",
        "FIELDCHAT_LOG_LEVEL": "WARNING", "FIELDCHAT_DEFAULT_LOCALE": "en",
    }


# -- the data: demo CRM plus bound Telegram users -------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    users: list[int]
    point: tuple[float, float]
    query: str


async def prepare(db_url: str) -> Plan:
    from sqlalchemy import select

    from core.db import make_engine, make_sessionmaker
    from core.demo.generate import load_demo
    from core.migrate import upgrade
    from core.models import ChatIdentity, Company, Customer, Role, User

    engine = make_engine(db_url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    await upgrade(engine)
    sessions = make_sessionmaker(engine)
    async with sessions() as s:
        await load_demo(s, timezone="Asia/Shanghai")
        await s.commit()
    async with sessions() as s:
        company = (await s.scalars(select(Company))).first()
        assert company is not None
        site = (await s.scalars(select(Customer).where(Customer.owner_id.is_(None), Customer.lat.is_not(None)).order_by(Customer.id))).first()
        assert site is not None and site.lat is not None and site.lon is not None
        ids = [FIRST_USER_ID + n for n in range(CONNECTIONS * USERS_PER_CONNECTION)]
        users = [User(company_id=company.id, login=f"tg{n}", name=f"销售{n}", name_en=f"Rep {n}", role=Role.REP, region="华东") for n in ids]
        s.add_all(users)
        await s.flush()
        s.add_all(ChatIdentity(platform="telegram", workspace="", external_user_id=str(n), chat_id=str(n), user_id=u.id) for n, u in zip(ids, users, strict=True))
        await s.commit()
        plan = Plan(ids, (site.lat + 0.0005, site.lon), site.name)
    await engine.dispose()
    return plan


# -- the load -------------------------------------------------------------------------------------------
class Replies(FakeBotApi):
    """The fake Bot API, telling each waiting user about the messages sent to its chat."""

    def __init__(self) -> None:
        super().__init__(record=False)
        self.inbox: dict[int, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)

    def _message(self, params: dict[str, Any], files: dict[str, tuple[str, int]], message_id: int | None = None) -> dict[str, Any]:
        message = super()._message(params, files, message_id)
        self.sent.clear()
        self.inbox[message["chat"]["id"]].put_nowait(message)
        return message


@dataclass
class Stats:
    turns: int = 0
    errors: int = 0
    server_cpu_s: float = 0.0
    """CPU time the server process used in the measured window (user + system)."""
    ack_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Load:
    def __init__(self, url: str, fake: Replies, plan: Plan, replies: dict[str, int], server_pid: int = 0) -> None:
        self.url, self.fake, self.plan, self.expect, self.server_pid = url, fake, plan, replies, server_pid
        self.stats = Stats()
        self.measuring = False
        self.update_id = 0
        self.looked_up = {plan.users[PROBE]}
        """Users whose next lookup shows the customer again (FieldChat then takes the buttons off
        the card shown before: one more call to wait for). The calibration's probe has looked up."""

    def _update(self, uid: int, **kind: Any) -> dict[str, Any]:
        self.update_id = next(UPDATE_IDS)  # unique for the whole run: FieldChat drops a repeated update_id
        return {"update_id": self.update_id, **kind}

    def _message(self, uid: int, **content: Any) -> dict[str, Any]:
        user = {"id": uid, "is_bot": False, "first_name": "Rep", "language_code": "en"}
        chat = {"id": uid, "type": "private", "first_name": "Rep"}
        return self._update(uid, message={"message_id": self.update_id, "from": user, "chat": chat, "date": int(time.time()), **content})

    async def turn(self, http: aiohttp.ClientSession, uid: int, body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
        started = time.perf_counter()
        async with http.post(self.url, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            await response.read()
            ok = response.status == 200
        answered = time.perf_counter()
        got: list[dict[str, Any]] = []
        try:
            for _ in range(self.expect[kind]):
                got.append(await asyncio.wait_for(self.fake.inbox[uid].get(), REPLY_TIMEOUT_S))
        except TimeoutError:
            ok = False
        if self.measuring:
            if ok:
                self.stats.turns += 1
                self.stats.ack_ms.append((answered - started) * 1000)
                self.stats.reply_ms.append((time.perf_counter() - started) * 1000)
            else:
                self.stats.errors += 1
        return got

    async def check_in(self, http: aiohttp.ClientSession, uid: int) -> None:
        lat, lon = self.plan.point
        listed = await self.turn(http, uid, self._message(uid, location={"latitude": lat, "longitude": lon, "horizontal_accuracy": 10}), "locate")
        if not listed:
            return
        keyboard = (listed[-1].get("reply_markup") or {}).get("inline_keyboard") or [[{"callback_data": "pick"}]]
        user = {"id": uid, "is_bot": False, "first_name": "Rep", "language_code": "en"}
        query = {"id": str(self.update_id), "from": user, "message": listed[-1], "chat_instance": "1", "data": keyboard[0][0]["callback_data"]}
        await self.turn(http, uid, self._update(uid, callback_query=query), "pick")

    async def lookup(self, http: aiohttp.ClientSession, uid: int) -> None:
        kind = "lookup_again" if uid in self.looked_up else "lookup"
        self.looked_up.add(uid)
        await self.turn(http, uid, self._message(uid, text=f"/c {self.plan.query}", entities=[{"offset": 0, "length": 2, "type": "bot_command"}]), kind)

    async def worker(self, http: aiohttp.ClientSession, slot: int, until: float) -> None:
        users = self.plan.users[slot::CONNECTIONS]
        n = 0
        while time.perf_counter() < until:
            uid = users[n % len(users)]
            await (self.check_in(http, uid) if n % 2 == 0 else self.lookup(http, uid))
            n += 1

    async def run(self) -> tuple[Stats, float]:
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        async with aiohttp.ClientSession(connector=connector) as http:
            start = time.perf_counter()
            until = start + WARMUP_S + MEASURE_S
            tasks = [asyncio.create_task(self.worker(http, slot, until)) for slot in range(CONNECTIONS)]
            await asyncio.sleep(WARMUP_S)
            self.measuring = True
            measured_from, cpu_from = time.perf_counter(), cpu_seconds(self.server_pid)
            await asyncio.sleep(MEASURE_S)
            self.measuring = False
            elapsed = time.perf_counter() - measured_from
            self.stats.server_cpu_s = cpu_seconds(self.server_pid) - cpu_from
            await asyncio.gather(*tasks)
        return self.stats, elapsed


async def calibrate(url: str, fake: Replies, plan: Plan) -> dict[str, int]:
    """How many messages each kind of turn sends (counted once, with a pause), so waits are exact."""
    probe = Load(url, fake, plan, dict.fromkeys(("locate", "pick", "lookup", "lookup_again"), 0))
    uid = plan.users[PROBE]
    counts: dict[str, int] = {}
    async with aiohttp.ClientSession() as http:
        for kind, body in (("locate", probe._message(uid, location={"latitude": plan.point[0], "longitude": plan.point[1]})),
                           ("lookup", probe._message(uid, text=f"/c {plan.query}")),
                           ("lookup_again", probe._message(uid, text=f"/c {plan.query}"))):
            await probe.turn(http, uid, body, kind)
            await asyncio.sleep(1.5)
            counts[kind] = fake.inbox[uid].qsize()
            messages = [fake.inbox[uid].get_nowait() for _ in range(counts[kind])]
            if kind == "locate":
                data = messages[-1].get("reply_markup", {}).get("inline_keyboard", [[{"callback_data": "pick"}]])[0][0]["callback_data"]
                user = {"id": uid, "is_bot": False, "first_name": "Rep"}
                query = {"id": "0", "from": user, "message": messages[-1], "chat_instance": "1", "data": data}
                await probe.turn(http, uid, probe._update(uid, callback_query=query), "pick")
                await asyncio.sleep(1.5)
                counts["pick"] = fake.inbox[uid].qsize()
                for _ in range(counts["pick"]):
                    fake.inbox[uid].get_nowait()
    return counts


# -- orchestration --------------------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + START_TIMEOUT_S
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("server did not start")


def start_server(system: str, db_url: str, api_url: str, port: int) -> subprocess.Popen[bytes]:
    """The floor (benchmarks/telegram_floor.py), FieldChat exactly as deployed (`run.py serve`), or
    FieldChat with canned answers (benchmarks/telegram_replayed.py: the adapter path alone)."""
    if system == "floor":
        return subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "telegram_floor.py"), str(port), api_url, SECRET], cwd=ROOT)
    script = ROOT / ("benchmarks/telegram_replayed.py" if system == "replayed" else "run.py")
    command = [sys.executable, str(script), "serve", "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=fieldchat_env(db_url, api_url, port))


async def measure(system: str, db_url: str, plan: Plan, fake: Replies) -> tuple[Stats, float, dict[str, int]]:
    port = free_port()
    proc = start_server(system, db_url, fake.url, port)
    try:
        await wait_ready(port, proc)
        await asyncio.sleep(1.0)  # FieldChat registers its webhook and commands right after start
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        expect = await calibrate(url, fake, plan)
        stats, elapsed = await Load(url, fake, plan, expect, proc.pid).run()
        return stats, elapsed, expect
    finally:
        proc.terminate()  # waited for off the loop: the fake Bot API here answers the server's last calls as it stops
        await asyncio.to_thread(proc.wait, 30)


def row(db: str, system: str, stats: Stats, elapsed: float) -> dict[str, float]:
    tps = stats.turns / elapsed
    cpu_ms = stats.server_cpu_s * 1000 / max(stats.turns, 1)
    figures = {"turns_per_s": round(tps, 1), "server_cpu_ms_per_turn": round(cpu_ms, 2), "ack_p50_ms": round(pct(stats.ack_ms, 0.5), 1), "ack_p99_ms": round(pct(stats.ack_ms, 0.99), 1),
               "reply_p50_ms": round(pct(stats.reply_ms, 0.5), 1), "reply_p99_ms": round(pct(stats.reply_ms, 0.99), 1), "errors": stats.errors}
    print(f"{db:<10} {system:<10} {tps:>8.1f} {figures['ack_p50_ms']:>8.1f} {figures['ack_p99_ms']:>8.1f}"
          f" {figures['reply_p50_ms']:>9.1f} {figures['reply_p99_ms']:>9.1f} {cpu_ms:>8.2f} {stats.errors:>6}", flush=True)
    return figures


async def bench() -> int:
    fake = Replies()
    await fake.start()
    tmp = tempfile.mkdtemp(prefix="fieldchat-bench-tg-")
    databases = {"sqlite": f"sqlite+aiosqlite:///{tmp}/bench.db", "postgres": PG_URL}
    print(f"Telegram webhook: {CONNECTIONS} connections, {CONNECTIONS * USERS_PER_CONNECTION} bound users, "
          f"{MEASURE_S:.0f} s measured after {WARMUP_S:.0f} s warm-up; a turn = webhook answered + its replies at the Bot API")
    print(f"{'database':<10} {'system':<10} {'turns/s':>8} {'ack p50':>8} {'ack p99':>8} {'reply p50':>9} {'reply p99':>9} {'cpu/turn':>8} {'errors':>6}")
    figures: dict[str, Any] = {}
    ok = True
    for db, url in databases.items():
        try:
            if url.startswith("postgresql"):
                await ensure_database(url)
            plan = await prepare(url)
        except Exception as exc:  # e.g. PostgreSQL not running: reported, and the run fails
            print(f"{db:<10} unavailable: {exc}")
            figures[f"{db}_unavailable"] = True
            ok = False
            continue
        results = {}
        for system in ("floor", "fieldchat", *(("replayed",) if db == "sqlite" else ())):
            stats, elapsed, expect = await measure(system, url, plan, fake)
            results[system] = row(db, system, stats, elapsed)
            figures[f"{db}_{system}"] = results[system] | {"replies_per_turn": expect}
        ratio = results["fieldchat"]["turns_per_s"] / max(results["floor"]["turns_per_s"], 1e-9)
        figures[f"{db}_throughput_ratio"] = round(ratio, 3)
        print(f"{db:<10} ratio FieldChat / floor: {ratio:.2f}  (FieldChat webhook p99 {results['fieldchat']['ack_p99_ms']} ms)", flush=True)
        if "replayed" in results:
            whole, adapter = results["fieldchat"]["server_cpu_ms_per_turn"], results["replayed"]["server_cpu_ms_per_turn"]
            print(f"{db:<10} FieldChat's CPU per turn {whole:.2f} ms: the Telegram path with canned answers {adapter:.2f} ms "
                  f"(the floor {results['floor']['server_cpu_ms_per_turn']:.2f} ms), the CRM turn {whole - adapter:.2f} ms", flush=True)
        ok = ok and ratio >= TARGET_RATIO and results["fieldchat"]["ack_p99_ms"] < TARGET_P99_MS
        ok = ok and all(r["errors"] == 0 for r in results.values())
    await fake.stop()
    targets = {"throughput_ratio_min": TARGET_RATIO, "fieldchat_webhook_p99_ms_max": TARGET_P99_MS, "connections": CONNECTIONS}
    print("BENCHMARK " + json.dumps({"name": "telegram_webhook", "figures": figures, "targets": targets, "ok": ok}, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(bench()))
