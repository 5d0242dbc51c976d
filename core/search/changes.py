"""Reading the search change log that database triggers fill (see migration 0003_search).

A worker remembers the highest change id it applied. On PostgreSQL ids come from a
sequence, so a transaction that took id 10 may commit after one that took id 11: ids
missing below the high-water mark are kept as *gaps* and asked for again for a while.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.models.search import SearchChange

GAP_TTL_S = 120.0
"""How long a missing id is waited for (a transaction still open, or rolled back)."""
MAX_BATCH = 5_000
"""More changes than this at once: rebuild instead of applying them one by one."""
MAX_GAPS = 1_000
SANITY_EVERY_S = 60.0
KEEP_ROWS = 100_000
"""Rows kept when the log is pruned at start-up."""


class Rebuild(Exception):
    """The log cannot say what changed (pruned past us, truncated, too much): rebuild."""


@dataclass
class ChangeFeed:
    hwm: int = 0
    gaps: dict[int, float] = field(default_factory=dict)
    checked_at: float = 0.0

    async def start(self, conn: AsyncConnection) -> None:
        """Remember where the log stands before the index reads the tables."""
        self.hwm = int(await conn.scalar(select(func.coalesce(func.max(SearchChange.id), 0))) or 0)
        self.gaps.clear()
        self.checked_at = time.monotonic()

    async def poll(self, conn: AsyncConnection) -> list[tuple[str, int]]:
        """(kind, entity id) changed since the last poll; raises Rebuild when that is unknowable."""
        now = time.monotonic()
        if now - self.checked_at > SANITY_EVERY_S:
            await self._sanity(conn)
        self.checked_at = now
        self.gaps = {gid: t for gid, t in self.gaps.items() if now - t < GAP_TTL_S}
        cond = SearchChange.id > self.hwm
        if self.gaps:
            cond = or_(cond, SearchChange.id.in_(list(self.gaps)))
        stmt = select(SearchChange.id, SearchChange.kind, SearchChange.entity_id).where(cond).order_by(SearchChange.id)
        rows = (await conn.execute(stmt.limit(MAX_BATCH + 1))).all()
        if len(rows) > MAX_BATCH:
            raise Rebuild("too many changes")
        seen = [r[0] for r in rows]
        for gid in seen:
            self.gaps.pop(gid, None)
        fresh = [gid for gid in seen if gid > self.hwm]
        if fresh:
            expected = set(range(self.hwm + 1, fresh[-1] + 1))
            missing = expected.difference(fresh)
            if len(missing) + len(self.gaps) > MAX_GAPS:
                raise Rebuild("too many gaps")
            self.gaps.update(dict.fromkeys(missing, now))
            self.hwm = fresh[-1]
        return [(kind, int(entity)) for _, kind, entity in rows]

    async def _sanity(self, conn: AsyncConnection) -> None:
        low, high = (await conn.execute(select(func.min(SearchChange.id), func.max(SearchChange.id)))).one()
        if high is not None and high < self.hwm:
            raise Rebuild("log restarted")
        if high is None and self.hwm > 0:
            raise Rebuild("log emptied")
        if low is not None and low > self.hwm + 1:
            raise Rebuild("log pruned past this worker")
