"""Queries the service dialogs share: an engineer's open tickets nearest first, the rating link."""

from __future__ import annotations

from sqlalchemy import select

from conversations.context import Ctx
from conversations.messages import Action, Reply, Text
from conversations.service.qr import rating_qr
from conversations.service.views import TicketView, load_view, ticket_card
from core.geo import distance_m
from core.models import OPEN_TICKET_STATUSES, Customer, EngineerProfile, Ticket, TicketStatus
from core.services.dispatch import engineer_point, site_of
from core.services.tickets import is_manager, readable_ticket


async def my_open_tickets(ctx: Ctx) -> list[tuple[Ticket, Customer, float | None]]:
    """The engineer's open tickets, nearest first (from the last known location), then by deadline."""
    rows = (
        await ctx.session.execute(
            select(Ticket, Customer)
            .join(Customer, Customer.id == Ticket.customer_id)
            .where(Ticket.assignee_id == ctx.me.user.id, Ticket.status.in_(OPEN_TICKET_STATUSES))
        )
    ).all()
    profile = await ctx.session.get(EngineerProfile, ctx.me.user.id)
    here = engineer_point(profile) if profile else None
    found: list[tuple[Ticket, Customer, float | None]] = []
    for ticket, customer in rows:
        site = await site_of(ctx.session, ticket)
        km = distance_m(here, site) / 1000 if here and site else None
        found.append((ticket, customer, km))
    found.sort(key=lambda r: (r[2] if r[2] is not None else 1e9, r[0].resolve_by))
    return found


async def card_for(ctx: Ctx, ticket_id: int) -> Reply:
    ticket = await readable_ticket(ctx.session, ctx.me.user, ticket_id)
    view: TicketView = await load_view(ctx.session, ticket)
    return ticket_card(ctx, ctx.button, view, ctx.turn.received_at, viewer=ctx.me.user, manager=is_manager(ctx.me.user))


def rating_replies(ctx: Ctx, ticket: Ticket) -> list[Reply]:
    """The QR code to show on site and the same link to forward."""
    if ticket.status != TicketStatus.RESOLVED:
        return [Text(ctx.t("svc.rating_not_now", number=ticket.number))]
    page = ctx.deps.rating_page
    url = page(ticket.id, ctx.locale) if page else None
    if url is None:
        return [Text(ctx.t("svc.rating_unavailable"))]
    media = rating_qr(url, ticket.number, ctx.t("svc.rating_qr_caption", number=ticket.number))
    from conversations.messages import Choices

    return [media, Choices(ctx.t("svc.rating_link_text"), (Action(ctx.t("svc.rating_open"), url=url),))]
