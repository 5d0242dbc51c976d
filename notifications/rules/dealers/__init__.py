"""Dealer notifications: safety-stock alerts, rebate reminders (next tier, period close), and
rebate claims through the approval cards."""

from __future__ import annotations

from core.dealer_events import StockBelowSafety
from core.events import EventBus
from notifications.compose import Composer
from notifications.rules.base import Rule
from notifications.rules.dealers import claims, rebate_reminders, stock_low

RULES: tuple[Rule, ...] = (stock_low.RULE, *rebate_reminders.RULES, claims.RULE)


def subscribe(bus: EventBus, composer: Composer) -> None:
    bus.subscribe(StockBelowSafety, stock_low.handler(composer))
    claims.subscribe(bus, composer)
