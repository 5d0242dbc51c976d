"""Every notification rule, one kind per module; sweeps run in this order (warn before recycling)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.events import CustomerReleased, EventBus, LeadAssigned
from core.settings import Settings
from notifications.compose import Composer
from notifications.rules import approvals, birthday, follow_up, lead_assigned, pool_recycled, pool_warning
from notifications.rules import dealers as dealer_rules
from notifications.rules import service as service_rules
from notifications.rules.base import Pending, Rule, RuleEnv, StaleCheck

RULES: tuple[Rule, ...] = (
    pool_warning.RULE, pool_recycled.RULE, follow_up.RULE, birthday.RULE, lead_assigned.RULE, *approvals.RULES, *service_rules.RULES,
    *dealer_rules.RULES,
)
STALE: dict[str, StaleCheck] = {r.kind: r.stale for r in RULES if r.stale is not None}


async def still_true(session: AsyncSession, rows: Sequence[Pending], settings: Settings) -> set[int]:
    """Ids of the rows whose kind's check (if it has one) says they are still worth sending."""
    by_kind: dict[str, list[Pending]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    alive: set[int] = set()
    for kind, group in by_kind.items():
        check = STALE.get(kind)
        alive |= await check(session, group, settings) if check else {p.id for p in group}
    return alive


def subscribe(bus: EventBus, composer: Composer) -> None:
    """Domain events that write notifications, inside the transaction that recorded them."""
    service_rules.subscribe(bus, composer)
    bus.subscribe(LeadAssigned, lead_assigned.handler(composer))
    bus.subscribe(CustomerReleased, pool_recycled.handler(composer))
    approvals.subscribe(bus, composer)
    dealer_rules.subscribe(bus, composer)


__all__ = ["RULES", "STALE", "Pending", "Rule", "RuleEnv", "still_true", "subscribe"]
