"""Dispatch (派工): the nearest available engineer with the right skill and the lowest load.

Ranking, for engineers who have the skill, are available and below the load cap:
engineers on duty before those off duty, then by distance (from the last known location,
else the base) plus `load_km` kilometres per open ticket. The reason is stored as data
('km=3.2;skill=pump;load=2') and shown in words in the assignment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import zone
from core.errors import InvalidInput, PermissionDenied
from core.geo import Point, distance_m
from core.models import (
    OPEN_TICKET_STATUSES,
    Customer,
    EngineerProfile,
    Equipment,
    Role,
    Ticket,
    TicketStatus,
    User,
    utcnow,
)
from core.service_events import TicketAssigned
from core.services.tickets import is_manager, move
from core.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class Candidate:
    user: User
    distance_km: float | None
    """None: the site or the engineer has no position."""
    load: int
    has_skill: bool
    on_duty: bool
    available: bool

    def cost(self, load_km: float) -> float:
        distance = self.distance_km if self.distance_km is not None else 10_000.0
        return distance + self.load * load_km

    def reason(self, skill: str | None) -> str:
        km = f"{self.distance_km:.1f}" if self.distance_km is not None else "?"
        return f"km={km};skill={skill or ''};load={self.load}"


def rank(candidates: list[Candidate], *, load_km: float, max_load: int) -> list[Candidate]:
    """Who may take the ticket, best first (pure: the dispatch table tests this)."""
    eligible = [c for c in candidates if c.has_skill and c.available and c.load < max_load]
    return sorted(eligible, key=lambda c: (not c.on_duty, c.cost(load_km), c.load, c.user.id))


def parse_reason(reason: str | None) -> dict[str, str]:
    """'km=3.2;skill=pump;load=2' → {'km': '3.2', 'skill': 'pump', 'load': '2'}."""
    pairs = (part.partition("=") for part in (reason or "").split(";") if "=" in part)
    return {k: v for k, _, v in pairs}


async def site_of(session: AsyncSession, ticket: Ticket) -> Point | None:
    if ticket.equipment_id is not None:
        equipment = await session.get_one(Equipment, ticket.equipment_id)
        if equipment.lat is not None and equipment.lon is not None:
            return Point(equipment.lat, equipment.lon)
    customer = await session.get_one(Customer, ticket.customer_id)
    return Point(customer.lat, customer.lon) if customer.lat is not None and customer.lon is not None else None


async def loads(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.status.in_(OPEN_TICKET_STATUSES), Ticket.assignee_id.is_not(None))
        .group_by(Ticket.assignee_id)
    )
    return {int(uid or 0): int(n) for uid, n in rows.all()}


def on_duty(profile: EngineerProfile, now: datetime, timezone: str) -> bool:
    local = now.astimezone(zone(timezone))
    try:
        start, end = time.fromisoformat(profile.work_start), time.fromisoformat(profile.work_end)
    except ValueError:
        return True
    return local.weekday() < 5 and start <= local.time() <= end


def engineer_point(profile: EngineerProfile) -> Point:
    if profile.last_lat is not None and profile.last_lon is not None:
        return Point(profile.last_lat, profile.last_lon)
    return Point(profile.base_lat, profile.base_lon)


async def candidates(session: AsyncSession, ticket: Ticket, *, now: datetime, timezone: str) -> list[Candidate]:
    site = await site_of(session, ticket)
    load = await loads(session)
    rows = await session.execute(
        select(User, EngineerProfile)
        .join(EngineerProfile, EngineerProfile.user_id == User.id)
        .where(User.role == Role.ENGINEER, User.active.is_(True))
    )
    found: list[Candidate] = []
    for user, profile in rows.all():
        km = distance_m(engineer_point(profile), site) / 1000 if site else None
        found.append(
            Candidate(
                user=user, distance_km=round(km, 1) if km is not None and math.isfinite(km) else None,
                load=load.get(user.id, 0), has_skill=ticket.skill is None or ticket.skill in (profile.skills or []),
                on_duty=on_duty(profile, now, timezone), available=profile.available,
            )
        )
    return found


async def dispatch(
    uow: UnitOfWork, *, actor: Actor | None, ticket: Ticket, load_km: float, max_load: int, timezone: str,
    now: datetime | None = None,
) -> Candidate | None:
    """Assign the best engineer; None (ticket stays new) when nobody fits."""
    now = now or utcnow()
    found = rank(await candidates(uow.session, ticket, now=now, timezone=timezone), load_km=load_km, max_load=max_load)
    if not found:
        return None
    best = found[0]
    await _assign(uow, actor, ticket, best.user.id, best.reason(ticket.skill), now)
    return best


async def reassign(
    uow: UnitOfWork, *, actor: Actor, ticket_id: int, engineer_id: int, timezone: str, now: datetime | None = None
) -> Ticket:
    """A manager's choice; the reason still carries distance and load for the engineer's message."""
    if not is_manager(actor.user):
        raise PermissionDenied()
    ticket = await uow.session.scalar(select(Ticket).where(Ticket.id == ticket_id).with_for_update())
    if ticket is None:
        raise InvalidInput("error.ticket_unknown")
    now = now or utcnow()
    pool = await candidates(uow.session, ticket, now=now, timezone=timezone)
    chosen = next((c for c in pool if c.user.id == engineer_id), None)
    if chosen is None:
        raise InvalidInput("error.engineer_unknown")
    if ticket.assignee_id == engineer_id:
        raise InvalidInput("error.ticket_same_engineer", name=chosen.user.name)
    await _assign(uow, actor, ticket, engineer_id, "manual;" + chosen.reason(ticket.skill), now)
    return ticket


async def _assign(uow: UnitOfWork, actor: Actor | None, ticket: Ticket, engineer_id: int, reason: str, now: datetime) -> None:
    previous = ticket.assignee_id
    move(uow, ticket, TicketStatus.ASSIGNED, actor, now=now, note=reason)
    ticket.assignee_id, ticket.dispatch_note = engineer_id, reason[:300]
    urgent = ticket.priority.value in ("urgent", "high")
    uow.record(TicketAssigned(ticket.id, engineer_id, previous, reason, urgent))
