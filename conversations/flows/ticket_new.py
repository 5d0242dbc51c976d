"""A service manager opens a ticket from chat (`/newticket`, 新建工单): customer search → equipment →
type → problem → priority → created and dispatched, with the reason for the engineer chosen."""

from __future__ import annotations

from sqlalchemy import select

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Choices, Reply, Text
from conversations.pickers import AS_TYPED, customer_choices, find_customers, plain_pick
from conversations.service.lookups import card_for
from conversations.service.views import reason_text
from core.models import Equipment, Priority, Role, TicketType
from core.services.customers import readable
from core.services.dispatch import dispatch
from core.services.tickets import NewTicket, open_ticket

MANAGERS = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


class NewTicketFlow(Flow):
    code = "tn"
    commands = ("newticket", "新建工单", "报修", "ticket")
    roles = MANAGERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        ctx.begin(self.code, "customer")
        if args:
            return await self._search(ctx, args)
        return [Text(ctx.t("svc.new_ask_customer"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if not isinstance(event, TextEvent) or ctx.dialog is None:
            return self.unexpected(ctx)
        if ctx.dialog.step == "customer":
            return await self._search(ctx, event.text)
        if ctx.dialog.step == "problem":
            problem = event.text.strip()
            ctx.goto("priority", problem=problem[:2000])
            buttons = tuple(ctx.button(ctx.t(f"svc.priority.{p.value}"), self.code, f"p{p.value}") for p in Priority)
            return [Choices(ctx.t("svc.new_ask_priority"), buttons)]
        return self.unexpected(ctx)

    async def _search(self, ctx: Ctx, query: str) -> list[Reply]:
        hits = await find_customers(ctx, query)
        if (meant := plain_pick(hits, at_least=AS_TYPED)) is not None:
            return await self._equipment(ctx, meant.customer.id)
        return customer_choices(ctx, query, hits, flow=self.code, prefix="c")

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        kind, value = arg[:1], arg[1:]
        if kind == "c" and value.isdigit():
            return await self._equipment(ctx, int(value))
        if kind == "e" and value.isdigit():
            ctx.goto("type", equipment=int(value) or None)
            buttons = tuple(ctx.button(ctx.t(f"svc.type.{t.value}"), self.code, f"t{t.value}") for t in TicketType)
            return [Choices(ctx.t("svc.new_ask_type"), buttons)]
        if kind == "t" and value in {t.value for t in TicketType}:
            ctx.goto("problem", type=value)
            return [Text(ctx.t("svc.new_ask_problem"))]
        if kind == "p" and value in {p.value for p in Priority} and ctx.dialog and ctx.dialog.step == "priority":
            return await self._create(ctx, Priority(value))
        return [Text(ctx.t("error.action_expired"))]

    async def _equipment(self, ctx: Ctx, customer_id: int) -> list[Reply]:
        customer = await readable(ctx.session, ctx.me, customer_id)
        ctx.goto("equipment", customer=customer.id)
        machines = (await ctx.session.scalars(select(Equipment).where(Equipment.customer_id == customer.id).order_by(Equipment.id))).all()
        buttons = [ctx.button(f"{e.model} · {e.serial}", self.code, f"e{e.id}") for e in machines[:10]]
        buttons.append(ctx.button(ctx.t("svc.new_no_equipment"), self.code, "e0"))
        return [Choices(ctx.t("svc.new_ask_equipment", name=customer.name), tuple(buttons))]

    async def _create(self, ctx: Ctx, priority: Priority) -> list[Reply]:
        assert ctx.dialog is not None
        data, s = ctx.dialog.data, ctx.deps.settings
        new = NewTicket(int(data["customer"]), TicketType(data["type"]), priority, str(data["problem"]), data.get("equipment"))
        ticket = await open_ticket(ctx.uow, actor=ctx.actor, new=new, sla=s.service_sla, timezone=ctx.timezone, now=ctx.turn.received_at)
        assert ticket is not None
        chosen = await dispatch(
            ctx.uow, actor=ctx.actor, ticket=ticket, load_km=s.service_load_km, max_load=s.service_max_load,
            timezone=s.timezone, now=ctx.turn.received_at,
        )
        ctx.finish()
        if chosen is None:
            head = ctx.t("svc.created_unassigned", number=ticket.number)
        else:
            head = ctx.t("svc.created_assigned", number=ticket.number, name=chosen.user.display_name(ctx.locale), reason=reason_text(ctx, ticket.dispatch_note))
        return [Text(head), await card_for(ctx, ticket.id)]
