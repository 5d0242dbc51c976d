"""Postpone a follow-up from its reminder: 'in 1 / 3 / 7 days' moves the customer's next contact."""

from __future__ import annotations

from datetime import timedelta

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.messages import Reply, Text
from core.clock import start_of_day, zone
from core.errors import InvalidInput
from core.models import Role
from core.services.customers import set_next_contact

MAX_DAYS = 30


class FollowUpFlow(Flow):
    code = "fu"
    roles = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        days, _, customer = arg.partition("d")
        if not (days.isdigit() and customer.isdigit()):
            return [Text(ctx.t("error.action_expired"))]
        if not 1 <= int(days) <= MAX_DAYS:
            raise InvalidInput("followup.error.days", limit=MAX_DAYS)
        when = start_of_day(ctx.today() + timedelta(days=int(days)), zone(ctx.timezone))
        customer_row = await set_next_contact(ctx.uow, actor=ctx.actor, scope=ctx.me, customer_id=int(customer), when=when)
        return [Text(ctx.t("followup.postponed", name=customer_row.name, date=ctx.fmt.date(when)))]
