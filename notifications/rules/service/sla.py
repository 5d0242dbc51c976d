"""SLA about to breach (SLA 预警): the engineer first, then — still not done — the service manager."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Text
from core.models import Ticket, User, utcnow
from core.service_events import SlaAtRisk
from core.services.maintenance import sla_sweep
from core.services.service_staff import service_managers
from core.uow import UnitOfWork
from notifications.compose import Composer
from notifications.outbox import enqueue
from notifications.rules.base import Rule, RuleEnv
from notifications.rules.service.common import card_for, row, still_open

KIND = "ticket_sla"


async def sweep(env: RuleEnv, at: datetime) -> int:
    """Raises SlaAtRisk events; the handler below writes the rows in the same transaction."""
    async with UnitOfWork(env.sessionmaker, env.bus) as uow:
        raised = await sla_sweep(uow, now=at, warn=timedelta(minutes=env.settings.service_sla_warn_minutes))
        await uow.commit()
    return len(raised)


def handler(composer: Composer) -> Callable[[AsyncSession, SlaAtRisk], Awaitable[None]]:
    async def on_risk(session: AsyncSession, event: SlaAtRisk) -> None:
        ticket = await session.get(Ticket, event.ticket_id)
        if ticket is None:
            return
        if event.stage == "engineer" and event.engineer_id is not None:
            users = [event.engineer_id]
        else:
            users = await service_managers(session, event.engineer_id)
        engineer = await session.get(User, event.engineer_id) if event.engineer_id else None
        now, items = utcnow(), []
        for uid, to in (await composer.recipients(session, users)).items():
            v = to.voice
            who = engineer.display_name(v.locale) if engineer else v.t("svc.unassigned")
            head = v.t(f"notify.svc.sla_{event.which}", number=ticket.number, when=v.fmt.datetime(event.deadline), engineer=who)
            key = f"{KIND}:{ticket.id}:{event.which}:{event.stage}:{uid}"
            items.append(row(KIND, key, to, now, head, [Text("⏰ " + head), await card_for(session, ticket, to, now)], ref=ticket.id))
        await enqueue(session, items)

    return on_risk


RULE = Rule(KIND, sweep=sweep, stale=still_open)
