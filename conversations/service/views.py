"""How tickets read in chat: the card with the actions that fit its status, list lines, SLA countdowns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import Formatter
from conversations.messages import Action, Card, Field
from core.models import (
    Contact,
    Customer,
    Equipment,
    SparePart,
    Ticket,
    TicketNote,
    TicketPart,
    TicketStatus,
    User,
)
from core.services.dispatch import parse_reason

S = TicketStatus
ENGINEER_FLOW, DESK_FLOW, PARTS_FLOW = "tk", "sd", "tp"
Button = Callable[..., Action]


class Speaker(Protocol):
    """What composing needs: texts and formatting in one person's language (a Ctx or a notifier's voice)."""

    @property
    def locale(self) -> str: ...

    @property
    def fmt(self) -> Formatter: ...

    def t(self, key: str, /, **params: object) -> str: ...


def status_label(sp: Speaker, status: TicketStatus) -> str:
    return sp.t(f"svc.status.{status.value}")


def skill_label(sp: Speaker, skill: str | None) -> str:
    return sp.t(f"svc.skill.{skill}") if skill else "-"


def countdown(sp: Speaker, deadline: datetime, now: datetime) -> str:
    """'in 3 h 20 min' or '⚠️ 1 h 5 min overdue'."""
    delta = deadline - now
    span = abs(delta)
    hours, minutes = int(span.total_seconds() // 3600), int(span.total_seconds() % 3600 // 60)
    text = sp.t("svc.span_h", h=hours, m=minutes) if hours else sp.t("svc.span_m", m=minutes)
    return sp.t("svc.due_in", span=text) if delta >= timedelta(0) else "⚠️ " + sp.t("svc.overdue", span=text)


def sla_line(sp: Speaker, ticket: Ticket, now: datetime) -> str:
    if ticket.status in (S.RESOLVED, S.CLOSED, S.CANCELLED):
        return "-"
    if ticket.accepted_at is None:
        return sp.t("svc.sla_respond", when=countdown(sp, ticket.respond_by, now))
    return sp.t("svc.sla_resolve", when=countdown(sp, ticket.resolve_by, now))


def reason_text(sp: Speaker, reason: str | None) -> str:
    """'km=3.2;skill=pump;load=2' → '3.2 km away, pumps, 2 open tickets'."""
    data = parse_reason(reason)
    if not data:
        return "-"
    km = data.get("km", "?")
    distance = sp.t("svc.distance_unknown") if km == "?" else sp.t("svc.km_away", km=km)
    text = sp.t("svc.reason", distance=distance, skill=skill_label(sp, data.get("skill") or None), load=data.get("load", "0"))
    return (sp.t("svc.by_manager") + " · " + text) if (reason or "").startswith("manual") else text


def ticket_title(sp: Speaker, ticket: Ticket) -> str:
    return f"{ticket.number} · {sp.t('svc.type.' + ticket.type.value)} · {sp.t('svc.priority.' + ticket.priority.value)}"


def ticket_line(sp: Speaker, ticket: Ticket, customer: Customer, now: datetime, distance_km: float | None = None) -> str:
    place = f" · {sp.t('svc.km_away', km=f'{distance_km:.1f}')}" if distance_km is not None else ""
    return f"{ticket.number} {customer.name}{place} · {status_label(sp, ticket.status)} · {sla_line(sp, ticket, now)}"


@dataclass(frozen=True)
class TicketView:
    """A ticket with what its card shows."""

    ticket: Ticket
    customer: Customer
    equipment: Equipment | None
    contact: Contact | None
    assignee: User | None
    history: list[Ticket]
    notes: list[TicketNote]
    parts: list[tuple[TicketPart, SparePart]]


async def load_view(session: AsyncSession, ticket: Ticket) -> TicketView:
    customer = await session.get_one(Customer, ticket.customer_id)
    equipment = await session.get(Equipment, ticket.equipment_id) if ticket.equipment_id else None
    contact = await session.get(Contact, ticket.contact_id) if ticket.contact_id else await session.scalar(
        select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.is_primary.desc(), Contact.id).limit(1)
    )
    assignee = await session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    history: list[Ticket] = []
    if equipment is not None:
        history = list((await session.scalars(
            select(Ticket).where(Ticket.equipment_id == equipment.id, Ticket.id != ticket.id).order_by(Ticket.created_at.desc()).limit(3)
        )).all())
    notes = list((await session.scalars(select(TicketNote).where(TicketNote.ticket_id == ticket.id).order_by(TicketNote.at.desc()).limit(3))).all())
    parts = [(tp, sp) for tp, sp in (await session.execute(
        select(TicketPart, SparePart).join(SparePart, SparePart.id == TicketPart.part_id).where(TicketPart.ticket_id == ticket.id).order_by(TicketPart.id)
    )).all()]
    return TicketView(ticket, customer, equipment, contact, assignee, history, notes, parts)


def card_fields(sp: Speaker, v: TicketView, now: datetime) -> list[Field]:
    t, fmt = v.ticket, sp.fmt
    fields = [
        Field(sp.t("svc.f.status"), status_label(sp, t.status)),
        Field(sp.t("svc.f.customer"), " · ".join(x for x in (v.customer.name, v.customer.address) if x)),
    ]
    if v.equipment is not None:
        e = v.equipment
        line = f"{e.model} · {e.serial} · {skill_label(sp, e.product_line)}"
        if e.warranty_end:
            key = "svc.in_warranty" if e.warranty_end >= fmt_date_of(now, fmt) else "svc.out_of_warranty"
            line += " · " + sp.t(key, date=fmt.date(e.warranty_end))
        fields.append(Field(sp.t("svc.f.equipment"), line))
        if v.history:
            rows = [f"{fmt.date(h.created_at)} {h.number} {sp.t('svc.type.' + h.type.value)} · {status_label(sp, h.status)}" for h in v.history]
            fields.append(Field(sp.t("svc.f.history"), "\n".join(rows)))
    fields.append(Field(sp.t("svc.f.problem"), t.problem[:500]))
    if v.contact is not None:
        phone = v.contact.mobile or v.contact.phone or v.customer.phone or ""
        fields.append(Field(sp.t("svc.f.contact"), " ".join(x for x in (v.contact.name, v.contact.title, phone) if x)))
    fields.append(Field(sp.t("svc.f.sla"), sla_line(sp, t, now)))
    if v.assignee is not None:
        fields.append(Field(sp.t("svc.f.engineer"), f"{v.assignee.display_name(sp.locale)} · {reason_text(sp, t.dispatch_note)}"))
    if t.arrived_at is not None and t.arrival_distance_m is not None:
        verdict = sp.t("team.inside" if t.arrival_inside else "team.outside")
        fields.append(Field(sp.t("svc.f.arrived"), f"{fmt.datetime(t.arrived_at)} · {fmt.distance(t.arrival_distance_m)} · {verdict}"))
    if v.parts:
        rows = [f"{p.sku} {p.name_zh} ×{tp.quantity}" + (f" ({sp.t('svc.reserved')})" if tp.reserved else "") for tp, p in v.parts]
        fields.append(Field(sp.t("svc.f.parts"), "\n".join(rows)))
    if v.notes:
        rows = [f"{fmt.datetime(n.at)} {n.text or '📷'}"[:120] for n in v.notes]
        fields.append(Field(sp.t("svc.f.notes"), "\n".join(rows)))
    if t.resolution:
        fields.append(Field(sp.t("svc.f.resolution"), t.resolution[:500]))
    return fields


def fmt_date_of(now: datetime, fmt: Formatter) -> date:
    return now.astimezone(fmt.tz).date()


Style = Literal["primary", "danger", "default"]
ENGINEER_ACTIONS: dict[TicketStatus, tuple[tuple[str, str, str, Style], ...]] = {
    S.ASSIGNED: ((ENGINEER_FLOW, "ac", "svc.a.accept", "primary"),),
    S.ACCEPTED: (
        (ENGINEER_FLOW, "ar", "svc.a.arrive", "primary"), (ENGINEER_FLOW, "nt", "svc.a.note", "default"),
        (PARTS_FLOW, "u", "svc.a.parts", "default"), (PARTS_FLOW, "w", "svc.a.wait", "default"),
        (ENGINEER_FLOW, "rs", "svc.a.resolve", "default"),
    ),
    S.ON_SITE: (
        (ENGINEER_FLOW, "nt", "svc.a.note", "default"), (PARTS_FLOW, "u", "svc.a.parts", "default"),
        (PARTS_FLOW, "w", "svc.a.wait", "default"), (ENGINEER_FLOW, "rs", "svc.a.resolve", "primary"),
    ),
    S.WAITING_PARTS: (
        (ENGINEER_FLOW, "rm", "svc.a.resume", "primary"), (PARTS_FLOW, "u", "svc.a.parts", "default"),
        (ENGINEER_FLOW, "nt", "svc.a.note", "default"), (ENGINEER_FLOW, "rs", "svc.a.resolve", "default"),
    ),
    S.RESOLVED: ((ENGINEER_FLOW, "qr", "svc.a.rating_qr", "primary"),),
}
MANAGER_ACTIONS: dict[TicketStatus, tuple[tuple[str, str, str, Style], ...]] = {
    S.NEW: ((DESK_FLOW, "dp", "svc.a.dispatch", "primary"), (DESK_FLOW, "ra", "svc.a.reassign", "default"), (DESK_FLOW, "cx", "svc.a.cancel", "danger")),
    S.RESOLVED: ((DESK_FLOW, "cl", "svc.a.close", "primary"),),
}
for _s in (S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.WAITING_PARTS):
    MANAGER_ACTIONS[_s] = ((DESK_FLOW, "ra", "svc.a.reassign", "default"), (DESK_FLOW, "cx", "svc.a.cancel", "danger"))


def card_actions(sp: Speaker, button: Button, ticket: Ticket, *, viewer: User, manager: bool) -> tuple[Action, ...]:
    """The actions that fit the status: the assignee's work, a manager's dispatching."""
    spec: list[tuple[str, str, str, Style]] = []
    if ticket.assignee_id == viewer.id:
        spec += ENGINEER_ACTIONS.get(ticket.status, ())
    if manager:
        spec += MANAGER_ACTIONS.get(ticket.status, ())
    return tuple(button(sp.t(label), flow, f"{code}{ticket.id}", stateless=True, style=style) for flow, code, label, style in spec)


def ticket_card(sp: Speaker, button: Button, v: TicketView, now: datetime, *, viewer: User, manager: bool) -> Card:
    return Card(
        ticket_title(sp, v.ticket), tuple(card_fields(sp, v, now)),
        card_actions(sp, button, v.ticket, viewer=viewer, manager=manager),
        subtitle=v.customer.name, ref=f"ticket:{v.ticket.id}",
    )
