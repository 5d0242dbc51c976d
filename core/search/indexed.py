"""The search FieldChat runs: in-process indexes per worker, rebuilt on start, kept current
through the database's change log, answering in milliseconds at 100,000s of customers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict

import numpy as np
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.db import snapshot
from core.geo import Point
from core.models import Contact, Customer, Product
from core.models.search import SearchChange
from core.permissions import Scope
from core.search import ContactHit, CustomerHit, ProductHit
from core.search.access import NO_ID, readable
from core.search.changes import KEEP_ROWS, ChangeFeed, Rebuild, log_reader
from core.search.geoindex import approx_m, nearest
from core.search.grams import I32
from core.search.hits import customer_hits, load, owner_names
from core.search.matcher import CANDIDATES, Query, Tiebreak, match, parse_query
from core.search.mentions import ProductCatalog
from core.search.normalize import parse
from core.search.tables import ContactTable, CustomerTable, ProductTable, Table
from core.search.textindex import F64

log = logging.getLogger(__name__)
VIA_CONTACT = 0.98
"""A customer found through one of its contacts ranks just below one found by its own name."""


class IndexedSearch:
    def __init__(self, engine: AsyncEngine, *, refresh_ms: float = 0.0, candidates: int = CANDIDATES) -> None:
        self.engine = engine
        self.refresh_s = refresh_ms / 1000
        self.candidates = candidates
        self.customers, self.contacts, self.products = CustomerTable(), ContactTable(), ProductTable()
        self.tables: dict[str, Table] = {t.kind: t for t in (self.customers, self.contacts, self.products)}
        self.feed = ChangeFeed()
        self.read_log = log_reader(engine)
        self.built = False
        self._polled = 0.0
        self._probe_in_turn = engine.dialect.name == "postgresql"
        """On PostgreSQL the log reader takes a pooled connection (checkout, ping, BEGIN, SELECT,
        ROLLBACK); the caller's open connection first asks whether anything is unread at all.
        On SQLite the WAL reader costs microseconds, less than that question."""
        self._lock = asyncio.Lock()

    # -- freshness ----------------------------------------------------------------
    async def warm(self, *, prune: bool = True) -> float:
        """Build every index now (start-up); returns the seconds it took."""
        started = time.perf_counter()
        async with self._lock:
            await self._rebuild()
        if prune:
            await self._prune()
        return time.perf_counter() - started

    async def _rebuild(self) -> None:
        await self.feed.start(self.read_log)
        async with snapshot(self.engine) as conn:
            for table in self.tables.values():
                await table.load(conn)
        self.built, self._polled = True, time.monotonic()
        log.info("search index built: %d customers, %d contacts, %d products",
                 self.customers.index.live, self.contacts.index.live, self.products.index.live)

    async def _prune(self) -> None:
        async with self.engine.begin() as conn:
            top = await conn.scalar(select(func.max(SearchChange.id)))
            if top is not None and top > KEEP_ROWS:
                await conn.execute(delete(SearchChange).where(SearchChange.id <= top - KEEP_ROWS))

    async def refresh(self, session: AsyncSession | None = None) -> None:
        """Apply what other workers (or SQL) changed; cheap when nothing did. `session`: the
        caller's, open anyway (its reads see every committed change, and its own)."""
        if self.built and time.monotonic() - self._polled < self.refresh_s:
            return
        if self.built and session is not None and self._probe_in_turn and await self._nothing_unread(session):
            return
        async with self._lock:
            if not self.built:
                await self._rebuild()
                return
            try:
                changes = await self.feed.poll(self.read_log)
                if changes:
                    await self._apply(changes)
            except Rebuild as why:
                log.info("search index rebuild: %s", why)
                await self._rebuild()
            self._polled = time.monotonic()

    async def _nothing_unread(self, session: AsyncSession) -> bool:
        sql = self.feed.probe()
        return sql is not None and (await session.execute(text(sql))).first() is None

    async def _apply(self, changes: list[tuple[str, int]]) -> None:
        by_kind: dict[str, set[int]] = defaultdict(set)
        for kind, entity in changes:
            by_kind[kind].add(entity)
        async with snapshot(self.engine) as conn:
            for kind, ids in by_kind.items():
                if kind in self.tables:
                    await self.tables[kind].apply(conn, ids)

    # -- customers -------------------------------------------------------------------
    async def search(
        self, session: AsyncSession, *, scope: Scope, query: str, limit: int = 8, near: Point | None = None
    ) -> list[CustomerHit]:
        parsed = parse_query(query)
        if parsed is None:
            return []
        await self.refresh(session)
        ranked = self.rank(parsed, near=near, scope=scope)
        return await customer_hits(self, session, scope, ranked, limit=limit, near=near)

    def rank(self, query: Query, *, near: Point | None = None, scope: Scope | None = None) -> list[tuple[int, float, str | None]]:
        """(customer slot, score, matching contact's name) best first: quality, then the customers
        `scope` may open before those it may not (a rep acts on their own), then closeness, then recency."""
        ix = self.customers.index
        found: dict[int, tuple[float, str | None]] = {slot: (score, None) for slot, score in match(ix, query, tiebreak=self._tiebreak(near), candidates=self.candidates).items()}
        for slot, score in match(self.contacts.index, query, candidates=self.candidates).items():
            customer_slot = ix.slot_of(int(self.contacts.index.cols["customer"][slot]))
            if customer_slot is not None and score * VIA_CONTACT > found.get(customer_slot, (0.0, None))[0]:
                found[customer_slot] = (score * VIA_CONTACT, parse(self.contacts.index.texts[slot]).names[0])
        slots = np.fromiter(found, dtype=np.int32, count=len(found))
        far = self._distance(near, slots) if near is not None else np.zeros(len(slots))
        recent = ix.cols["recent"][slots]
        closed = np.zeros(len(slots), dtype=bool) if scope is None else ~readable(scope, *(ix.cols[c][slots] for c in ("entity", "owner", "parent")))  # type: ignore[arg-type]
        order = sorted(range(len(slots)), key=lambda i: (-round(found[int(slots[i])][0]), closed[i], far[i], -recent[i]))
        return [(int(slots[i]), *found[int(slots[i])]) for i in order]

    def _tiebreak(self, near: Point | None) -> Tiebreak:
        ix = self.customers.index

        def closeness_then_recency(slots: I32) -> F64:
            recency = ix.cols["recent"][slots] / 4e9
            if near is None:
                return np.asarray(recency, dtype=np.float64)
            return np.asarray(0.9 / (1 + self._distance(near, slots) / 1000) + 0.1 * recency, dtype=np.float64)

        return closeness_then_recency

    def _distance(self, near: Point | None, slots: I32) -> F64:
        assert near is not None
        ix = self.customers.index
        far = approx_m(near, ix.cols["lat"][slots], ix.cols["lon"][slots])  # type: ignore[arg-type]
        return np.where(np.isfinite(far), far, np.inf)

    async def nearby(
        self,
        session: AsyncSession,
        *,
        scope: Scope,
        point: Point,
        radius_m: float,
        pool_only: bool = False,
        limit: int = 10,
    ) -> list[CustomerHit]:
        await self.refresh(session)
        ix, lat, lon = self.customers.index, self.customers.index.cols["lat"], self.customers.index.cols["lon"]
        slots = self.customers.grid.in_box(point, radius_m, lat, lon, ix.size)  # type: ignore[arg-type]
        slots = slots[ix.alive[slots]]
        mask = readable(scope, ix.cols["entity"][slots], ix.cols["owner"][slots], ix.cols["parent"][slots])  # type: ignore[arg-type]
        if pool_only:
            mask &= ix.cols["owner"][slots] == NO_ID
        found = nearest(point, radius_m, slots[mask], lat, lon, limit)  # type: ignore[arg-type]
        ranked: list[tuple[int, float, str | None]] = [(slot, 100.0, None) for slot, _ in found]
        hits = await customer_hits(self, session, scope, ranked, limit=limit, near=point, known=dict(found))
        return [h for h in hits if h.visible and h.distance_m is not None and h.distance_m <= radius_m]

    async def similar_customers(self, session: AsyncSession, *, query: str, limit: int = 20) -> list[Customer]:
        parsed = parse_query(query)
        if parsed is None:
            return []
        await self.refresh(session)
        ix = self.customers.index
        ranked = sorted(match(ix, parsed, candidates=self.candidates).items(), key=lambda kv: -kv[1])[:limit]
        rows = await load(session, Customer, [int(ix.cols["entity"][s]) for s, _ in ranked])
        return list(rows.values())

    # -- contacts and products -------------------------------------------------------------
    async def search_contacts(
        self, session: AsyncSession, *, scope: Scope, query: str, limit: int = 8
    ) -> list[ContactHit]:
        parsed = parse_query(query)
        if parsed is None:
            return []
        await self.refresh(session)
        ix = self.contacts.index
        ranked = sorted(match(ix, parsed, candidates=self.candidates).items(), key=lambda kv: -kv[1])[:limit]
        contacts = await load(session, Contact, [int(ix.cols["entity"][s]) for s, _ in ranked])
        customers = await load(session, Customer, [c.customer_id for c in contacts.values()])
        owners = await owner_names(session, {c.owner_id for c in customers.values() if c.owner_id})
        hits = []
        for slot, score in ranked:
            contact = contacts.get(int(ix.cols["entity"][slot]))
            customer = customers.get(contact.customer_id) if contact else None
            if contact is not None and customer is not None:
                owner = owners.get(customer.owner_id) if customer.owner_id else None
                hits.append(ContactHit(contact, customer, score, scope.can_read_customer(customer), owner))
        return hits

    async def product_catalog(self) -> ProductCatalog:
        """The product index as it is now, for matching every line of a message without the database."""
        await self.refresh()
        return ProductCatalog(self.products.index, candidates=self.candidates)

    async def search_products(
        self, session: AsyncSession, *, query: str, limit: int = 8, include_inactive: bool = False
    ) -> list[ProductHit]:
        parsed = parse_query(query)
        if parsed is None:
            return []
        await self.refresh(session)
        ix = self.products.index
        found = match(ix, parsed, candidates=self.candidates)
        ranked = sorted(
            ((s, q) for s, q in found.items() if include_inactive or ix.cols["active"][s]), key=lambda kv: (-round(kv[1]), kv[0])
        )[:limit]
        products = await load(session, Product, [int(ix.cols["entity"][s]) for s, _ in ranked])
        hits = [ProductHit(products[pid], q) for s, q in ranked if (pid := int(ix.cols["entity"][s])) in products]
        return [h for h in hits if include_inactive or h.product.active]
