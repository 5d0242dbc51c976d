"""Check in at a customer site (外勤签到): location → nearby customers → verdict → photo → check out."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.flows.next_contact import next_contact_field, to_moment
from conversations.forms import check_form
from conversations.inbound import Event, FormEvent, LocationEvent, MediaEvent, TextEvent
from conversations.messages import Action, AskLocation, Card, Choices, Field, Form, FormField, Reply, Text
from conversations.pickers import customer_choices, find_customers, hit_label
from conversations.positions import fix_of, kept, restored
from core.geo import Fix, Point
from core.models import Customer, Role, Visit
from core.services import visits
from core.services.customers import readable
from core.services.visits import CheckInPolicy

SELLERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})
MAX_NEARBY = 6


class CheckInFlow(Flow):
    code = "ci"
    commands = ("checkin", "签到", "打卡", "ci", "check-in")
    roles = SELLERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        ctx.begin(self.code, "location")
        return [self._ask_location(ctx, ctx.t("checkin.ask_location"))]

    def _ask_location(self, ctx: Ctx, prompt: str) -> AskLocation:
        page = ctx.deps.location_page
        return AskLocation(prompt, web_url=page(ctx.turn.key, ctx.locale) if page else None)

    def waits_for(self, ctx: Ctx, event: Event) -> bool:
        """Once checked in, only photos are awaited, and they reach the open visit without the
        dialog too: a typed message after the check-in is a new request (a lookup, a greeting)."""
        return not (self._checked_in(ctx) and isinstance(event, TextEvent | FormEvent))

    @staticmethod
    def _checked_in(ctx: Ctx) -> bool:
        """The dialog's position was used: the visit is stored, photos may follow."""
        return ctx.dialog is not None and ctx.dialog.step == "in"

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if isinstance(event, LocationEvent):
            return await self._located(ctx, event)
        if isinstance(event, MediaEvent):
            return await self._photo(ctx, event)
        step = ctx.dialog.step if ctx.dialog else None
        if isinstance(event, TextEvent) and step in ("pick", "search"):
            return await self._search(ctx, event.text)
        if isinstance(event, FormEvent) and step == "out":
            return await self._check_out(ctx, event.values)
        if step == "location":
            return [Text(ctx.t("checkin.need_location")), self._ask_location(ctx, ctx.t("checkin.ask_location"))]
        return self.unexpected(ctx)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg.startswith("p") and arg[1:].isdigit():
            if self._checked_in(ctx):
                return await self._already_in(ctx, int(arg[1:]))
            return await self._check_in(ctx, int(arg[1:]))
        if arg == "s":
            ctx.goto("search")
            return [Text(ctx.t("checkin.ask_name"))]
        if arg.startswith("at") and arg[2:].isdigit():
            customer = await readable(ctx.session, ctx.me, int(arg[2:]))
            ctx.begin(self.code, "location", customer_id=customer.id)
            return [self._ask_location(ctx, ctx.t("checkin.ask_location_at", name=customer.name))]
        if arg.startswith("out") and arg[3:].isdigit():
            return await self._ask_check_out(ctx, int(arg[3:]))
        return [Text(ctx.t("error.action_expired"))]

    # -- location -----------------------------------------------------------
    async def _located(self, ctx: Ctx, event: LocationEvent) -> list[Reply]:
        if event.update_of_live:
            return await self._live_update(ctx, event, event.point())
        fix = fix_of(event, ctx.turn.received_at)
        point = fix.point
        preset = ctx.dialog.data.get("customer_id") if ctx.dialog and ctx.dialog.flow == self.code else None
        if ctx.dialog is None or ctx.dialog.flow != self.code:
            ctx.begin(self.code, "pick")
        ctx.goto("pick", fix=kept(fix))
        if preset:
            return await self._check_in(ctx, int(preset))
        hits = await ctx.deps.search.nearby(
            ctx.session, scope=ctx.me, point=point, radius_m=ctx.deps.settings.nearby_radius_m, limit=MAX_NEARBY
        )
        if not hits:
            ctx.goto("search")
            radius = ctx.fmt.distance(ctx.deps.settings.nearby_radius_m)
            return [Text(ctx.t("checkin.none_nearby", radius=radius))]
        buttons = [ctx.button(hit_label(ctx, h), self.code, f"p{h.customer.id}") for h in hits]
        buttons.append(ctx.button(ctx.t("checkin.other_customer"), self.code, "s"))
        return [Choices(ctx.t("checkin.pick_nearby", count=len(hits)), tuple(buttons))]

    async def _live_update(self, ctx: Ctx, event: LocationEvent, point: Point) -> list[Reply]:
        visit = await visits.open_visit(ctx.session, ctx.me.user.id, ctx.turn.received_at)
        if visit is None:
            return []
        at = event.taken_at or ctx.turn.received_at
        fix = Fix(point, event.accuracy_m, True, "live", at, ctx.turn.received_at, event.datum)
        await visits.update_live_position(ctx.uow, actor=ctx.actor, visit_id=visit.id, fix=fix)
        return []

    async def _search(self, ctx: Ctx, query: str) -> list[Reply]:
        fix = ctx.dialog.data.get("fix") if ctx.dialog else None
        near = Point(fix["lat"], fix["lon"]) if fix else None
        hits = await find_customers(ctx, query, near=near)
        return customer_choices(ctx, query, hits, flow=self.code, prefix="p")

    # -- check in -------------------------------------------------------------
    async def _check_in(self, ctx: Ctx, customer_id: int) -> list[Reply]:
        raw = ctx.dialog.data.get("fix") if ctx.dialog else None
        if raw is None:
            ctx.goto("location", customer_id=customer_id)
            return [self._ask_location(ctx, ctx.t("checkin.ask_location"))]
        fix = restored(raw, received_at=ctx.turn.received_at)
        settings = ctx.deps.settings
        policy = CheckInPolicy(settings.geofence_radius_m, settings.min_accuracy_m, settings.max_speed_kmh)
        customer = await readable(ctx.session, ctx.me, customer_id)  # held: the session keeps it only while referenced
        visit = await visits.check_in(ctx.uow, actor=ctx.actor, scope=ctx.me, customer_id=customer_id, fix=fix, policy=policy)
        ctx.goto("in", visit_id=visit.id)
        return [self._receipt(ctx, visit, customer), Text(ctx.t("checkin.photo_hint"))]

    async def _already_in(self, ctx: Ctx, customer_id: int) -> list[Reply]:
        """A second tap on the nearby list (a double tap on a slow network, or another name on the
        same list) after the check-in: the one position was used once; nothing more is recorded."""
        assert ctx.dialog is not None
        visit = await visits.own_visit(ctx.session, ctx.actor, int(ctx.dialog.data["visit_id"]))
        customer = await ctx.session.get_one(Customer, visit.customer_id)
        since = ctx.fmt.moment(visit.checked_in_at, ctx.turn.received_at)
        if customer.id == customer_id:
            return [Text(ctx.t("checkin.already_here", name=customer.name, time=since))]
        other = await readable(ctx.session, ctx.me, customer_id)
        out = self._check_out_button(ctx, visit.id)
        return [Choices(ctx.t("checkin.already_elsewhere", name=customer.name, time=since, other=other.name), (out,))]

    def _check_out_button(self, ctx: Ctx, visit_id: int) -> Action:
        return ctx.button(ctx.t("checkin.check_out"), self.code, f"out{visit_id}", stateless=True, style="primary")

    def _receipt(self, ctx: Ctx, visit: Visit, customer: Customer) -> Card:
        verdict = "checkin.inside" if visit.inside_fence else "checkin.outside"
        fields = [
            Field(ctx.t("checkin.distance"), ctx.fmt.distance(visit.distance_m)),
            Field(ctx.t("checkin.verdict"), ctx.t(verdict, radius=ctx.fmt.distance(visit.radius_m))),
            Field(ctx.t("checkin.accuracy"), f"±{ctx.fmt.distance(visit.accuracy_m)}" if visit.accuracy_m else "-"),
            Field(ctx.t("checkin.time"), ctx.fmt.datetime(visit.checked_in_at)),
        ]
        if visit.trust_flags:
            flags = ", ".join(ctx.t(f"flag.{f}") for f in visit.trust_flags)
            fields.append(Field(ctx.t("checkin.flags"), flags))
        out = self._check_out_button(ctx, visit.id)
        return Card(ctx.t("checkin.done", name=customer.name), tuple(fields), (out,), subtitle=customer.code, ref=f"visit:{visit.id}")

    async def _photo(self, ctx: Ctx, event: MediaEvent) -> list[Reply]:
        visit_id = ctx.dialog.data.get("visit_id") if ctx.dialog and ctx.dialog.flow == self.code else None
        if visit_id is None:
            open_ = await visits.open_visit(ctx.session, ctx.me.user.id, ctx.turn.received_at)
            visit_id = open_.id if open_ else None
        if visit_id is None:
            return [Text(ctx.t("checkin.photo_no_visit"))]
        visit = await visits.add_photo(ctx.uow, actor=ctx.actor, visit_id=int(visit_id), ref=event.ref)
        out = self._check_out_button(ctx, visit.id)
        return [Choices(ctx.t("checkin.photo_added", count=len(visit.photo_refs)), (out,))]

    # -- check out ------------------------------------------------------------
    async def _ask_check_out(self, ctx: Ctx, visit_id: int) -> list[Reply]:
        visit = await visits.own_visit(ctx.session, ctx.actor, visit_id)
        if visit.checked_out_at is not None:
            return [Text(ctx.t("error.visit_closed"))]
        customer = await ctx.session.get_one(Customer, visit.customer_id)
        ctx.begin(self.code, "out", visit_id=visit.id)
        return [await self._form(ctx, customer)]

    async def _form(self, ctx: Ctx, customer: Customer, errors: tuple[tuple[str, str], ...] = ()) -> Form:
        return Form(
            ctx.t("checkout.title", name=customer.name),
            (
                FormField("summary", ctx.t("checkout.summary"), "textarea"),
                FormField("next_step", ctx.t("checkout.next_step"), required=False),
                await next_contact_field(ctx, customer),
            ),
            ctx.button(ctx.t("checkout.submit"), self.code, "submit", style="primary"),
            errors=errors,
        )

    async def _check_out(self, ctx: Ctx, values: dict[str, object]) -> list[Reply]:
        assert ctx.dialog is not None
        visit = await visits.own_visit(ctx.session, ctx.actor, int(ctx.dialog.data["visit_id"]))
        customer = await ctx.session.get_one(Customer, visit.customer_id)
        form = await self._form(ctx, customer)
        clean, errors = check_form(form.fields, values, ctx.today())
        if errors:
            return [await self._form(ctx, customer, tuple((f, ctx.t(code, **p)) for f, code, p in errors))]
        visit = await visits.check_out(
            ctx.uow, actor=ctx.actor, scope=ctx.me, visit_id=visit.id, summary=clean["summary"] or "",
            next_step=clean["next_step"], next_contact_at=to_moment(ctx, clean["next_contact"]), timezone=ctx.timezone,
        )
        ctx.finish()
        due = customer.next_contact_at
        return [Text(ctx.t("checkout.done", name=customer.name, next=ctx.fmt.date(due) if due else "-"))]
