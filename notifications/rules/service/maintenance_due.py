"""Maintenance due (保养提醒): the sweep opens one maintenance ticket per machine falling due; the
customer's rep and the service manager are told (the engineer hears through the assignment)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Card, Field
from core.models import Customer, Equipment, Ticket, User, utcnow
from core.service_events import MaintenanceDue
from core.services.maintenance import maintenance_sweep
from core.services.service_staff import service_managers
from core.services.telemetry import Policy
from core.uow import UnitOfWork
from notifications.compose import Composer
from notifications.outbox import enqueue
from notifications.rules.base import Rule, RuleEnv
from notifications.rules.service.common import row

KIND = "maintenance_due"


async def sweep(env: RuleEnv, at: datetime) -> int:
    s = env.settings
    async with UnitOfWork(env.sessionmaker, env.bus) as uow:
        made = await maintenance_sweep(uow, policy=Policy.from_settings(s), now=at, within_days=s.maintenance_due_days, within_hours=s.maintenance_due_hours)
        await uow.commit()
    return len(made)


def handler(composer: Composer) -> Callable[[AsyncSession, MaintenanceDue], Awaitable[None]]:
    async def on_due(session: AsyncSession, event: MaintenanceDue) -> None:
        ticket = await session.get_one(Ticket, event.ticket_id)
        customer = await session.get_one(Customer, event.customer_id)
        equipment = await session.get_one(Equipment, event.equipment_id)
        engineer = await session.get(User, ticket.assignee_id) if ticket.assignee_id else None
        users = set(await service_managers(session, ticket.assignee_id))
        if customer.owner_id is not None:
            users.add(customer.owner_id)
        now, items = utcnow(), []
        for uid, to in (await composer.recipients(session, users)).items():
            v = to.voice
            head = v.t("notify.svc.maintenance_due", model=equipment.model, name=customer.name, date=v.fmt.date(event.due_on))
            fields = (
                Field(v.t("svc.f.equipment"), f"{equipment.model} · {equipment.serial}"),
                Field(v.t("notify.svc.for_ticket"), ticket.number),
                Field(v.t("svc.f.engineer"), engineer.display_name(v.locale) if engineer else v.t("svc.unassigned")),
            )
            actions = (v.button(v.t("menu.c"), "cu", f"v:{customer.id}"),)
            items.append(row(KIND, f"{KIND}:{ticket.id}:{uid}", to, now, head, [Card("🛠 " + head, fields, actions)], ref=ticket.id))
        await enqueue(session, items)

    return on_due


RULE = Rule(KIND, sweep=sweep)
