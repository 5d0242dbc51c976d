"""The service manager's desk (`/service`, 服务台): open tickets, SLA breaches, the dispatch board,
reassignment with reasons, close or cancel, the engineers' assessment, and 'schedule it' answers
to predictive-maintenance warnings."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.messages import Choices, Reply, Text
from conversations.service.desk import assessment_text, board, ticket_list
from conversations.service.lookups import card_for
from conversations.service.views import reason_text
from core.errors import InvalidInput
from core.models import Role, TicketStatus
from core.services import dispatch as dispatching
from core.services import tickets
from core.services.maintenance import schedule_predicted
from core.services.telemetry import Policy

MANAGERS = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
VIEWS = {"open": "ot", "sla": "sb", "board": "db", "assess": "as", "派工": "db", "超时": "sb"}


class ServiceDeskFlow(Flow):
    code = "sd"
    commands = ("service", "服务台", "dispatch", "派工")
    roles = MANAGERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        view = VIEWS.get(args.strip().lower())
        if view:
            return await self.on_action(ctx, view)
        menu = (("ot", "svc.m.open"), ("sb", "svc.m.sla"), ("db", "svc.m.board"), ("as", "svc.m.assess"))
        buttons = [ctx.button(ctx.t(label), self.code, code, stateless=True) for code, label in menu]
        buttons.append(ctx.button(ctx.t("menu.newticket"), "x", "go:newticket", stateless=True))
        return [Choices(ctx.t("svc.desk_prompt"), tuple(buttons))]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        views = {"ot": lambda: ticket_list(ctx, breached_only=False), "sb": lambda: ticket_list(ctx, breached_only=True),
                 "db": lambda: board(ctx), "as": lambda: assessment_text(ctx)}
        if arg in views:
            return await views[arg]()
        code, rest = arg[:2], arg[2:]
        if arg.startswith("o") and arg[1:].isdigit():
            return [await card_for(ctx, int(arg[1:]))]
        if code == "pm":
            return await self._predicted(ctx, rest)
        if code == "as" and ":" in rest:
            tid, _, uid = rest.partition(":")
            if tid.isdigit() and uid.isdigit():
                return await self._reassign(ctx, int(tid), int(uid))
        if not rest.isdigit():
            return [Text(ctx.t("error.action_expired"))]
        handlers = {"ra": self._candidates, "dp": self._dispatch, "cl": self._close, "cx": self._cancel}
        handler = handlers.get(code)
        return await handler(ctx, int(rest)) if handler else [Text(ctx.t("error.action_expired"))]

    async def _candidates(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.get_ticket(ctx.session, tid)
        s = ctx.deps.settings
        pool = await dispatching.candidates(ctx.session, ticket, now=ctx.turn.received_at, timezone=s.timezone)
        ranked = dispatching.rank(pool, load_km=s.service_load_km, max_load=s.service_max_load)
        others = [c for c in pool if c not in ranked]
        buttons = []
        for c in [*ranked, *others]:
            if c.user.id == ticket.assignee_id:
                continue
            label = f"{c.user.display_name(ctx.locale)} · {reason_text(ctx, c.reason(ticket.skill))}"
            if not c.has_skill:
                label = "⚠️ " + label
            buttons.append(ctx.button(label[:60], self.code, f"as{ticket.id}:{c.user.id}", stateless=True))
        if not buttons:
            return [Text(ctx.t("svc.no_engineers"))]
        return [Choices(ctx.t("svc.pick_engineer", number=ticket.number), tuple(buttons[:10]))]

    async def _reassign(self, ctx: Ctx, tid: int, uid: int) -> list[Reply]:
        ticket = await dispatching.reassign(ctx.uow, actor=ctx.actor, ticket_id=tid, engineer_id=uid, timezone=ctx.deps.settings.timezone, now=ctx.turn.received_at)
        return [Text(ctx.t("svc.reassigned", number=ticket.number, reason=reason_text(ctx, ticket.dispatch_note))), await card_for(ctx, tid)]

    async def _dispatch(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.get_ticket(ctx.session, tid)
        if ticket.status != TicketStatus.NEW:
            raise InvalidInput("error.ticket_transition", number=ticket.number, status=ticket.status.value, to="assigned")
        s = ctx.deps.settings
        chosen = await dispatching.dispatch(ctx.uow, actor=ctx.actor, ticket=ticket, load_km=s.service_load_km, max_load=s.service_max_load, timezone=s.timezone, now=ctx.turn.received_at)
        if chosen is None:
            return [Text(ctx.t("svc.no_engineers"))]
        name = chosen.user.display_name(ctx.locale)
        return [Text(ctx.t("svc.created_assigned", number=ticket.number, name=name, reason=reason_text(ctx, ticket.dispatch_note))), await card_for(ctx, tid)]

    async def _close(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.close_or_cancel(ctx.uow, actor=ctx.actor, ticket_id=tid, to=TicketStatus.CLOSED)
        return [Text(ctx.t("svc.closed", number=ticket.number))]

    async def _cancel(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.close_or_cancel(ctx.uow, actor=ctx.actor, ticket_id=tid, to=TicketStatus.CANCELLED)
        return [Text(ctx.t("svc.cancelled", number=ticket.number))]

    async def _predicted(self, ctx: Ctx, rest: str) -> list[Reply]:
        eid, _, metric = rest.partition(":")
        if not eid.isdigit() or not metric:
            return [Text(ctx.t("error.action_expired"))]
        policy = Policy.from_settings(ctx.deps.settings)
        ticket = await schedule_predicted(ctx.uow, actor=ctx.actor, equipment_id=int(eid), metric=metric, policy=policy, now=ctx.turn.received_at)
        if ticket is None:
            return [Text(ctx.t("svc.predicted_exists"))]
        return [Text(ctx.t("svc.predicted_created", number=ticket.number)), await card_for(ctx, ticket.id)]


