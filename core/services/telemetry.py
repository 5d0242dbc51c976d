"""Telemetry ingestion: idempotent on (serial, metric, ts), thresholds → one repair ticket per cause.

Built for throughput: one query for the serials, one multi-row INSERT … ON CONFLICT DO
NOTHING RETURNING for the readings (what comes back is what was new), and ORM work only
for the rare reading over its threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.models import Equipment, Priority, TelemetryReading, TicketType
from core.service_events import ThresholdBreached
from core.services.tickets import NewTicket, open_ticket
from core.settings import Settings
from core.uow import UnitOfWork

METRICS = {
    "temperature": "°C", "bearing_temperature": "°C", "vibration": "mm/s", "pressure": "bar", "current": "A",
    "flow": "m³/h", "speed": "rpm", "running_hours": "h",
}
"""Metrics every machine may send; a machine's own thresholds may name more."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Policy:
    max_future: timedelta
    sla: str
    timezone: str
    load_km: float
    max_load: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            timedelta(seconds=settings.telemetry_max_future_s), settings.service_sla, settings.timezone,
            settings.service_load_km, settings.service_max_load,
        )


@dataclass
class IngestResult:
    accepted: int = 0
    duplicate: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Reading:
    index: int
    serial: str
    metric: str
    value: float
    ts: datetime


def _parse_ts(raw: object) -> datetime | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        try:
            return datetime.fromtimestamp(raw, UTC) if math.isfinite(raw) else None
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(raw, str) and len(raw) <= 40:
        try:
            ts = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    return None


def _check(index: int, item: object, now: datetime, max_future: timedelta) -> _Reading | str:
    """A well-formed reading, or the reason it is not."""
    if not isinstance(item, dict):
        return "malformed"
    serial, metric, value = item.get("serial"), item.get("metric"), item.get("value")
    if not isinstance(serial, str) or not serial.strip() or len(serial) > 80:
        return "malformed"
    if not isinstance(metric, str) or not metric.strip() or len(metric) > 40:
        return "malformed"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "value_not_number"
    if not math.isfinite(value):
        return "value_not_finite"
    ts = _parse_ts(item.get("ts"))
    if ts is None or ts < EARLIEST:
        return "ts_invalid"
    if ts - now > max_future:
        return "ts_in_future"
    return _Reading(index, serial.strip(), metric.strip().lower(), float(value), ts)


async def ingest(uow: UnitOfWork, *, items: Sequence[object], policy: Policy, now: datetime) -> IngestResult:
    """Store the new readings of a batch; the caller commits."""
    result = IngestResult()
    good: list[_Reading] = []
    for index, item in enumerate(items):
        checked = _check(index, item, now, policy.max_future)
        if isinstance(checked, str):
            result.rejected.append({"index": index, "reason": checked})
        else:
            good.append(checked)
    machines = await _machines(uow, {r.serial for r in good})
    rows: dict[tuple[int, str, datetime], _Reading] = {}
    for r in good:
        machine = machines.get(r.serial)
        if machine is None:
            result.rejected.append({"index": r.index, "reason": "unknown_serial", "serial": r.serial[:80]})
        elif r.metric not in METRICS and r.metric not in machine[1]:
            result.rejected.append({"index": r.index, "reason": "unknown_metric", "metric": r.metric[:40]})
        elif (key := (machine[0], r.metric, r.ts)) in rows:
            result.duplicate += 1
        else:
            rows[key] = r
    fresh = await _insert(uow, {key: r.value for key, r in rows.items()})
    result.accepted = len(fresh)
    result.duplicate += len(rows) - len(fresh)
    result.rejected.sort(key=lambda x: int(x["index"]))
    new_readings = [(key, rows[key]) for key in fresh]
    await _running_hours(uow, new_readings)
    result.tickets = await _breaches(uow, new_readings, machines, policy, now)
    return result


async def _machines(uow: UnitOfWork, serials: set[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    if not serials:
        return {}
    rows = await uow.session.execute(select(Equipment.serial, Equipment.id, Equipment.thresholds).where(Equipment.serial.in_(serials)))
    return {serial: (eid, thresholds or {}) for serial, eid, thresholds in rows.all()}


async def _insert(uow: UnitOfWork, keys: dict[tuple[int, str, datetime], float]) -> list[tuple[int, str, datetime]]:
    """Insert what is new; returns the keys actually inserted (a re-sent reading comes back as nothing)."""
    if not keys:
        return []
    dialect = uow.session.get_bind().dialect.name
    dialect_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = cast(Table, TelemetryReading.__table__)
    stmt = (
        dialect_insert(table)
        .on_conflict_do_nothing(index_elements=["equipment_id", "metric", "ts"])
        .returning(table.c.equipment_id, table.c.metric, table.c.ts)
    )
    params = [{"equipment_id": k[0], "metric": k[1], "ts": k[2], "value": v} for k, v in keys.items()]
    return [(int(e), str(m), t) for e, m, t in (await uow.session.execute(stmt, params)).all()]


async def _running_hours(uow: UnitOfWork, new: list[tuple[tuple[int, str, datetime], _Reading]]) -> None:
    """The running-hours meter drives service intervals counted in hours."""
    latest: dict[int, float] = {}
    for (eid, metric, _), reading in new:
        if metric == "running_hours":
            latest[eid] = max(latest.get(eid, 0.0), reading.value)
    for eid, hours in latest.items():
        await uow.session.execute(
            update(Equipment).where(Equipment.id == eid).values(running_hours=hours).execution_options(synchronize_session=False)
        )


async def _breaches(
    uow: UnitOfWork, new: list[tuple[tuple[int, str, datetime], _Reading]], machines: dict[str, tuple[int, dict[str, Any]]],
    policy: Policy, now: datetime,
) -> list[str]:
    """Readings over their threshold: one repair ticket per (machine, metric) while it is open."""
    worst: dict[tuple[int, str], _Reading] = {}
    for (eid, metric, _), reading in new:
        limit = machines[reading.serial][1].get(metric)
        if isinstance(limit, int | float) and reading.value > limit:
            if (eid, metric) not in worst or reading.value > worst[(eid, metric)].value:
                worst[(eid, metric)] = reading
    made: list[str] = []
    for (eid, metric), reading in sorted(worst.items()):
        limit = float(machines[reading.serial][1][metric])
        number = await _repair_ticket(uow, eid, metric, reading, limit, policy, now)
        if number:
            made.append(number)
    return made


async def _repair_ticket(
    uow: UnitOfWork, eid: int, metric: str, reading: _Reading, limit: float, policy: Policy, now: datetime
) -> str | None:
    from core.services.dispatch import dispatch

    equipment = await uow.session.get_one(Equipment, eid)
    unit = METRICS.get(metric, "")
    problem = f"{equipment.model} {equipment.serial}: {metric} {reading.value:g}{unit} > {limit:g}{unit} ({reading.ts:%Y-%m-%d %H:%M} UTC)"
    new = NewTicket(equipment.customer_id, TicketType.REPAIR, Priority.HIGH, problem, eid, source="telemetry", open_key=f"tele:{eid}:{metric}")
    ticket = await open_ticket(uow, actor=None, new=new, sla=policy.sla, timezone=policy.timezone, now=now)
    if ticket is None:
        return None
    await dispatch(uow, actor=None, ticket=ticket, load_km=policy.load_km, max_load=policy.max_load, timezone=policy.timezone, now=now)
    uow.record(ThresholdBreached(ticket.id, eid, metric, reading.value, limit))
    return ticket.number
