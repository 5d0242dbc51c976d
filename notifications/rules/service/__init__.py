"""Service notifications: ticket assigned, SLA about to breach, parts shortage, low rating,
maintenance due, and predictive maintenance (threshold breached, trend warning)."""

from __future__ import annotations

from core.events import EventBus
from core.service_events import (
    LowRating,
    MaintenanceDue,
    PartsShortage,
    SlaAtRisk,
    ThresholdBreached,
    TicketAssigned,
    TrendWarning,
)
from notifications.compose import Composer
from notifications.rules.base import Rule
from notifications.rules.service import (
    low_rating,
    maintenance_due,
    parts_shortage,
    predictive,
    sla,
    ticket_assigned,
)

RULES: tuple[Rule, ...] = (
    ticket_assigned.RULE, sla.RULE, parts_shortage.RULE, low_rating.RULE, maintenance_due.RULE, predictive.RULE,
    predictive.TREND_RULE,
)


def subscribe(bus: EventBus, composer: Composer) -> None:
    bus.subscribe(TicketAssigned, ticket_assigned.handler(composer))
    bus.subscribe(SlaAtRisk, sla.handler(composer))
    bus.subscribe(PartsShortage, parts_shortage.handler(composer))
    bus.subscribe(LowRating, low_rating.handler(composer))
    bus.subscribe(MaintenanceDue, maintenance_due.handler(composer))
    bus.subscribe(ThresholdBreached, predictive.breach_handler(composer))
    bus.subscribe(TrendWarning, predictive.trend_handler(composer))


__all__ = ["RULES", "subscribe"]
