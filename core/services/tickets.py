"""Service tickets (工单): opening by coding rule with SLA deadlines, and every status change timed and audited.

new → assigned → accepted → on site → (waiting for parts →) resolved → closed, or cancelled.
Engineers act on their own tickets; service managers create, reassign, close and cancel.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import local_date, zone
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.models import (
    Customer,
    Equipment,
    Priority,
    Role,
    Ticket,
    TicketNote,
    TicketStatus,
    TicketTransition,
    TicketType,
    User,
    utcnow,
)
from core.service_events import TicketCreated, TicketStatusChanged
from core.sla import deadlines
from core.uow import Actor, UnitOfWork

S = TicketStatus
MOVES: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.ASSIGNED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.ASSIGNED, S.ACCEPTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.ASSIGNED, S.ON_SITE, S.WAITING_PARTS, S.RESOLVED, S.CANCELLED}),
    S.ON_SITE: frozenset({S.ASSIGNED, S.WAITING_PARTS, S.RESOLVED, S.CANCELLED}),
    S.WAITING_PARTS: frozenset({S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
"""Which status may follow which; anything else is refused with a clear message."""
MANAGERS = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
MAX_PROBLEM = 2000
MAX_NOTE = 2000
STAMPS = {S.ASSIGNED: "assigned_at", S.ACCEPTED: "accepted_at", S.ON_SITE: "arrived_at", S.RESOLVED: "resolved_at", S.CLOSED: "closed_at"}


@dataclass(frozen=True)
class NewTicket:
    customer_id: int
    type: TicketType
    priority: Priority
    problem: str
    equipment_id: int | None = None
    contact_id: int | None = None
    source: str = "chat"
    open_key: str | None = None
    """Machine-made tickets: while one with this key is open, no second one is made."""


def is_manager(user: User) -> bool:
    return user.role in MANAGERS


async def get_ticket(session: AsyncSession, ticket_id: int) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("error.ticket_unknown")
    return ticket


async def by_number(session: AsyncSession, number: str) -> Ticket | None:
    return await session.scalar(select(Ticket).where(Ticket.number == number.strip().upper()[:30]))


async def readable_ticket(session: AsyncSession, user: User, ticket_id: int) -> Ticket:
    """Managers read every ticket; an engineer only their own."""
    ticket = await get_ticket(session, ticket_id)
    if not is_manager(user) and ticket.assignee_id != user.id:
        raise PermissionDenied("error.ticket_not_yours")
    return ticket


async def own_ticket(session: AsyncSession, actor: Actor, ticket_id: int) -> Ticket:
    """The assignee's ticket, locked for the change (a manager's reassignment waits or fails cleanly)."""
    ticket = await session.scalar(select(Ticket).where(Ticket.id == ticket_id).with_for_update())
    if ticket is None:
        raise NotFound("error.ticket_unknown")
    if ticket.assignee_id != actor.user.id:
        raise PermissionDenied("error.ticket_not_yours")
    return ticket


async def open_ticket(
    uow: UnitOfWork, *, actor: Actor | None, new: NewTicket, sla: str, timezone: str, now: datetime | None = None
) -> Ticket | None:
    """A new ticket; None when `new.open_key` names a ticket that is already open."""
    now = now or utcnow()
    problem = new.problem.strip()
    if not problem or len(problem) > MAX_PROBLEM:
        raise InvalidInput("error.ticket_problem", limit=MAX_PROBLEM)
    customer = await uow.session.get(Customer, new.customer_id)
    if customer is None:
        raise NotFound("error.customer_unknown")
    skill = None
    if new.equipment_id is not None:
        equipment = await uow.session.get(Equipment, new.equipment_id)
        if equipment is None or equipment.customer_id != customer.id:
            raise InvalidInput("error.equipment_unknown")
        skill = equipment.product_line
    if new.open_key and await uow.session.scalar(select(Ticket.id).where(Ticket.open_key == new.open_key)):
        return None
    respond_by, resolve_by = deadlines(sla, new.priority.value, now)
    ticket = Ticket(
        number=f"tmp-{secrets.token_hex(8)}", customer_id=customer.id, equipment_id=new.equipment_id, type=new.type,
        priority=new.priority, status=S.NEW, problem=problem, skill=skill, contact_id=new.contact_id,
        created_by_id=actor.user.id if actor else None, source=new.source, open_key=new.open_key,
        created_at=now, respond_by=respond_by, resolve_by=resolve_by, arrival_flags=[],
    )
    try:
        async with uow.session.begin_nested():
            uow.session.add(ticket)
            await uow.session.flush()
    except IntegrityError:
        if new.open_key:  # a concurrent writer made the same machine ticket first
            return None
        raise
    ticket.number = f"FW-{local_date(now, zone(timezone)):%y%m%d}-{ticket.id:04d}"
    _transition(uow, ticket, None, S.NEW, actor, now, None)
    uow.audit(actor, "ticket.create", "ticket", ticket.id, number=ticket.number, source=new.source)
    uow.record(TicketCreated(ticket.id, customer.id, new.source))
    return ticket


def _transition(
    uow: UnitOfWork, ticket: Ticket, old: TicketStatus | None, new: TicketStatus, actor: Actor | None, now: datetime,
    note: str | None,
) -> None:
    uow.session.add(
        TicketTransition(
            ticket_id=ticket.id, from_status=old.value if old else None, to_status=new.value, at=now,
            user_id=actor.user.id if actor else None, platform=actor.platform if actor else "system",
            note=note[:300] if note else None,
        )
    )
    uow.record(TicketStatusChanged(ticket.id, old.value if old else None, new.value, actor.user.id if actor else None))


def move(uow: UnitOfWork, ticket: Ticket, new: TicketStatus, actor: Actor | None, *, now: datetime | None = None, note: str | None = None) -> None:
    """Change the status if the current one allows it; timed, audited, and announced."""
    old = ticket.status
    if new not in MOVES[old]:
        raise InvalidInput("error.ticket_transition", number=ticket.number, status=old.value, to=new.value)
    now = now or utcnow()
    ticket.status = new
    stamp = STAMPS.get(new)
    if stamp is not None:
        setattr(ticket, stamp, now)
    if new in (S.RESOLVED, S.CLOSED, S.CANCELLED):
        ticket.open_key = None  # a machine may raise a new ticket for the same cause from now on
    _transition(uow, ticket, old, new, actor, now, note)
    uow.audit(actor, f"ticket.{new.value}", "ticket", ticket.id, number=ticket.number, old=old.value)


async def accept(uow: UnitOfWork, *, actor: Actor, ticket_id: int) -> Ticket:
    ticket = await own_ticket(uow.session, actor, ticket_id)
    move(uow, ticket, S.ACCEPTED, actor)
    return ticket


async def add_note(uow: UnitOfWork, *, actor: Actor, ticket_id: int, text: str | None = None, photo_ref: str | None = None) -> TicketNote:
    ticket = await own_ticket(uow.session, actor, ticket_id)
    if ticket.status in (S.CLOSED, S.CANCELLED):
        raise InvalidInput("error.ticket_finished", number=ticket.number)
    text = text.strip() if text else None
    if not text and not photo_ref:
        raise InvalidInput("error.empty_text")
    if text and len(text) > MAX_NOTE:
        raise InvalidInput("error.text_too_long", limit=MAX_NOTE, length=len(text))
    note = TicketNote(ticket_id=ticket.id, user_id=actor.user.id, text=text, photo_ref=photo_ref[:500] if photo_ref else None)
    uow.session.add(note)
    await uow.session.flush()
    uow.audit(actor, "ticket.note", "ticket", ticket.id, photo=bool(photo_ref))
    return note


async def resolve(uow: UnitOfWork, *, actor: Actor, ticket_id: int, resolution: str, now: datetime | None = None) -> Ticket:
    """Done on site: what was done; maintenance resets the equipment's service clock; reservations go back."""
    from core.services.parts import release_reservations

    ticket = await own_ticket(uow.session, actor, ticket_id)
    text = resolution.strip()
    if not text or len(text) > MAX_NOTE:
        raise InvalidInput("error.ticket_resolution", limit=MAX_NOTE)
    now = now or utcnow()
    move(uow, ticket, S.RESOLVED, actor, now=now)
    ticket.resolution = text
    await release_reservations(uow, ticket)
    if ticket.equipment_id is not None and ticket.type in (TicketType.MAINTENANCE, TicketType.INSTALLATION):
        equipment = await uow.session.get_one(Equipment, ticket.equipment_id)
        equipment.last_service_at = now
        equipment.hours_at_last_service = equipment.running_hours
    return ticket


async def resume(uow: UnitOfWork, *, actor: Actor, ticket_id: int) -> Ticket:
    """Parts arrived: back to accepted, to go on site again."""
    ticket = await own_ticket(uow.session, actor, ticket_id)
    if ticket.status != S.WAITING_PARTS:
        raise InvalidInput("error.ticket_transition", number=ticket.number, status=ticket.status.value, to=S.ACCEPTED.value)
    move(uow, ticket, S.ACCEPTED, actor, note="parts arrived")
    return ticket


async def close_or_cancel(uow: UnitOfWork, *, actor: Actor, ticket_id: int, to: TicketStatus) -> Ticket:
    """Managers close a resolved ticket or cancel an open one."""
    from core.services.parts import release_reservations

    if not is_manager(actor.user):
        raise PermissionDenied()
    ticket = await uow.session.scalar(select(Ticket).where(Ticket.id == ticket_id).with_for_update())
    if ticket is None:
        raise NotFound("error.ticket_unknown")
    move(uow, ticket, to, actor)
    if to == S.CANCELLED:
        await release_reservations(uow, ticket)
    return ticket

