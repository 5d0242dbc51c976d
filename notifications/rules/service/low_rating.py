"""Low rating (差评): a rating of 2 stars or less on any question alerts the service manager."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Card, Field
from core.models import Customer, ServiceRating, Ticket, User, utcnow
from core.service_events import LowRating
from core.services.service_staff import service_managers
from notifications.compose import Composer
from notifications.outbox import enqueue
from notifications.rules.base import Rule
from notifications.rules.service.common import row

KIND = "low_rating"


def handler(composer: Composer) -> Callable[[AsyncSession, LowRating], Awaitable[None]]:
    async def on_low(session: AsyncSession, event: LowRating) -> None:
        rating = await session.get(ServiceRating, event.rating_id)
        ticket = await session.get(Ticket, event.ticket_id)
        if rating is None or ticket is None:
            return
        customer = await session.get_one(Customer, ticket.customer_id)
        engineer = await session.get(User, event.engineer_id) if event.engineer_id else None
        now, items = utcnow(), []
        for uid, to in (await composer.recipients(session, await service_managers(session, event.engineer_id))).items():
            v = to.voice
            head = v.t("notify.svc.low_rating", number=ticket.number, name=customer.name, worst=event.worst)
            stars = v.t("notify.svc.stars", attitude=rating.attitude, response=rating.response, quality=rating.quality)
            fields = [Field(v.t("notify.svc.rating"), stars), Field(v.t("svc.f.engineer"), engineer.display_name(v.locale) if engineer else "-")]
            if rating.comment:
                fields.append(Field(v.t("rate.comment").split("(")[0].split("（")[0].strip(), rating.comment[:300]))
            actions = (v.button(v.t("menu.c"), "cu", f"v:{customer.id}"),)
            items.append(row(KIND, f"{KIND}:{rating.id}:{uid}", to, now, head, [Card("⚠️ " + head, tuple(fields), actions)], ref=ticket.id))
        await enqueue(session, items)

    return on_low


RULE = Rule(KIND)
