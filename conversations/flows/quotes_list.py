"""`/quotes`: my quotes (a manager's: the team's) and where each one waits; withdraw; order."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.messages import Choices, Reply, Text
from conversations.quote_cards import STATUS_MARKS
from conversations.quote_review import LIST_FLOW, status_card
from core.models import Role
from core.services import approvals, orders
from core.services.quote_views import quotes_of, readable_view, waiting_on

SELLERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


class QuotesListFlow(Flow):
    code = LIST_FLOW
    commands = ("quotes", "我的报价", "报价单")
    roles = SELLERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        mine = await quotes_of(ctx.session, ctx.me, limit=12)
        if not mine:
            return [Text(ctx.t("quote.list_none"))]
        waits = await waiting_on(ctx.session, [q.id for q in mine])
        customers = await _customer_names(ctx, [q.customer_id for q in mine])
        buttons = []
        for q in mine:
            label = f"{STATUS_MARKS[q.status.value]} {q.number} · {customers.get(q.customer_id, '-')[:16]} · {ctx.fmt.money(q.total, q.currency)}"
            if q.id in waits:
                label += " → " + waits[q.id].display_name(ctx.locale)
            buttons.append(ctx.button(label, self.code, f"v{q.id}", stateless=True))
        return [Choices(ctx.t("quote.list_header", count=len(mine)), tuple(buttons))]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        kind, qid = arg[:1], arg[1:]
        if not qid.isdigit():
            return [Text(ctx.t("error.action_expired"))]
        quote_id = int(qid)
        if kind == "v":
            return [status_card(ctx, await readable_view(ctx.session, ctx.me, quote_id, ctx.today()))]
        if kind == "w":
            quote = await approvals.withdraw(ctx.uow, actor=ctx.actor, quote_id=quote_id, now=ctx.turn.received_at)
            view = await readable_view(ctx.session, ctx.me, quote.id, ctx.today())
            return [Text(ctx.t("quote.withdrawn", number=quote.number or "-")), status_card(ctx, view)]
        if kind == "o":
            order = await orders.convert(ctx.uow, actor=ctx.actor, quote_id=quote_id, now=ctx.turn.received_at, today=ctx.today())
            view = await readable_view(ctx.session, ctx.me, quote_id, ctx.today())
            return [Text(ctx.t("quote.ordered", order=order.number, total=ctx.fmt.money(order.total, order.currency))), status_card(ctx, view)]
        return [Text(ctx.t("error.action_expired"))]


async def _customer_names(ctx: Ctx, ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    from core.models import Customer

    rows = await ctx.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    return {cid: name for cid, name in rows.all()}
