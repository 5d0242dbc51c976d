"""Customer 360 (客户360画像): `/c <anything>` → one card, or buttons to pick among several."""

from __future__ import annotations

from sqlalchemy import select

from conversations.context import Ctx
from conversations.dealer_sections import dealer_sections
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Action, Card, Choices, Field, Reply, Text
from conversations.pickers import customer_choices, find_customers, hidden_row, plain_pick
from conversations.quote_sections import quote_sections
from conversations.service.sections import service_sections
from core.models import Customer, CustomerGrade, Role, Visit
from core.search import CustomerHit
from core.services.customers import Customer360, change_grade, customer_360

REVIEWERS = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


BARE_QUERY_CHARS = 30
BARE_QUERY_WORDS = 3
STRONG_MATCH = 90.0
"""A bare message opens a customer only if it is short and a hit scores this well (0–100): a
name, its pinyin or initials, a phone number or a code, not a sentence that happens to match."""


class Customer360Flow(Flow):
    code = "cu"
    commands = ("c", "customer", "客户", "查", "查询", "360")
    free_text_roles = frozenset(Role) - {Role.DEALER}
    """A dealer's plain messages are stock counts; everyone else's may be a customer's name."""

    async def on_free_text(self, ctx: Ctx, text: str) -> list[Reply] | None:
        """A customer's name typed without /c (what a rep does at the gate) opens it, when the
        message could only be a name and matches one strongly; anything else is not for us."""
        query = text.strip()
        if len(query) > BARE_QUERY_CHARS or len(query.split()) > BARE_QUERY_WORDS:
            return None
        hits = await find_customers(ctx, query)
        if not any(h.score >= STRONG_MATCH for h in hits):
            return None
        return await self._lookup(ctx, query, hits)

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        if not args:
            ctx.begin(self.code, "query")
            return [Text(ctx.t("customer.ask_query"))]
        return await self._lookup(ctx, args)

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if isinstance(event, TextEvent):
            return await self._lookup(ctx, event.text)
        return self.unexpected(ctx)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        kind, _, rest = arg.partition(":")
        if kind == "v" and rest.isdigit():
            return [await self.card(ctx, int(rest))]
        if kind == "g" and rest.isdigit():
            return await self._grades(ctx, int(rest))
        if kind == "sg":
            cid, _, grade = rest.partition(":")
            await change_grade(ctx.uow, actor=ctx.actor, scope=ctx.me, customer_id=int(cid), grade_code=grade, timezone=ctx.timezone)
            return [Text(ctx.t("customer.grade_changed")), await self.card(ctx, int(cid))]
        return [Text(ctx.t("error.action_expired"))]

    async def _lookup(self, ctx: Ctx, query: str, hits: list[CustomerHit] | None = None) -> list[Reply]:
        """`hits`: the search already run for `query`, if any."""
        ctx.finish()
        hits = await find_customers(ctx, query) if hits is None else hits
        if not hits:
            return [Text(ctx.t("search.none", query=query.strip()[:100]))]
        hidden = [h for h in hits if not h.visible]
        others: list[Reply] = [Text(ctx.t("search.hidden_intro") + "\n" + "\n".join(hidden_row(ctx, h) for h in hidden))] if hidden else []
        if (meant := plain_pick(hits)) is not None:
            return [await self.card(ctx, meant.customer.id), *others]
        return customer_choices(ctx, query, hits, flow=self.code, prefix="v:", stateless=True)

    async def card(self, ctx: Ctx, customer_id: int) -> Card:
        view = await customer_360(ctx.session, scope=ctx.me, customer_id=customer_id)
        view.extras.update(await service_sections(ctx, customer_id, view.has))
        view.extras.update(await quote_sections(ctx, customer_id, view.has))
        view.extras.update(await dealer_sections(ctx, customer_id))
        return Card(
            view.customer.name if ctx.locale != "en" or not view.customer.name_en else f"{view.customer.name_en} · {view.customer.name}",
            tuple(self._fields(ctx, view)),
            tuple(self._actions(ctx, view)),
            subtitle=f"{view.customer.code} · {ctx.t('customer_type.' + view.customer.type.value)}",
            ref=f"customer:{view.customer.id}",
        )

    def _fields(self, ctx: Ctx, v: Customer360) -> list[Field]:
        c, fmt = v.customer, ctx.fmt
        grade = v.grade.name_en if ctx.locale == "en" else v.grade.name_zh
        owner = v.owner.display_name(ctx.locale) if v.owner else ctx.t("customer.pool")
        fields = [
            Field(ctx.t("customer.grade"), ctx.t("customer.grade_value", grade=grade, days=v.grade.follow_up_days)),
            Field(ctx.t("customer.owner"), owner),
            Field(ctx.t("customer.place"), " · ".join(x for x in (c.region, c.city, c.industry) if x) or "-"),
            Field(ctx.t("customer.address"), c.address or "-"),
            Field(ctx.t("customer.credit"), c.credit_level or "-"),
            Field(ctx.t("customer.last_contact"), fmt.date(c.last_contact_at) if c.last_contact_at else "-"),
            Field(ctx.t("customer.next_contact"), fmt.date(c.next_contact_at) if c.next_contact_at else "-"),
        ]
        if v.parent:
            fields.append(Field(ctx.t("customer.parent"), v.parent.name))
        if v.contacts:
            rows = [" ".join(x for x in (p.name, p.title, p.mobile or p.phone) if x) for p in v.contacts[:5]]
            fields.append(Field(ctx.t("customer.contacts"), "\n".join(rows)))
        if v.visits:
            rows = [self._visit_row(ctx, x) for x in v.visits]
            fields.append(Field(ctx.t("customer.visits"), "\n".join(rows)))
        if v.open_leads:
            fields.append(Field(ctx.t("customer.leads"), "\n".join((x.need or x.company_name)[:80] for x in v.open_leads)))
        if v.open_tasks:
            fields.append(Field(ctx.t("customer.tasks"), "\n".join(f"{fmt.date(t.due_at)} {t.title}"[:100] for t in v.open_tasks)))
        for title, lines in v.extras.items():
            fields.append(Field(title, "\n".join(lines)))
        return fields

    def _visit_row(self, ctx: Ctx, visit: Visit) -> str:
        """Managers see how far from the site and how trustworthy each check-in was."""
        row = f"{ctx.fmt.date(visit.checked_in_at)} {visit.summary or ctx.t('customer.visit_open')}"[:100]
        if ctx.me.role in REVIEWERS and (visit.trust_flags or not visit.inside_fence):
            doubts = [ctx.t(f"flag.{f}") for f in visit.trust_flags]
            if not visit.inside_fence:
                doubts.insert(0, ctx.t("team.outside") + f" {ctx.fmt.distance(visit.distance_m)}")
            row += " ⚠️ " + ", ".join(doubts)
        return row

    def _actions(self, ctx: Ctx, v: Customer360) -> list[Action]:
        cid = v.customer.id
        actions: list[Action] = []
        if ctx.me.can_log_contact(v.customer):
            actions.append(ctx.button(ctx.t("customer.check_in_here"), "ci", f"at{cid}", stateless=True, style="primary"))
            actions.append(ctx.button(ctx.t("menu.visit"), "vl", f"p{cid}", stateless=True))
            actions.append(ctx.button(ctx.t("quote.btn.new_here"), "qt", f"n{cid}", stateless=True))
        if v.customer.owner_id is None:
            actions.append(ctx.button(ctx.t("pool.claim"), "pl", f"cl{cid}", stateless=True))
        elif ctx.me.can_write_customer(v.customer):
            actions.append(ctx.button(ctx.t("customer.change_grade"), self.code, f"g:{cid}", stateless=True))
            actions.append(ctx.button(ctx.t("pool.release"), "pl", f"rl{cid}", stateless=True, style="danger"))
        return actions

    async def _grades(self, ctx: Ctx, customer_id: int) -> list[Reply]:
        customer = await ctx.session.get_one(Customer, customer_id)
        if not ctx.me.can_write_customer(customer):
            return [Text(ctx.t("error.customer_not_yours"))]
        grades = (await ctx.session.scalars(select(CustomerGrade).order_by(CustomerGrade.rank))).all()
        buttons = tuple(
            ctx.button(g.name_en if ctx.locale == "en" else g.name_zh, self.code, f"sg:{customer_id}:{g.code}", stateless=True)
            for g in grades
            if g.code != customer.grade_code
        )
        return [Choices(ctx.t("customer.pick_grade", name=customer.name), buttons)]
