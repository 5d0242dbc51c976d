"""What the service notices share: the ticket card in a recipient's language, and the row itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Action, Card, Reply
from conversations.service.views import load_view, ticket_card
from core.models import OPEN_TICKET_STATUSES, Ticket, User
from core.services.tickets import is_manager
from core.settings import Settings
from notifications.compose import Recipient
from notifications.outbox import OutboxItem
from notifications.rules.base import Pending


def buttons_of(to: Recipient) -> Callable[..., Action]:
    """The views' button maker (label, flow, arg, stateless, style) as stateless notification buttons."""

    def make(label: str, flow: str, arg: str, *, stateless: bool = True, style: Literal["primary", "danger", "default"] = "default") -> Action:
        return to.voice.button(label, flow, arg, style=style)

    return make


async def card_for(session: AsyncSession, ticket: Ticket, to: Recipient, now: datetime) -> Card:
    view = await load_view(session, ticket)
    return ticket_card(to.voice, buttons_of(to), view, now, viewer=to.user, manager=is_manager(to.user))


def row(
    kind: str, key: str, to: Recipient, now: datetime, summary: str, replies: Sequence[Reply], *, ref: int | None, routine: bool = False
) -> OutboxItem:
    return OutboxItem(
        user_id=to.user.id, kind=kind, dedupe_key=key, due_at=now, send_after=to.send_time(now, routine=routine),
        summary=summary, replies=tuple(replies), routine=routine, ref_id=ref,
    )


async def still_open(session: AsyncSession, rows: Sequence[Pending], settings: Settings) -> set[int]:
    """Rows about a ticket are worth sending while the ticket is open."""
    ids = {r.ref_id for r in rows if r.ref_id is not None}
    open_ids = set((await session.scalars(select(Ticket.id).where(Ticket.id.in_(ids), Ticket.status.in_(OPEN_TICKET_STATUSES)))).all())
    return {r.id for r in rows if r.ref_id in open_ids}


def names(users: Sequence[User], locale: str) -> str:
    return ", ".join(u.display_name(locale) for u in users)
