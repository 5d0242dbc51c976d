"""The service part of the customer 360 card: installed equipment, open tickets, ratings."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from conversations.context import Ctx
from conversations.service.views import skill_label, sla_line, status_label
from core.models import OPEN_TICKET_STATUSES, Equipment, Ticket
from core.services.customers import History
from core.services.maintenance import due_date
from core.services.ratings import customer_rating

MAX_LINES = 5
_EQUIPMENT = select(Equipment).where(Equipment.customer_id == bindparam("c")).order_by(Equipment.id)
_OPEN_TICKETS = (
    select(Ticket)
    .where(Ticket.customer_id == bindparam("c"), Ticket.status.in_(OPEN_TICKET_STATUSES))
    .order_by(Ticket.resolve_by)
)


async def service_sections(ctx: Ctx, customer_id: int, has: History) -> dict[str, list[str]]:
    """`has`: what the customer has at all; sections it has nothing for are not queried."""
    sections: dict[str, list[str]] = {}
    machines = (await ctx.session.scalars(_EQUIPMENT, {"c": customer_id})).all() if has.equipment else ()
    if machines:
        rows = []
        for e in machines[:MAX_LINES]:
            due = due_date(e, ctx.timezone)
            rows.append(f"{e.model} · {e.serial} · {skill_label(ctx, e.product_line)}" + (f" · {ctx.t('svc.next_service', date=ctx.fmt.date(due))}" if due else ""))
        sections[ctx.t("svc.sec.equipment", count=len(machines))] = rows
    tickets = (await ctx.session.scalars(_OPEN_TICKETS, {"c": customer_id})).all() if has.tickets else ()
    if tickets:
        now = ctx.turn.received_at
        sections[ctx.t("svc.sec.tickets", count=len(tickets))] = [
            f"{t.number} {ctx.t('svc.type.' + t.type.value)} · {status_label(ctx, t.status)} · {sla_line(ctx, t, now)}" for t in tickets[:MAX_LINES]
        ]
    count, average = await customer_rating(ctx.session, customer_id) if has.ratings else (0, None)
    if count:
        sections[ctx.t("svc.sec.ratings")] = [ctx.t("svc.ratings_line", count=count, stars=ctx.fmt.number(average or 0, 1))]
    return sections
