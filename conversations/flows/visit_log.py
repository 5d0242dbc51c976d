"""Log a visit, call or message without GPS (联系记录): customer → what happened → next contact."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.flows.next_contact import next_contact_field, to_moment
from conversations.forms import check_form
from conversations.inbound import Event, FormEvent, TextEvent
from conversations.messages import Choices, Form, FormField, Reply, Text
from conversations.pickers import AS_TYPED, customer_choices, find_customers, plain_pick
from core.models import ContactKind, Customer, Role
from core.services.contact_log import log_contact
from core.services.customers import readable
from core.services.visits import open_visit

KINDS = (ContactKind.VISIT, ContactKind.CALL, ContactKind.MESSAGE, ContactKind.OTHER)


class VisitLogFlow(Flow):
    code = "vl"
    commands = ("visit", "log", "拜访", "记录", "联系", "contact")
    roles = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        ctx.begin(self.code, "customer")
        if args:
            return await self._search(ctx, args)
        offer = await self._open_visit_offer(ctx)
        return [offer or Text(ctx.t("visitlog.ask_customer"))]

    async def _open_visit_offer(self, ctx: Ctx) -> Choices | None:
        """Checked in somewhere: that visit is the one to write up (checking out records it)."""
        here = await open_visit(ctx.session, ctx.me.user.id, ctx.turn.received_at)
        if here is None:
            return None
        customer = await ctx.session.get_one(Customer, here.customer_id)
        out = ctx.button(ctx.t("visitlog.check_out_open"), "ci", f"out{here.id}", stateless=True, style="primary")
        return Choices(ctx.t("visitlog.ask_customer_open", name=customer.name, time=ctx.fmt.datetime(here.checked_in_at)), (out,))

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        step = ctx.dialog.step if ctx.dialog else None
        if isinstance(event, TextEvent) and step == "customer":
            return await self._search(ctx, event.text)
        if isinstance(event, FormEvent) and step == "form":
            return await self._save(ctx, event.values)
        return self.unexpected(ctx)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg.startswith("p") and arg[1:].isdigit():
            return await self._picked(ctx, int(arg[1:]))
        return [Text(ctx.t("error.action_expired"))]

    async def _picked(self, ctx: Ctx, customer_id: int) -> list[Reply]:
        customer = await readable(ctx.session, ctx.me, customer_id)
        if ctx.dialog is None or ctx.dialog.flow != self.code:
            ctx.begin(self.code, "form")
        ctx.goto("form", customer_id=customer.id)
        return [await self._form(ctx, customer)]

    async def _search(self, ctx: Ctx, query: str) -> list[Reply]:
        hits = await find_customers(ctx, query)
        if (meant := plain_pick(hits, at_least=AS_TYPED)) is not None:
            return await self._picked(ctx, meant.customer.id)
        replies = customer_choices(ctx, query, hits, flow=self.code, prefix="p")
        offer = await self._open_visit_offer(ctx) if not hits else None
        return [*replies, offer] if offer else replies

    async def _form(self, ctx: Ctx, customer: Customer, errors: tuple[tuple[str, str], ...] = ()) -> Form:
        kinds = tuple((k.value, ctx.t(f"contact_kind.{k.value}")) for k in KINDS)
        return Form(
            ctx.t("visitlog.title", name=customer.name),
            (
                FormField("kind", ctx.t("visitlog.kind"), "choice", options=kinds),
                FormField("summary", ctx.t("checkout.summary"), "textarea"),
                FormField("next_step", ctx.t("checkout.next_step"), required=False),
                await next_contact_field(ctx, customer),
            ),
            ctx.button(ctx.t("visitlog.submit"), self.code, "submit", style="primary"),
            errors=errors,
        )

    async def _save(self, ctx: Ctx, values: dict[str, object]) -> list[Reply]:
        assert ctx.dialog is not None
        customer = await readable(ctx.session, ctx.me, int(ctx.dialog.data["customer_id"]))
        form = await self._form(ctx, customer)
        clean, errors = check_form(form.fields, values, ctx.today())
        if errors:
            return [await self._form(ctx, customer, tuple((f, ctx.t(c, **p)) for f, c, p in errors))]
        await log_contact(
            ctx.uow, actor=ctx.actor, scope=ctx.me, customer_id=customer.id, kind=ContactKind(clean["kind"] or ContactKind.VISIT.value),
            summary=clean["summary"] or "", next_step=clean["next_step"],
            next_contact_at=to_moment(ctx, clean["next_contact"]), timezone=ctx.timezone,
        )
        ctx.finish()
        due = customer.next_contact_at
        return [Text(ctx.t("visitlog.done", name=customer.name, next=ctx.fmt.date(due) if due else "-"))]
