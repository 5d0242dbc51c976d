"""Telemetry ingestion: idempotent on (serial, metric, ts), thresholds → one repair ticket per cause.

Built for throughput: one query for the serials, one multi-row INSERT … ON CONFLICT DO
NOTHING RETURNING for the readings (what comes back is what was new), and ORM work only
for the rare reading over its threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import or_, select, tuple_, update

from core.errors import PermissionDenied
from core.models import Equipment, Priority, TelemetryReading, TicketType
from core.service_events import ThresholdBreached
from core.services import apikeys, telemetry_sql
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


class _Reading(NamedTuple):
    """A well-formed reading (a tuple: thousands are made per batch)."""

    pos: int
    """Its index in the batch, for error reports."""
    serial: str
    metric: str
    value: float
    ts: datetime


def _parse_ts(raw: object) -> datetime | None:
    if type(raw) is str:
        if len(raw) > 40:
            return None
        try:
            ts = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    if isinstance(raw, int | float) and type(raw) is not bool:
        try:
            return datetime.fromtimestamp(raw, UTC) if math.isfinite(raw) else None
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _checker(latest: datetime) -> Callable[[int, object], _Reading | str]:
    """Validation of one reading (a well-formed reading, or the reason it is not).

    The batch's readings usually share timestamps (one per scan of the machine), so each
    distinct `ts` is parsed once. `True` is not a value, and `"1"` is not a number.
    """
    seen: dict[object, datetime | None] = {}

    def check(index: int, item: object) -> _Reading | str:
        if type(item) is not dict:
            return "malformed"
        serial, metric, value, raw = item.get("serial"), item.get("metric"), item.get("value"), item.get("ts")
        if type(serial) is not str or type(metric) is not str or not 0 < len(serial) <= 80 or not 0 < len(metric) <= 40:
            return "malformed"
        if type(value) is bool or not isinstance(value, int | float):
            return "value_not_number"
        if not math.isfinite(value):
            return "value_not_finite"
        key = raw if type(raw) is str else (type(raw), raw)
        ts = seen[key] if key in seen else seen.setdefault(key, _parse_ts(raw))
        if ts is None or ts < EARLIEST:
            return "ts_invalid"
        if ts > latest:
            return "ts_in_future"
        serial, metric = serial.strip(), metric.strip().lower()
        if not serial or not metric:
            return "malformed"
        return _Reading(index, serial, metric, float(value), ts)

    return check


async def ingest(
    uow: UnitOfWork, *, items: Sequence[object], policy: Policy, now: datetime, key: str | None = None
) -> IngestResult:
    """Store the new readings of a batch; the caller commits.

    `key`, when given, is the machine's API key: it is checked in the same query that looks
    up the serials (one round trip fewer on the hot path); PermissionDenied if it may not send.
    """
    result = IngestResult()
    good: list[_Reading] = []
    check = _checker(now + policy.max_future)
    for index, item in enumerate(items):
        checked = check(index, item)
        if isinstance(checked, str):
            result.rejected.append({"index": index, "reason": checked})
        else:
            good.append(checked)
    serials = {r.serial for r in good}
    machines = await _machines(uow, serials) if key is None else await _machines_for_key(uow, serials, key)
    rows: dict[Key, _Reading] = {}
    for r in good:
        machine = machines.get(r.serial)
        if machine is None:
            result.rejected.append({"index": r.pos, "reason": "unknown_serial", "serial": r.serial[:80]})
        elif r.metric not in METRICS and r.metric not in machine[1]:
            result.rejected.append({"index": r.pos, "reason": "unknown_metric", "metric": r.metric[:40]})
        elif (ident := (machine[0], r.metric, r.ts)) in rows:
            result.duplicate += 1
        else:
            rows[ident] = r
    over = _over_threshold(rows, machines)
    known = await _existing(uow, list(over)) if over else set()
    result.accepted = await _insert(uow, rows)
    result.duplicate += len(rows) - result.accepted
    result.rejected.sort(key=lambda x: int(x["index"]))
    await _running_hours(uow, rows)
    result.tickets = await _breaches(uow, {k: r for k, r in over.items() if k not in known}, machines, policy, now)
    return result


async def _machines_for_key(uow: UnitOfWork, serials: set[str], key: str) -> dict[str, tuple[int, dict[str, Any]]]:
    """The serials' machines, looked up in the same query that checks the key."""
    if not key.startswith(apikeys.PREFIX) or len(key) > 200:
        raise PermissionDenied("error.apikey_refused")
    scopes, machines = await telemetry_sql.lookup(await uow.session.connection(), serials, apikeys.digest(key))
    if scopes is None or "telemetry" not in scopes.split():
        raise PermissionDenied("error.apikey_refused")
    return machines


async def _machines(uow: UnitOfWork, serials: set[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    if not serials:
        return {}
    rows = await uow.session.execute(select(Equipment.serial, Equipment.id, Equipment.thresholds).where(Equipment.serial.in_(serials)))
    return {serial: (eid, thresholds or {}) for serial, eid, thresholds in rows.all()}


Key = tuple[int, str, datetime]


async def _insert(uow: UnitOfWork, rows: dict[Key, _Reading]) -> int:
    """Insert what is new in one round trip; how many were new (a re-sent reading adds none)."""
    flat = [(k[0], k[1], k[2], r.value) for k, r in rows.items()]
    return await telemetry_sql.insert_new(await uow.session.connection(), flat)


def _over_threshold(rows: dict[Key, _Reading], machines: dict[str, tuple[int, dict[str, Any]]]) -> dict[Key, _Reading]:
    over: dict[Key, _Reading] = {}
    for key, reading in rows.items():
        limit = machines[reading.serial][1].get(key[1])
        if isinstance(limit, int | float) and reading.value > limit:
            over[key] = reading
    return over


async def _existing(uow: UnitOfWork, keys: list[Key]) -> set[Key]:
    """Which of these (rare, over-threshold) readings were stored before: a re-sent old alarm opens nothing."""
    found: set[Key] = set()
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        rows = await uow.session.execute(
            select(TelemetryReading.equipment_id, TelemetryReading.metric, TelemetryReading.ts).where(
                tuple_(TelemetryReading.equipment_id, TelemetryReading.metric, TelemetryReading.ts).in_(chunk)
            )
        )
        found |= {(int(e), str(m), t) for e, m, t in rows.all()}
    return found


async def _running_hours(uow: UnitOfWork, rows: dict[Key, _Reading]) -> None:
    """The running-hours meter drives service intervals counted in hours (a meter only goes up)."""
    latest: dict[int, float] = {}
    for (eid, metric, _), reading in rows.items():
        if metric == "running_hours":
            latest[eid] = max(latest.get(eid, 0.0), reading.value)
    for eid, hours in latest.items():
        await uow.session.execute(
            update(Equipment)
            .where(Equipment.id == eid, or_(Equipment.running_hours.is_(None), Equipment.running_hours < hours))
            .values(running_hours=hours)
            .execution_options(synchronize_session=False)
        )


async def _breaches(
    uow: UnitOfWork, over: dict[Key, _Reading], machines: dict[str, tuple[int, dict[str, Any]]], policy: Policy, now: datetime,
) -> list[str]:
    """New readings over their threshold: one repair ticket per (machine, metric) while it is open."""
    worst: dict[tuple[int, str], _Reading] = {}
    for (eid, metric, _), reading in over.items():
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
