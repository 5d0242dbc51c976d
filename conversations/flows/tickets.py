"""Engineer's tickets (`/tickets`, 工单): list nearest first with SLA countdown → card → accept, arrive,
note or photo, resolve, rating QR code. Parts are recorded in the `tp` dialog."""

from __future__ import annotations

from datetime import datetime

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, FormEvent, LocationEvent, MediaEvent, TextEvent
from conversations.messages import AskLocation, Choices, Form, FormField, Reply, Text
from conversations.positions import fix_of, kept, restored
from conversations.service.lookups import card_for, my_open_tickets, rating_replies
from conversations.service.views import ticket_line
from core.geo import Fix
from core.models import Role, TicketStatus
from core.services import onsite, tickets
from core.services.visits import CheckInPolicy

ROLES = frozenset({Role.ENGINEER, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
MAX_LISTED = 10


class TicketsFlow(Flow):
    code = "tk"
    commands = ("tickets", "工单", "我的工单", "tk", "mytickets")
    roles = ROLES
    location_roles = frozenset({Role.ENGINEER})

    async def on_location(self, ctx: Ctx, event: LocationEvent) -> list[Reply]:
        """Shared with nothing open: dispatch measures from here from now on, and each accepted
        ticket is offered as the one arrived at, with this very position (no second share)."""
        fix = fix_of(event, ctx.turn.received_at)
        await onsite.remember_position(ctx.uow, actor=ctx.actor, fix=fix)
        accepted = [row for row in await my_open_tickets(ctx) if row[0].status == TicketStatus.ACCEPTED]
        if not accepted:
            return [Text(ctx.t("svc.position_noted"))]
        ctx.begin(self.code, "here", fix=kept(fix))
        buttons = tuple(
            ctx.button(f"📍 {t.number} {c.name[:14]}" + (f" · {ctx.fmt.distance(km * 1000)}" if km is not None else ""), self.code, f"ah{t.id}")
            for t, c, km in accepted[:MAX_LISTED]
        )
        return [Choices(ctx.t("svc.arrived_which"), buttons)]

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        if tickets.is_manager(ctx.me.user):
            return await ctx.start_flow("service", "open")
        rows = await my_open_tickets(ctx)
        if not rows:
            return [Text(ctx.t("svc.no_tickets"))]
        now = ctx.turn.received_at
        lines = [ticket_line(ctx, t, c, now, km) for t, c, km in rows[:MAX_LISTED]]
        buttons = tuple(ctx.button(f"{t.number} {c.name}"[:40], self.code, f"o{t.id}", stateless=True) for t, c, _ in rows[:MAX_LISTED])
        return [Text(ctx.t("svc.my_header", count=len(rows)) + "\n" + "\n".join(lines)), Choices(ctx.t("svc.pick_ticket"), buttons)]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        code, ticket_id = arg[:2], arg[2:]
        if arg.startswith("o") and arg[1:].isdigit():
            return [await card_for(ctx, int(arg[1:]))]
        if not ticket_id.isdigit():
            return [Text(ctx.t("error.action_expired"))]
        tid = int(ticket_id)
        handlers = {
            "ac": self._accept, "ar": self._ask_arrival, "ah": self._arrived_here, "nt": self._ask_note,
            "rs": self._ask_resolution, "rm": self._resume, "qr": self._qr,
        }
        handler = handlers.get(code)
        if handler is None:
            return [Text(ctx.t("error.action_expired"))]
        return await handler(ctx, tid)

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        assert ctx.dialog is not None
        step, tid = ctx.dialog.step, int(ctx.dialog.data.get("ticket", 0))
        if step == "arrive" and isinstance(event, LocationEvent):
            return await self._arrive(ctx, tid, event)
        if step == "note" and isinstance(event, TextEvent):
            await tickets.add_note(ctx.uow, actor=ctx.actor, ticket_id=tid, text=event.text)
            ctx.finish()
            return [Text(ctx.t("svc.note_added")), await card_for(ctx, tid)]
        if step == "note" and isinstance(event, MediaEvent):
            await tickets.add_note(ctx.uow, actor=ctx.actor, ticket_id=tid, text=event.caption, photo_ref=event.ref)
            done = ctx.button(ctx.t("svc.a.done"), self.code, f"o{tid}", stateless=True)
            return [Choices(ctx.t("svc.photo_added"), (done,))]
        if step == "resolve" and isinstance(event, FormEvent):
            return await self._resolve(ctx, tid, event.values)
        if step == "arrive":
            return [Text(ctx.t("checkin.need_location")), self._ask_location(ctx, tid)]
        return self.unexpected(ctx)

    # -- actions ------------------------------------------------------------
    async def _accept(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.accept(ctx.uow, actor=ctx.actor, ticket_id=tid)
        return [Text(ctx.t("svc.accepted", number=ticket.number)), await card_for(ctx, tid)]

    def _ask_location(self, ctx: Ctx, tid: int) -> AskLocation:
        page = ctx.deps.location_page
        return AskLocation(ctx.t("svc.ask_arrival"), web_url=page(ctx.turn.key, ctx.locale) if page else None)

    async def _ask_arrival(self, ctx: Ctx, tid: int) -> list[Reply]:
        await tickets.own_ticket(ctx.session, ctx.actor, tid)
        ctx.begin(self.code, "arrive", ticket=tid)
        return [self._ask_location(ctx, tid)]

    async def _arrived_here(self, ctx: Ctx, tid: int) -> list[Reply]:
        """A ticket picked after a location shared with nothing open: arrive with that position."""
        stored = ctx.dialog.data.get("fix") if ctx.dialog and ctx.dialog.step == "here" else None
        if not isinstance(stored, dict):
            return [Text(ctx.t("error.action_expired"))]
        return await self._arrive_at(ctx, tid, restored(stored))

    async def _arrive(self, ctx: Ctx, tid: int, event: LocationEvent) -> list[Reply]:
        return await self._arrive_at(ctx, tid, fix_of(event, ctx.turn.received_at))

    async def _arrive_at(self, ctx: Ctx, tid: int, fix: Fix) -> list[Reply]:
        s = ctx.deps.settings
        ticket = await onsite.arrive(
            ctx.uow, actor=ctx.actor, ticket_id=tid, fix=fix, policy=CheckInPolicy(s.geofence_radius_m, s.min_accuracy_m, s.max_speed_kmh)
        )
        ctx.finish()
        verdict = "svc.arrived_inside" if ticket.arrival_inside else "svc.arrived_outside"
        text = ctx.t(verdict, number=ticket.number, distance=ctx.fmt.distance(ticket.arrival_distance_m or 0))
        if ticket.arrival_flags:
            text += "\n⚠️ " + ", ".join(ctx.t(f"flag.{f}") for f in ticket.arrival_flags)
        return [Text(text), await card_for(ctx, tid)]

    async def _ask_note(self, ctx: Ctx, tid: int) -> list[Reply]:
        await tickets.own_ticket(ctx.session, ctx.actor, tid)
        ctx.begin(self.code, "note", ticket=tid)
        return [Text(ctx.t("svc.ask_note"))]

    async def _ask_resolution(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.own_ticket(ctx.session, ctx.actor, tid)
        if ticket.status not in tickets.MOVES or tickets.S.RESOLVED not in tickets.MOVES[ticket.status]:
            return [Text(ctx.t("error.ticket_transition", number=ticket.number, status=ticket.status.value, to="resolved"))]
        ctx.begin(self.code, "resolve", ticket=tid)
        return [self._form(ctx, ticket.number)]

    def _form(self, ctx: Ctx, number: str, errors: tuple[tuple[str, str], ...] = ()) -> Form:
        return Form(
            ctx.t("svc.resolve_title", number=number),
            (FormField("resolution", ctx.t("svc.resolution_label"), "textarea"),),
            ctx.button(ctx.t("svc.a.resolve"), self.code, "submit", style="primary"),
            errors=errors,
        )

    async def _resolve(self, ctx: Ctx, tid: int, values: dict[str, object]) -> list[Reply]:
        text = str(values.get("resolution") or "").strip()
        if not text:
            ticket = await tickets.own_ticket(ctx.session, ctx.actor, tid)
            return [self._form(ctx, ticket.number, (("resolution", ctx.t("svc.resolution_required")),))]
        ticket = await tickets.resolve(ctx.uow, actor=ctx.actor, ticket_id=tid, resolution=text, now=_now(ctx))
        ctx.finish()
        return [Text(ctx.t("svc.resolved", number=ticket.number)), *rating_replies(ctx, ticket)]

    async def _resume(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.resume(ctx.uow, actor=ctx.actor, ticket_id=tid)
        return [Text(ctx.t("svc.resumed", number=ticket.number)), await card_for(ctx, tid)]

    async def _qr(self, ctx: Ctx, tid: int) -> list[Reply]:
        ticket = await tickets.own_ticket(ctx.session, ctx.actor, tid)
        return rating_replies(ctx, ticket)


def _now(ctx: Ctx) -> datetime:
    return ctx.turn.received_at

