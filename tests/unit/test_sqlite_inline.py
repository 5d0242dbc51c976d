"""SQLite calls made on the event loop's thread: a unit of work waiting for the write lock must
let the loop run (the holder may be another task of the same loop), give up after the busy
timeout, and long units of work must let other tasks in between statements."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_engine
from core.sqlite_inline import InlineConnection


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE marks (who TEXT, at REAL)"))
    yield engine
    await engine.dispose()


class Ticker:
    """Counts how often the loop ran something else."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(0.005)

    def stop(self) -> None:
        self._task.cancel()


async def test_connections_are_inline_and_keep_foreign_keys_and_wal(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineConnection)
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 0


async def test_a_writer_waits_for_another_task_of_the_same_loop_without_blocking_it(engine: AsyncEngine) -> None:
    holder_in = asyncio.Event()
    ticker = Ticker()

    async def holder() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO marks VALUES ('holder', :at)"), {"at": time.monotonic()})
            holder_in.set()
            await asyncio.sleep(0.3)  # holds SQLite's write lock while the loop runs other tasks

    async def second() -> float:
        await holder_in.wait()
        ticks_before = ticker.ticks
        async with engine.begin() as conn:  # BEGIN IMMEDIATE: "locked" until the holder commits
            waited_ticks = ticker.ticks - ticks_before
            await conn.execute(text("INSERT INTO marks VALUES ('second', :at)"), {"at": time.monotonic()})
        return waited_ticks

    _, waited_ticks = await asyncio.wait_for(asyncio.gather(holder(), second()), timeout=10)
    ticker.stop()
    assert waited_ticks >= 10  # the loop kept running while the second writer waited
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT who FROM marks ORDER BY at"))).scalars().all()
    assert rows == ["holder", "second"]


async def test_waiting_for_the_lock_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    from core import db

    url = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    original = db.SQLITE_BUSY_TIMEOUT_S
    db.SQLITE_BUSY_TIMEOUT_S = 0.2
    try:
        engine = make_engine(url)
    finally:
        db.SQLITE_BUSY_TIMEOUT_S = original
    other_process = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    other_process.execute("PRAGMA journal_mode=WAL")
    other_process.execute("CREATE TABLE t (x INTEGER)")
    other_process.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (1)"))
        assert 0.15 < time.monotonic() - started < 5
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()
        await engine.dispose()


async def test_a_long_unit_of_work_lets_other_tasks_in_between_statements(engine: AsyncEngine) -> None:
    ticker = Ticker()
    async with engine.begin() as conn:
        ticks_before = ticker.ticks
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:  # 200 ms of statements, none awaiting any I/O
            await conn.execute(text("INSERT INTO marks VALUES ('bulk', 0)"))
        ran_meanwhile = ticker.ticks - ticks_before
    ticker.stop()
    assert ran_meanwhile >= 10
