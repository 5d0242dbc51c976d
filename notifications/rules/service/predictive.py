"""Predictive maintenance (预测性维护): a reading over its threshold (one ticket, already opened by
ingestion) alerts the service manager; a rising trend raises an early warning phrased as a
question, whose button opens the maintenance ticket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Card, Choices, Field
from core.models import Customer, Equipment, Ticket, utcnow
from core.service_events import ThresholdBreached, TrendWarning
from core.services.inbound_dedupe import first_time
from core.services.maintenance import trend_sweep
from core.services.service_staff import service_managers
from core.services.telemetry import METRICS
from core.uow import UnitOfWork
from notifications.compose import Composer
from notifications.outbox import enqueue
from notifications.rules.base import Rule, RuleEnv
from notifications.rules.service.common import row

KIND, TREND_KIND = "threshold_breached", "trend_warning"


def breach_handler(composer: Composer) -> Callable[[AsyncSession, ThresholdBreached], Awaitable[None]]:
    async def on_breach(session: AsyncSession, event: ThresholdBreached) -> None:
        ticket = await session.get_one(Ticket, event.ticket_id)
        equipment = await session.get_one(Equipment, event.equipment_id)
        customer = await session.get_one(Customer, equipment.customer_id)
        unit = METRICS.get(event.metric, "")
        now, items = utcnow(), []
        for uid, to in (await composer.recipients(session, await service_managers(session, ticket.assignee_id))).items():
            v = to.voice
            head = v.t("notify.svc.breach", model=equipment.model, name=customer.name, metric=v.t(f"notify.svc.metric.{event.metric}") if event.metric in METRICS else event.metric,
                       value=f"{event.value:g}{unit}", limit=f"{event.threshold:g}{unit}")
            fields = (Field(v.t("notify.svc.for_ticket"), ticket.number), Field(v.t("svc.f.equipment"), equipment.serial))
            actions = (v.button(v.t("svc.pick_ticket").rstrip(":："), "sd", f"o{ticket.id}", style="primary"),)
            items.append(row(KIND, f"{KIND}:{ticket.id}:{uid}", to, now, head, [Card("🚨 " + head, fields, actions)], ref=ticket.id))
        await enqueue(session, items)

    return on_breach


def trend_handler(composer: Composer) -> Callable[[AsyncSession, TrendWarning], Awaitable[None]]:
    async def on_trend(session: AsyncSession, event: TrendWarning) -> None:
        equipment = await session.get_one(Equipment, event.equipment_id)
        customer = await session.get_one(Customer, equipment.customer_id)
        now, items = utcnow(), []
        for uid, to in (await composer.recipients(session, await service_managers(session))).items():
            v = to.voice
            metric = v.t(f"notify.svc.metric.{event.metric}") if event.metric in METRICS else event.metric
            question = v.t("notify.svc.trend", model=equipment.model, name=customer.name, days=round(event.days_left), metric=metric)
            buttons = (v.button(v.t("notify.svc.schedule"), "sd", f"pm{equipment.id}:{event.metric}", style="primary"), v.button(v.t("menu.c"), "cu", f"v:{customer.id}"))
            key = f"{TREND_KIND}:{equipment.id}:{event.metric}:{now.isocalendar()[0]}-{now.isocalendar()[1]}:{uid}"
            detail = Card("📈 " + equipment.model, (Field(v.t("notify.svc.trend_detail"), f"{event.last_value:g} → {event.threshold:g}{METRICS.get(event.metric, '')}"),))
            items.append(row(TREND_KIND, key, to, now, question, [detail, Choices(question, buttons)], ref=equipment.id))
        await enqueue(session, items)

    return on_trend


async def trend_sweep_hourly(env: RuleEnv, at: datetime) -> int:
    """The trend fit reads every series: once an hour is plenty (across all workers)."""
    async with UnitOfWork(env.sessionmaker, env.bus) as uow:
        if not await first_time(uow.session, source="service-sweep", event_id=f"trend:{at:%Y-%m-%dT%H}"):
            return 0
        raised = await trend_sweep(uow, now=at, horizon_days=env.settings.telemetry_trend_days)
        await uow.commit()
    return len(raised)


RULE = Rule(KIND)
TREND_RULE = Rule(TREND_KIND, sweep=trend_sweep_hourly)
