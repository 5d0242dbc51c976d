"""aiosqlite connections that run each SQLite call on the event loop's own thread.

aiosqlite hands every call (execute, fetch, commit, even reading a cursor's description)
to a per-connection thread and wakes the loop when it is done: about seven thread round
trips per ORM statement, which cost more than the statements themselves (a primary-key
lookup in a local file takes microseconds). These connections keep aiosqlite's API — and
so SQLAlchemy's aiosqlite dialect, unchanged — but call sqlite3 directly.

What the thread used to hide, handled here: a connection must never *wait* for SQLite's
write lock on the loop's thread (the holder may be another task of this same loop, which
could then never finish), so SQLite's own busy wait is off and a "database is locked"
answer is retried with an asyncio sleep instead, up to the configured busy timeout. Every
write transaction starts with BEGIN IMMEDIATE (core/db.py), the only statement that can
meet the lock, and it is safe to repeat. And the thread's hops used to give the loop a
turn between statements (a webhook waiting to be acknowledged); a connection now yields
once per statement batch itself (YIELD_AFTER_S).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import aiosqlite

FIRST_RETRY_S = 0.0005
LONGEST_RETRY_S = 0.02
YIELD_AFTER_S = 0.0005
"""A call made this long after this connection last gave the loop a turn gives it one first."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run inline; its thread only opens and closes it."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_timeout_s: float) -> None:
        super().__init__(connector, iter_chunk_size=256)
        self._thread.daemon = True  # as SQLAlchemy does for plain aiosqlite connections
        self.busy_timeout_s = busy_timeout_s
        self._ran_since = 0.0

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        deadline: float | None = None
        delay = FIRST_RETRY_S
        now = time.perf_counter()
        if now - self._ran_since > YIELD_AFTER_S:
            # Let the loop answer others (webhook acks) between statements of a long unit of work.
            await asyncio.sleep(0)
            self._ran_since = time.perf_counter()
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                now = time.monotonic()
                deadline = deadline if deadline is not None else now + self.busy_timeout_s
                if now >= deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, LONGEST_RETRY_S)


def inline_creator(database: str, busy_timeout_s: float) -> Callable[[], InlineConnection]:
    """For `create_async_engine(async_creator=…)`: one inline connection to `database` per call."""

    def connector() -> sqlite3.Connection:
        # Opened on aiosqlite's thread, used on the loop's: hence check_same_thread=False.
        # timeout=0: SQLite must answer "locked" at once; the wait is ours, asynchronous.
        return sqlite3.connect(database, timeout=0, check_same_thread=False, uri=database.startswith("file:"))

    def create() -> InlineConnection:
        return InlineConnection(connector, busy_timeout_s)

    return create
