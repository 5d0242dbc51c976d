"""The change-log reader: out-of-order commits (PostgreSQL sequences), pruning, floods."""

from __future__ import annotations

import re

import pytest

from core.search import changes
from core.search.changes import ChangeFeed, Rebuild


class Log:
    """The committed rows of search_changes, answering the feed's three SELECTs."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, int]] = []

    async def fetch(self, sql: str) -> list[tuple[object, ...]]:
        if sql.startswith("SELECT coalesce(max(id), 0)"):
            return [(max((r[0] for r in self.rows), default=0),)]
        if sql.startswith("SELECT min(id), max(id)"):
            ids = [r[0] for r in self.rows]
            return [(min(ids, default=None), max(ids, default=None))]
        hwm = int(re.search(r"id > (\d+)", sql).group(1))  # type: ignore[union-attr]
        gaps = {int(g) for g in re.findall(r"\d+", m.group(1))} if (m := re.search(r"IN \(([\d,]+)\)", sql)) else set()
        limit = int(re.search(r"LIMIT (\d+)", sql).group(1))  # type: ignore[union-attr]
        return [r for r in sorted(self.rows) if r[0] > hwm or r[0] in gaps][:limit]


async def test_a_late_commit_below_the_high_water_mark_is_still_seen():
    log, feed = Log(), ChangeFeed()
    await feed.start(log.fetch)
    log.rows += [(1, "customer", 10), (2, "customer", 11), (4, "contact", 12)]  # 3 is still in flight
    assert await feed.poll(log.fetch) == [("customer", 10), ("customer", 11), ("contact", 12)]
    assert feed.hwm == 4 and set(feed.gaps) == {3}
    log.rows.append((3, "product", 13))  # its transaction commits now
    assert await feed.poll(log.fetch) == [("product", 13)]
    assert feed.gaps == {} and await feed.poll(log.fetch) == []


async def test_gaps_are_forgotten_after_a_while(monkeypatch):
    log, feed = Log(), ChangeFeed()
    await feed.start(log.fetch)
    log.rows += [(1, "customer", 1), (3, "customer", 3)]
    await feed.poll(log.fetch)
    assert set(feed.gaps) == {2}
    feed.gaps[2] -= changes.GAP_TTL_S + 1  # rolled back long ago
    feed.checked_at = feed.gaps[2] + changes.GAP_TTL_S + 1
    await feed.poll(log.fetch)
    assert feed.gaps == {}


async def test_rebuild_when_the_log_cannot_tell(monkeypatch):
    log, feed = Log(), ChangeFeed()
    log.rows += [(i, "customer", i) for i in range(1, 11)]
    await feed.start(log.fetch)
    log.rows = [r for r in log.rows if r[0] > 5] + [(i, "customer", i) for i in range(11, 20)]
    feed.hwm = 2  # a worker that slept while the log was pruned past it
    feed.checked_at = 0.0
    with pytest.raises(Rebuild):
        await feed.poll(log.fetch)
    monkeypatch.setattr(changes, "MAX_BATCH", 3)
    await feed.start(log.fetch)
    log.rows += [(i, "customer", i) for i in range(20, 30)]
    with pytest.raises(Rebuild):
        await feed.poll(log.fetch)
