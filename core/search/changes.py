"""Reading the search change log that database triggers fill (see migration 0003_search).

A worker remembers the highest change id it applied. On PostgreSQL ids come from a
sequence, so a transaction that took id 10 may commit after one that took id 11: ids
missing below the high-water mark are kept as *gaps* and asked for again for a while.

The log is read before every search, so the read must be cheap: on SQLite through a plain
`sqlite3` connection in WAL reader mode (a few microseconds, no thread hop, never waiting
for a writer, committed rows only); on PostgreSQL through a pooled connection of its own.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import snapshot

GAP_TTL_S = 120.0
"""How long a missing id is waited for (a transaction still open, or rolled back)."""
MAX_BATCH = 5_000
"""More changes than this at once: rebuild instead of applying them one by one."""
MAX_GAPS = 1_000
SANITY_EVERY_S = 60.0
KEEP_ROWS = 100_000
"""Rows kept when the log is pruned at start-up."""

Fetch = Callable[[str], Awaitable[Sequence[Sequence[Any]]]]
"""Runs one SELECT (integer literals only, never user input) and returns its rows."""


class Rebuild(Exception):
    """The log cannot say what changed (pruned past us, truncated, too much): rebuild."""


def log_reader(engine: AsyncEngine) -> Fetch:
    """The cheapest committed-only reader of the log for this database."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return _SqliteReader(url.database).fetch

    async def fetch(sql: str) -> Sequence[Sequence[Any]]:
        async with snapshot(engine) as conn:
            return (await conn.execute(text(sql))).all()

    return fetch


class _SqliteReader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None

    async def fetch(self, sql: str) -> Sequence[Sequence[Any]]:
        if self.conn is None:
            self.conn = sqlite3.connect(self.path, timeout=1.0, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA query_only = ON")
        return self.conn.execute(sql).fetchall()


@dataclass
class ChangeFeed:
    hwm: int = 0
    gaps: dict[int, float] = field(default_factory=dict)
    checked_at: float = 0.0

    async def start(self, fetch: Fetch) -> None:
        """Remember where the log stands before the index reads the tables."""
        self.hwm = int((await fetch("SELECT coalesce(max(id), 0) FROM search_changes"))[0][0])
        self.gaps.clear()
        self.checked_at = time.monotonic()

    async def poll(self, fetch: Fetch) -> list[tuple[str, int]]:
        """(kind, entity id) changed since the last poll; raises Rebuild when that is unknowable."""
        now = time.monotonic()
        if now - self.checked_at > SANITY_EVERY_S:
            await self._sanity(fetch)
        self.checked_at = now
        self.gaps = {gid: t for gid, t in self.gaps.items() if now - t < GAP_TTL_S}
        rows = await fetch(f"SELECT id, kind, entity_id FROM search_changes WHERE {self._unread()} ORDER BY id LIMIT {MAX_BATCH + 1}")
        if len(rows) > MAX_BATCH:
            raise Rebuild("too many changes")
        seen = [int(r[0]) for r in rows]
        for gid in seen:
            self.gaps.pop(gid, None)
        fresh = [gid for gid in seen if gid > self.hwm]
        if fresh:
            missing = set(range(self.hwm + 1, fresh[-1] + 1)).difference(fresh)
            if len(missing) + len(self.gaps) > MAX_GAPS:
                raise Rebuild("too many gaps")
            self.gaps.update(dict.fromkeys(missing, now))
            self.hwm = fresh[-1]
        return [(str(kind), int(entity)) for _, kind, entity in rows]

    def probe(self) -> str | None:
        """A SELECT that returns a row if a poll would find anything, for a connection that is
        open anyway; None when a poll is due regardless (the periodic sanity check)."""
        if time.monotonic() - self.checked_at > SANITY_EVERY_S:
            return None
        return f"SELECT 1 FROM search_changes WHERE {self._unread()} LIMIT 1"

    def _unread(self) -> str:
        cond = f"id > {int(self.hwm)}"
        if self.gaps:
            cond += f" OR id IN ({','.join(str(int(g)) for g in self.gaps)})"
        return cond

    async def _sanity(self, fetch: Fetch) -> None:
        low, high = (await fetch("SELECT min(id), max(id) FROM search_changes"))[0]
        if high is not None and high < self.hwm:
            raise Rebuild("log restarted")
        if high is None and self.hwm > 0:
            raise Rebuild("log emptied")
        if low is not None and low > self.hwm + 1:
            raise Rebuild("log pruned past this worker")
