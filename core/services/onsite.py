"""Arriving on site: the engineer's position against the site, with the check-in geofence and trust signals."""

from __future__ import annotations

from sqlalchemy import select

from core.errors import InvalidInput
from core.geo import Fix, Point, distance_m, inside_fence, trust_flags
from core.models import Customer, EngineerProfile, Ticket, TicketStatus
from core.services.dispatch import site_of
from core.services.tickets import move, own_ticket
from core.services.visits import CheckInPolicy
from core.uow import Actor, UnitOfWork


async def remember_position(uow: UnitOfWork, *, actor: Actor, fix: Fix) -> None:
    """The engineer's last known location, which dispatch measures from."""
    profile = await uow.session.get(EngineerProfile, actor.user.id)
    if profile is not None:
        profile.last_lat, profile.last_lon, profile.last_seen_at = fix.point.lat, fix.point.lon, fix.taken_at


async def arrive(uow: UnitOfWork, *, actor: Actor, ticket_id: int, fix: Fix, policy: CheckInPolicy) -> Ticket:
    """Accepted → on site, recording distance, geofence verdict and doubts (a far position is recorded, not hidden)."""
    ticket = await own_ticket(uow.session, actor, ticket_id)
    if ticket.status not in (TicketStatus.ACCEPTED,):
        raise InvalidInput("error.ticket_transition", number=ticket.number, status=ticket.status.value, to=TicketStatus.ON_SITE.value)
    site = await site_of(uow.session, ticket)
    if site is None:
        customer = await uow.session.get_one(Customer, ticket.customer_id)
        raise InvalidInput("error.customer_no_location", name=customer.name)
    profile = await uow.session.scalar(select(EngineerProfile).where(EngineerProfile.user_id == actor.user.id))
    previous = None
    if profile is not None and profile.last_lat is not None and profile.last_lon is not None and profile.last_seen_at:
        previous = (Point(profile.last_lat, profile.last_lon), profile.last_seen_at)
    flags, _ = trust_flags(fix, previous=previous, min_accuracy_m=policy.min_accuracy_m, max_speed_kmh=policy.max_speed_kmh)
    customer = await uow.session.get_one(Customer, ticket.customer_id)
    radius = customer.geofence_radius_m or policy.default_radius_m
    distance = distance_m(fix.point, site)
    move(uow, ticket, TicketStatus.ON_SITE, actor, now=fix.received_at, note=f"{distance:.0f} m")
    ticket.arrival_distance_m, ticket.arrival_inside = round(distance, 1), inside_fence(distance, radius)
    ticket.arrival_flags = flags
    await remember_position(uow, actor=actor, fix=fix)
    return ticket
