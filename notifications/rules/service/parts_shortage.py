"""Parts shortage (缺件): the service manager hears of every purchase request a shortage raised."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Action, Card, Field
from core.models import SparePart, Ticket, utcnow
from core.service_events import PartsShortage
from core.services.service_staff import service_managers
from notifications.compose import Composer
from notifications.outbox import enqueue
from notifications.rules.base import Rule
from notifications.rules.service.common import row

KIND = "parts_shortage"


def handler(composer: Composer) -> Callable[[AsyncSession, PartsShortage], Awaitable[None]]:
    async def on_shortage(session: AsyncSession, event: PartsShortage) -> None:
        part = await session.get(SparePart, event.part_id)
        ticket = await session.get(Ticket, event.ticket_id) if event.ticket_id else None
        if part is None:
            return
        now, items = utcnow(), []
        for uid, to in (await composer.recipients(session, await service_managers(session, ticket.assignee_id if ticket else None))).items():
            v = to.voice
            head = v.t(f"notify.svc.parts_{event.reason}", sku=part.sku, name=part.name_zh, missing=event.missing)
            fields = [Field(v.t("notify.svc.request"), f"#{event.request_id} · {part.sku} ×{event.missing}")]
            actions: tuple[Action, ...] = ()
            if ticket is not None:
                fields.append(Field(v.t("notify.svc.for_ticket"), ticket.number))
                actions = (v.button(v.t("svc.pick_ticket").rstrip(":："), "sd", f"o{ticket.id}"),)
            items.append(row(KIND, f"{KIND}:{event.request_id}:{uid}", to, now, head, [Card("🔩 " + head, tuple(fields), actions)], ref=event.ticket_id))
        await enqueue(session, items)

    return on_shortage


RULE = Rule(KIND)
