"""Parts on a ticket (备件): search by name or SKU → pick → quantity → used (stock decremented) or
waited for (reserved centrally, the rest ordered)."""

from __future__ import annotations

import re

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Choices, Reply, Text
from conversations.service.lookups import card_for
from core.errors import InvalidInput
from core.models import Role, SparePart
from core.services import parts, tickets

QUANTITY = re.compile(r"^\s*([+-]?\d{1,6})\s*(个|件|只|套|pcs?|x)?\s*$", re.I)


def parse_quantity(text: str) -> int:
    """'3', '3个', '2 pcs' → the number; anything else is a clear error, zero and negatives too."""
    m = QUANTITY.match(text)
    if not m:
        raise InvalidInput("error.parts_quantity", limit=parts.MAX_QUANTITY)
    quantity = int(m.group(1))
    parts.check_quantity(quantity)
    return quantity


class TicketPartsFlow(Flow):
    code = "tp"
    roles = frozenset({Role.ENGINEER})

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        mode, rest = arg[:1], arg[1:]
        if mode in ("u", "w") and rest.isdigit():
            ticket = await tickets.own_ticket(ctx.session, ctx.actor, int(rest))
            if ticket.status not in parts.USABLE:
                raise InvalidInput("error.ticket_transition", number=ticket.number, status=ticket.status.value, to="parts")
            ctx.begin(self.code, "query", ticket=ticket.id, mode=mode)
            return [Text(ctx.t("svc.parts_ask_query"))]
        if mode == "p" and rest.isdigit() and ctx.dialog is not None:
            part = await ctx.session.get(SparePart, int(rest))
            if part is None:
                return [Text(ctx.t("error.part_unknown"))]
            ctx.goto("quantity", part=part.id)
            return [Text(ctx.t("svc.parts_ask_quantity", sku=part.sku, name=part.name_zh))]
        return [Text(ctx.t("error.action_expired"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if not isinstance(event, TextEvent) or ctx.dialog is None:
            return self.unexpected(ctx)
        if ctx.dialog.step == "query":
            return await self._search(ctx, event.text)
        if ctx.dialog.step == "quantity":
            return await self._record(ctx, parse_quantity(event.text))
        return self.unexpected(ctx)

    async def _search(self, ctx: Ctx, query: str) -> list[Reply]:
        found = await parts.search_parts(ctx.session, query[:100])
        if not found:
            return [Text(ctx.t("svc.parts_none", query=query[:100]))]
        lines = await parts.stock_lines(ctx.session, found, ctx.me.user.id)
        buttons = tuple(
            ctx.button(ctx.t("svc.parts_option", sku=s.part.sku, name=s.part.name_zh, van=s.van, central=s.central)[:60], self.code, f"p{s.part.id}")
            for s in lines
        )
        return [Choices(ctx.t("svc.parts_pick", count=len(lines)), buttons)]

    async def _record(self, ctx: Ctx, quantity: int) -> list[Reply]:
        assert ctx.dialog is not None
        tid, part_id, mode = int(ctx.dialog.data["ticket"]), int(ctx.dialog.data["part"]), ctx.dialog.data["mode"]
        part = await ctx.session.get_one(SparePart, part_id)
        if mode == "u":
            await parts.use_parts(ctx.uow, actor=ctx.actor, ticket_id=tid, part_id=part_id, quantity=quantity)
            message = ctx.t("svc.parts_used", sku=part.sku, quantity=quantity)
        else:
            reserved, request = await parts.wait_for_parts(ctx.uow, actor=ctx.actor, ticket_id=tid, part_id=part_id, quantity=quantity)
            message = ctx.t("svc.parts_waiting", sku=part.sku, reserved=reserved, ordered=request.quantity if request else 0)
        ctx.finish()
        return [Text(message), await card_for(ctx, tid)]
