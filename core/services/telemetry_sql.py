"""The telemetry hot path's SQL, at driver level: the key check with the serial lookup, and the insert.

Why not the ORM: a batch is 500 readings, and per-value processing and per-statement
cursor round trips would cost more than the insert itself. On SQLite each aiosqlite call
is a hop to its worker thread, so the lookup and the insert are one call each
(`execute_fetchall`, `executemany`); on PostgreSQL the insert is one statement over arrays
(`unnest`). Timestamps are written exactly as the ORM writes them (naive UTC), so the
unique (equipment, metric, ts) key matches rows written either way.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.models import ApiKey, Equipment

Machines = dict[str, tuple[int, dict[str, Any]]]
"""serial → (equipment id, thresholds)."""
Row = tuple[int, str, datetime, float]

SQLITE_INSERT = (
    "INSERT INTO telemetry_readings (equipment_id, metric, ts, value) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (equipment_id, metric, ts) DO NOTHING"
)
PG_INSERT = (
    "INSERT INTO telemetry_readings (equipment_id, metric, ts, value) "
    "SELECT * FROM unnest($1::integer[], $2::varchar[], $3::timestamp[], $4::float8[]) "
    "ON CONFLICT (equipment_id, metric, ts) DO NOTHING"
)
SQLITE_LOOKUP = (
    "SELECT k.scopes, e.serial, e.id, e.thresholds FROM api_keys AS k "
    "LEFT OUTER JOIN equipment AS e ON e.serial IN ({marks}) WHERE k.key_hash = ? AND k.revoked_at IS NULL"
)


async def _driver(conn: AsyncConnection) -> Any:
    """The aiosqlite connection under SQLAlchemy's, inside the transaction SQLAlchemy began."""
    raw = await conn.get_raw_connection()
    return raw.driver_connection


async def lookup(conn: AsyncConnection, serials: set[str], key_hash: str) -> tuple[str | None, Machines]:
    """(the key's scopes, or None if it is unknown or revoked; the machines of these serials), in one query."""
    names = sorted(serials)
    if conn.dialect.name == "sqlite":
        sql = SQLITE_LOOKUP.format(marks=", ".join("?" * len(names)) or "NULL")
        rows = list(await (await _driver(conn)).execute_fetchall(sql, [*names, key_hash]))
        decode = True
    else:
        stmt = (
            select(ApiKey.scopes, Equipment.serial, Equipment.id, Equipment.thresholds)
            .select_from(ApiKey)
            .outerjoin(Equipment, Equipment.serial.in_(names))
            .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        )
        rows = [tuple(r) for r in (await conn.execute(stmt)).all()]
        decode = False
    if not rows:
        return None, {}
    machines: Machines = {}
    for _, serial, eid, thresholds in rows:
        if serial is not None:
            machines[str(serial)] = (int(eid), (json.loads(thresholds) if decode and thresholds else thresholds) or {})
    return str(rows[0][0]), machines


async def insert_new(conn: AsyncConnection, rows: list[Row]) -> int:
    """Insert the rows, skipping those already stored; returns how many were new."""
    if not rows:
        return 0
    if conn.dialect.name == "sqlite":
        stamps: dict[datetime, str] = {}
        params = [
            (eid, metric, stamps.get(ts) or stamps.setdefault(ts, ts.replace(tzinfo=None).isoformat(" ", "microseconds")), value)
            for eid, metric, ts, value in rows
        ]
        cursor = await (await _driver(conn)).executemany(SQLITE_INSERT, params)
        return int(cursor.rowcount)
    if conn.dialect.name == "postgresql":
        columns = ([r[0] for r in rows], [r[1] for r in rows], [r[2].replace(tzinfo=None) for r in rows], [r[3] for r in rows])
        result = await conn.exec_driver_sql(PG_INSERT, columns)
        return int(result.rowcount)
    raise RuntimeError(f"telemetry ingestion supports SQLite and PostgreSQL, not {conn.dialect.name}")
