"""The service part of the customer 360 card: installed equipment, open tickets, ratings."""

from __future__ import annotations

from sqlalchemy import select

from conversations.context import Ctx
from conversations.service.views import skill_label, sla_line, status_label
from core.models import OPEN_TICKET_STATUSES, Equipment, Ticket
from core.services.maintenance import due_date
from core.services.ratings import customer_rating

MAX_LINES = 5


async def service_sections(ctx: Ctx, customer_id: int) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    machines = (await ctx.session.scalars(select(Equipment).where(Equipment.customer_id == customer_id).order_by(Equipment.id))).all()
    if machines:
        rows = []
        for e in machines[:MAX_LINES]:
            due = due_date(e, ctx.timezone)
            rows.append(f"{e.model} · {e.serial} · {skill_label(ctx, e.product_line)}" + (f" · {ctx.t('svc.next_service', date=ctx.fmt.date(due))}" if due else ""))
        sections[ctx.t("svc.sec.equipment", count=len(machines))] = rows
    tickets = (await ctx.session.scalars(
        select(Ticket).where(Ticket.customer_id == customer_id, Ticket.status.in_(OPEN_TICKET_STATUSES)).order_by(Ticket.resolve_by)
    )).all()
    if tickets:
        now = ctx.turn.received_at
        sections[ctx.t("svc.sec.tickets", count=len(tickets))] = [
            f"{t.number} {ctx.t('svc.type.' + t.type.value)} · {status_label(ctx, t.status)} · {sla_line(ctx, t, now)}" for t in tickets[:MAX_LINES]
        ]
    count, average = await customer_rating(ctx.session, customer_id)
    if count:
        sections[ctx.t("svc.sec.ratings")] = [ctx.t("svc.ratings_line", count=count, stars=ctx.fmt.number(average or 0, 1))]
    return sections
