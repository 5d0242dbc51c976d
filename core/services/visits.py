"""Check-in and check-out (外勤签到): distance, geofence verdict, trust signals, photos."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput, NotFound, PermissionDenied
from core.events import VisitCheckedIn, VisitCheckedOut
from core.geo import Fix, Point, distance_m, inside_fence, trust_flags
from core.models import ContactKind, LocationSource, Visit, utcnow
from core.permissions import Scope
from core.services.contact_log import log_contact
from core.services.customers import readable
from core.uow import Actor, UnitOfWork

OPEN_VISIT_WINDOW = timedelta(hours=12)
MAX_PHOTOS = 20


@dataclass(frozen=True)
class CheckInPolicy:
    default_radius_m: float
    min_accuracy_m: float
    max_speed_kmh: float


_LAST_POSITION = (
    select(Visit.lat, Visit.lon, Visit.position_at)
    .where(Visit.user_id == bindparam("u"))
    .order_by(Visit.position_at.desc())
    .limit(1)
)
"""The rep's previous position (for the travel-speed signal); built once, every check-in asks."""


async def check_in(
    uow: UnitOfWork, *, actor: Actor, scope: Scope, customer_id: int, fix: Fix, policy: CheckInPolicy
) -> Visit:
    customer = await readable(uow.session, scope, customer_id)
    if not scope.can_log_contact(customer):
        raise PermissionDenied("error.customer_not_yours")
    if customer.lat is None or customer.lon is None:
        raise InvalidInput("error.customer_no_location", name=customer.name)
    previous = (await uow.session.execute(_LAST_POSITION, {"u": actor.user.id})).first()
    flags, speed = trust_flags(
        fix,
        previous=(Point(previous.lat, previous.lon), previous.position_at) if previous else None,
        min_accuracy_m=policy.min_accuracy_m,
        max_speed_kmh=policy.max_speed_kmh,
    )
    distance = distance_m(fix.point, Point(customer.lat, customer.lon))
    radius = customer.geofence_radius_m or policy.default_radius_m
    visit = Visit(
        customer_id=customer.id,
        user_id=actor.user.id,
        checked_in_at=fix.received_at,
        lat=fix.point.lat,
        lon=fix.point.lon,
        accuracy_m=fix.accuracy_m,
        source=LocationSource.LIVE if fix.live else LocationSource(fix.source),
        position_at=fix.taken_at,
        platform=actor.platform,
        datum=fix.datum,
        distance_m=round(distance, 1),
        radius_m=radius,
        inside_fence=inside_fence(distance, radius),
        speed_kmh=speed,
        trust_flags=flags,
        photo_refs=[],
    )
    uow.session.add(visit)
    await uow.session.flush()
    uow.audit(actor, "visit.check_in", "visit", visit.id, customer_id=customer.id, inside=visit.inside_fence)
    uow.record(VisitCheckedIn(visit.id, customer.id, actor.user.id, visit.inside_fence, tuple(flags)))
    return visit


async def update_live_position(uow: UnitOfWork, *, actor: Actor, visit_id: int, fix: Fix) -> Visit:
    """A live location moved: refresh the distance and verdict; live evidence replaces a pin's flags."""
    visit = await own_visit(uow.session, actor, visit_id)
    customer_point = await _customer_point(uow.session, visit)
    distance = distance_m(fix.point, customer_point)
    visit.lat, visit.lon, visit.accuracy_m = fix.point.lat, fix.point.lon, fix.accuracy_m
    visit.distance_m, visit.inside_fence = round(distance, 1), inside_fence(distance, visit.radius_m)
    visit.source, visit.datum = LocationSource.LIVE, fix.datum
    visit.trust_flags = [f for f in visit.trust_flags if f not in ("static_pin", "unknown_accuracy")]
    uow.audit(actor, "visit.live_update", "visit", visit.id, inside=visit.inside_fence)
    return visit


async def _customer_point(session: AsyncSession, visit: Visit) -> Point:
    from core.models import Customer

    customer = await session.get_one(Customer, visit.customer_id)
    assert customer.lat is not None and customer.lon is not None
    return Point(customer.lat, customer.lon)


async def own_visit(session: AsyncSession, actor: Actor, visit_id: int) -> Visit:
    visit = await session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("error.visit_unknown")
    if visit.user_id != actor.user.id:
        raise PermissionDenied()
    return visit


async def open_visit(session: AsyncSession, user_id: int, now: datetime | None = None) -> Visit | None:
    """The rep's latest check-in that has not been checked out, if recent."""
    since = (now or utcnow()) - OPEN_VISIT_WINDOW
    return await session.scalar(
        select(Visit)
        .where(Visit.user_id == user_id, Visit.checked_out_at.is_(None), Visit.checked_in_at >= since)
        .order_by(Visit.checked_in_at.desc())
        .limit(1)
    )


async def add_photo(uow: UnitOfWork, *, actor: Actor, visit_id: int, ref: str) -> Visit:
    visit = await own_visit(uow.session, actor, visit_id)
    if len(visit.photo_refs) >= MAX_PHOTOS:
        raise InvalidInput("error.too_many_photos", limit=MAX_PHOTOS)
    visit.photo_refs = [*visit.photo_refs, ref[:500]]
    uow.audit(actor, "visit.photo", "visit", visit.id)
    return visit


async def check_out(
    uow: UnitOfWork,
    *,
    actor: Actor,
    scope: Scope,
    visit_id: int,
    summary: str,
    timezone: str,
    next_step: str | None = None,
    next_contact_at: datetime | None = None,
) -> Visit:
    visit = await own_visit(uow.session, actor, visit_id)
    if visit.checked_out_at is not None:
        raise InvalidInput("error.visit_closed")
    record = await log_contact(
        uow,
        actor=actor,
        scope=scope,
        customer_id=visit.customer_id,
        kind=ContactKind.VISIT,
        summary=summary,
        next_step=next_step,
        next_contact_at=next_contact_at,
        happened_at=visit.checked_in_at,
        visit_id=visit.id,
        timezone=timezone,
    )
    visit.checked_out_at = utcnow()
    visit.summary, visit.next_step = record.summary, record.next_step
    uow.audit(actor, "visit.check_out", "visit", visit.id)
    uow.record(VisitCheckedOut(visit.id, visit.customer_id, actor.user.id))
    return visit
