"""What each index holds and how it is read from the database: customers (with owner,
parent, position and last contact for access rules, nearby and ranking), contacts (with
their customer) and products (with their active flag)."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.models import Contact, Customer, Product
from core.search.access import NO_ID
from core.search.geoindex import GeoGrid
from core.search.normalize import search_text
from core.search.textindex import TextIndex

Rows = Select[*tuple[Any, ...]]
COMPACT_AT = 0.05
"""Fold the delta into the main arrays once it holds this share of the live records."""
MIN_COMPACT = 2_000
LOAD_CHUNK = 10_000


def _id(value: int | None) -> int:
    return NO_ID if value is None else int(value)


def _float(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _stamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


class Table(ABC):
    """One kind of record in one TextIndex; subclasses say which columns and how to read them."""

    kind = ""
    columns: dict[str, Any] = {}

    def __init__(self) -> None:
        self.index = TextIndex(self.columns)

    @abstractmethod
    def statement(self) -> Rows:
        """The rows to index: id, search_text, then the index columns."""

    @abstractmethod
    def values(self, row: Sequence[Any]) -> dict[str, float]:
        """Index columns of one row (after id and search_text)."""

    @abstractmethod
    async def missing_texts(self, conn: AsyncConnection, ids: list[int]) -> dict[int, str]:
        """Forms for rows written without them (bulk SQL imports): computed here, once."""

    async def load(self, conn: AsyncConnection) -> None:
        """Read every row in chunks (few live Python objects at a time) and rebuild the index."""
        texts: list[str] = []
        parts: dict[str, list[Any]] = {name: [] for name in ("entity", *self.columns)}
        result = await conn.stream(self.statement())
        async for chunk in result.partitions(LOAD_CHUNK):
            texts += await self._texts(conn, chunk)
            parts["entity"].append(np.fromiter((r[0] for r in chunk), np.int64, len(chunk)))
            values = [self.values(r) for r in chunk]
            for name, dtype in self.columns.items():
                parts[name].append(np.fromiter((v[name] for v in values), dtype, len(values)))
        columns = {name: np.concatenate(arrays) if arrays else np.empty(0) for name, arrays in parts.items()}
        self.index.rebuild(texts, columns)
        self.after_rebuild()

    async def apply(self, conn: AsyncConnection, ids: set[int]) -> None:
        """Bring these records up to date (re-read, or drop when deleted)."""
        id_col = self.statement().selected_columns[0]
        rows = (await conn.execute(self.statement().where(id_col.in_(ids)))).all()
        texts = await self._texts(conn, rows)
        for row, text in zip(rows, texts, strict=True):
            self.index.upsert(int(row[0]), text, **self.values(row))
        for gone in ids.difference(int(r[0]) for r in rows):
            self.index.remove(gone)
        if self.index.delta > max(MIN_COMPACT, COMPACT_AT * self.index.live):
            self.compact()

    def compact(self) -> None:
        ix = self.index
        live = np.flatnonzero(ix.alive[: ix.size])
        texts = [ix.texts[s] for s in live.tolist()]
        ix.rebuild(texts, {name: col[live] for name, col in ix.cols.items()})
        self.after_rebuild()

    def after_rebuild(self) -> None:
        """Hook for structures derived from the columns (the customers' grid); none by default."""
        return None

    async def _texts(self, conn: AsyncConnection, rows: Sequence[Sequence[Any]]) -> list[str]:
        empty = [int(r[0]) for r in rows if not r[1]]
        filled = await self.missing_texts(conn, empty) if empty else {}
        return [r[1] or filled.get(int(r[0]), "") for r in rows]


class CustomerTable(Table):
    kind = "customer"
    columns = {"owner": np.int64, "parent": np.int64, "lat": np.float64, "lon": np.float64, "recent": np.float64}

    def __init__(self) -> None:
        super().__init__()
        self.grid = GeoGrid()

    def statement(self) -> Rows:
        c = Customer
        return select(c.id, c.search_text, c.owner_id, c.parent_id, c.lat, c.lon, c.last_contact_at)

    def values(self, row: Sequence[Any]) -> dict[str, float]:
        return {"owner": _id(row[2]), "parent": _id(row[3]), "lat": _float(row[4]), "lon": _float(row[5]), "recent": _stamp(row[6])}

    def after_rebuild(self) -> None:
        ix = self.index
        self.grid.rebuild(ix.cols["lat"], ix.cols["lon"], ix.size)  # type: ignore[arg-type]

    async def missing_texts(self, conn: AsyncConnection, ids: list[int]) -> dict[int, str]:
        c = Customer
        rows = await conn.execute(select(c.id, c.name, c.name_en, c.aliases, c.code, c.phone).where(c.id.in_(ids)))
        phones: dict[int, list[str | None]] = {}
        for cid, phone, mobile in await conn.execute(
            select(Contact.customer_id, Contact.phone, Contact.mobile).where(Contact.customer_id.in_(ids))
        ):
            phones.setdefault(cid, []).extend((phone, mobile))
        return {
            cid: search_text([name, name_en, *(aliases or [])], codes=[code], phones=[phone, *phones.get(cid, [])])
            for cid, name, name_en, aliases, code, phone in rows
        }


class ContactTable(Table):
    kind = "contact"
    columns = {"customer": np.int64}

    def statement(self) -> Rows:
        return select(Contact.id, Contact.search_text, Contact.customer_id)

    def values(self, row: Sequence[Any]) -> dict[str, float]:
        return {"customer": int(row[2])}

    async def missing_texts(self, conn: AsyncConnection, ids: list[int]) -> dict[int, str]:
        c = Contact
        rows = await conn.execute(select(c.id, c.name, c.phone, c.mobile, c.email).where(c.id.in_(ids)))
        return {
            cid: search_text([name], phones=[phone, mobile], emails=[email], person=True)
            for cid, name, phone, mobile, email in rows
        }


class ProductTable(Table):
    kind = "product"
    columns = {"active": np.bool_}

    def statement(self) -> Rows:
        return select(Product.id, Product.search_text, Product.active)

    def values(self, row: Sequence[Any]) -> dict[str, float]:
        return {"active": bool(row[2])}

    async def missing_texts(self, conn: AsyncConnection, ids: list[int]) -> dict[int, str]:
        p = Product
        rows = await conn.execute(select(p.id, p.name_zh, p.name_en, p.sku).where(p.id.in_(ids)))
        return {pid: search_text([zh, en], codes=[sku]) for pid, zh, en, sku in rows}
