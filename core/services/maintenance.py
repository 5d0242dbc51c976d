"""Maintenance due (保养提醒) and predictive maintenance (预测性维护) sweeps, and the SLA watch.

Each sweep may run on any number of workers at once: tickets carry an `open_key` (unique
while open) and warnings a processed-event mark, so each is created and raised once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.clock import local_date, zone
from core.models import (
    OPEN_TICKET_STATUSES,
    Equipment,
    Priority,
    ProcessedEvent,
    TelemetryReading,
    Ticket,
    TicketType,
)
from core.service_events import MaintenanceDue, SlaAtRisk, TrendWarning
from core.services.dispatch import dispatch
from core.services.inbound_dedupe import first_time
from core.services.telemetry import Policy
from core.services.tickets import NewTicket, open_ticket
from core.uow import Actor, UnitOfWork

TREND_POINTS = 20
TREND_MIN_POINTS = 5
TREND_WINDOW = timedelta(days=14)
WARN_EVERY = timedelta(days=7)
"""An early warning for one machine and metric comes at most this often."""
TREND_WARNING = "trend-warning"


def due_date(equipment: Equipment, tz_name: str) -> date | None:
    """When the next service falls due by the calendar interval, if it has one."""
    if not equipment.service_interval_days:
        return None
    since = local_date(equipment.last_service_at, zone(tz_name)) if equipment.last_service_at else equipment.install_date
    return since + timedelta(days=equipment.service_interval_days) if since else None


def hours_left(equipment: Equipment) -> float | None:
    if not equipment.service_interval_hours or equipment.running_hours is None:
        return None
    return (equipment.hours_at_last_service or 0.0) + equipment.service_interval_hours - equipment.running_hours


async def maintenance_sweep(uow: UnitOfWork, *, policy: Policy, now: datetime, within_days: int, within_hours: int) -> list[Ticket]:
    """A maintenance ticket, once, for every machine whose service falls due soon."""
    today = local_date(now, zone(policy.timezone))
    made: list[Ticket] = []
    for equipment in (await uow.session.scalars(select(Equipment).order_by(Equipment.id))).all():
        due = due_date(equipment, policy.timezone)
        left = hours_left(equipment)
        by_days = due is not None and due <= today + timedelta(days=within_days)
        by_hours = left is not None and left <= within_hours
        if not (by_days or by_hours):
            continue
        due_on = due if by_days and due else today
        problem = f"定期保养 Scheduled maintenance · {equipment.model} {equipment.serial} · due {due_on.isoformat()}"
        if by_hours and left is not None:
            problem += f" · {max(left, 0):.0f} h left"
        new = NewTicket(equipment.customer_id, TicketType.MAINTENANCE, Priority.NORMAL, problem, equipment.id, source="maintenance", open_key=f"mnt:{equipment.id}")
        ticket = await open_ticket(uow, actor=None, new=new, sla=policy.sla, timezone=policy.timezone, now=now)
        if ticket is None:
            continue
        await dispatch(uow, actor=None, ticket=ticket, load_km=policy.load_km, max_load=policy.max_load, timezone=policy.timezone, now=now)
        uow.record(MaintenanceDue(ticket.id, equipment.id, equipment.customer_id, due_on))
        made.append(ticket)
    return made


@dataclass(frozen=True)
class Trend:
    equipment_id: int
    metric: str
    slope_per_day: float
    last_value: float
    threshold: float
    days_left: float


def fit_trend(points: list[tuple[datetime, float]], threshold: float) -> tuple[float, float, float] | None:
    """Least-squares line through (time, value): (slope per day, fitted last value, days to threshold)."""
    if len(points) < TREND_MIN_POINTS:
        return None
    t0 = points[0][0]
    xs = [(t - t0).total_seconds() / 86400 for t, _ in points]
    ys = [v for _, v in points]
    n, mx, my = len(xs), sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var <= 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
    fitted = my + slope * (xs[-1] - mx)
    if slope <= 0 or fitted >= threshold or n < TREND_MIN_POINTS:
        return None
    return slope, fitted, (threshold - fitted) / slope


async def trends(uow: UnitOfWork, *, now: datetime, horizon_days: int) -> list[Trend]:
    """Series whose recent trend reaches the threshold within the horizon (and is not there yet)."""
    found: list[Trend] = []
    for equipment in (await uow.session.scalars(select(Equipment).order_by(Equipment.id))).all():
        for metric, limit in sorted((equipment.thresholds or {}).items()):
            rows = (
                await uow.session.execute(
                    select(TelemetryReading.ts, TelemetryReading.value)
                    .where(TelemetryReading.equipment_id == equipment.id, TelemetryReading.metric == metric, TelemetryReading.ts >= now - TREND_WINDOW)
                    .order_by(TelemetryReading.ts.desc())
                    .limit(TREND_POINTS)
                )
            ).all()
            fit = fit_trend([(t, v) for t, v in reversed(rows)], float(limit))
            if fit and fit[2] <= horizon_days:
                found.append(Trend(equipment.id, metric, round(fit[0], 3), round(rows[0][1], 2), float(limit), round(fit[2], 1)))
    return found


async def trend_sweep(uow: UnitOfWork, *, now: datetime, horizon_days: int) -> list[Trend]:
    """An early warning per machine and metric, at most once a week, unless a ticket is already open for it."""
    raised: list[Trend] = []
    for trend in await trends(uow, now=now, horizon_days=horizon_days):
        keys = (f"tele:{trend.equipment_id}:{trend.metric}", f"pm:{trend.equipment_id}:{trend.metric}", f"mnt:{trend.equipment_id}")
        if await uow.session.scalar(select(Ticket.id).where(Ticket.open_key.in_(keys))):
            continue
        if not await _weekly(uow, f"{trend.equipment_id}:{trend.metric}", now):
            continue
        uow.record(TrendWarning(trend.equipment_id, trend.metric, trend.days_left, trend.threshold, trend.last_value))
        raised.append(trend)
    return raised


async def _weekly(uow: UnitOfWork, subject: str, now: datetime) -> bool:
    """True at most once in any seven days per subject, across workers. A calendar week would
    warn again an hour later when the hour crosses into Monday; so the marker is per 7-day
    bucket (its unique key makes one worker win), and the previous bucket's marker, if younger
    than seven days, still counts."""
    bucket = int(now.timestamp() // WARN_EVERY.total_seconds())
    before = await uow.session.scalar(
        select(ProcessedEvent.at).where(ProcessedEvent.source == TREND_WARNING, ProcessedEvent.event_id == f"{subject}:{bucket - 1}")
    )
    if before is not None and now - before < WARN_EVERY:
        return False
    return await first_time(uow.session, source=TREND_WARNING, event_id=f"{subject}:{bucket}", at=now)


async def schedule_predicted(uow: UnitOfWork, *, actor: Actor, equipment_id: int, metric: str, policy: Policy, now: datetime) -> Ticket | None:
    """The manager answered the early warning with 'yes': one maintenance ticket, dispatched; None if one is open."""
    from core.errors import NotFound

    equipment = await uow.session.get(Equipment, equipment_id)
    if equipment is None or metric not in (equipment.thresholds or {}):
        raise NotFound("error.equipment_unknown")
    problem = f"预测性维护 Predictive maintenance · {equipment.model} {equipment.serial} · {metric} trending to {equipment.thresholds[metric]}"
    new = NewTicket(equipment.customer_id, TicketType.MAINTENANCE, Priority.NORMAL, problem, equipment.id, source="prediction", open_key=f"pm:{equipment.id}:{metric}")
    ticket = await open_ticket(uow, actor=actor, new=new, sla=policy.sla, timezone=policy.timezone, now=now)
    if ticket is not None:
        await dispatch(uow, actor=actor, ticket=ticket, load_km=policy.load_km, max_load=policy.max_load, timezone=policy.timezone, now=now)
    return ticket


async def sla_sweep(uow: UnitOfWork, *, now: datetime, warn: timedelta) -> list[SlaAtRisk]:
    """Deadlines near: the engineer at `warn` before, the manager at half of it; each once."""
    raised: list[SlaAtRisk] = []
    rows = (await uow.session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_TICKET_STATUSES)).order_by(Ticket.id))).all()
    for ticket in rows:
        pending = [("respond", ticket.respond_by)] if ticket.accepted_at is None else []
        pending.append(("resolve", ticket.resolve_by))
        for which, deadline in pending:
            for stage, lead in (("engineer", warn), ("manager", warn / 2)):
                if now < deadline - lead:
                    continue
                if await first_time(uow.session, source="sla", event_id=f"{ticket.id}:{which}:{stage}"):
                    event = SlaAtRisk(ticket.id, which, stage, deadline, ticket.assignee_id)
                    uow.record(event)
                    raised.append(event)
    return raised
