"""Ticket assigned (派工通知): the engineer hears at once, with the card and the reason they were chosen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Text
from conversations.service.views import reason_text
from core.models import Ticket, utcnow
from core.service_events import TicketAssigned
from core.settings import Settings
from notifications.compose import Composer
from notifications.outbox import enqueue
from notifications.rules.base import Pending, Rule
from notifications.rules.service.common import card_for, row, still_open

KIND = "ticket_assigned"


def handler(composer: Composer) -> Callable[[AsyncSession, TicketAssigned], Awaitable[None]]:
    async def on_assigned(session: AsyncSession, event: TicketAssigned) -> None:
        ticket = await session.get(Ticket, event.ticket_id)
        to = (await composer.recipients(session, [event.engineer_id])).get(event.engineer_id)
        if ticket is None or to is None:
            return
        now, v = utcnow(), to.voice
        head = v.t("notify.svc.assigned", number=ticket.number, reason=reason_text(v, event.reason))
        stamp = int((ticket.assigned_at or now).timestamp())
        item = row(KIND, f"{KIND}:{ticket.id}:{event.engineer_id}:{stamp}", to, now, head, [Text(head), await card_for(session, ticket, to, now)], ref=ticket.id)
        await enqueue(session, [item])

    return on_assigned


async def still_theirs(session: AsyncSession, rows: Sequence[Pending], settings: Settings) -> set[int]:
    """Not worth sending once the ticket went to someone else or was finished."""
    alive = await still_open(session, rows, settings)
    keep = set()
    for r in rows:
        ticket = await session.get(Ticket, r.ref_id) if r.id in alive and r.ref_id else None
        if ticket is not None and ticket.assignee_id == r.user_id:
            keep.add(r.id)
    return keep


RULE = Rule(KIND, stale=still_theirs)
