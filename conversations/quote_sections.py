"""The sales part of the customer 360 card: open opportunities and quotes, with where each waits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from conversations.context import Ctx
from conversations.quote_cards import STATUS_MARKS
from core.models import Opportunity, Quote, Role
from core.models.opportunities import OPEN_STAGES
from core.services.customers import History
from core.services.quote_views import OPEN, waiting_on

MAX_LINES = 5
SEE_ALL = frozenset({Role.DIRECTOR, Role.ADMIN, Role.FINANCE})


async def quote_sections(ctx: Ctx, customer_id: int, has: History) -> dict[str, list[str]]:
    """Only records the viewer may see: their own team's, or everyone's for directors, admins, finance.
    `has`: what the customer has at all; kinds it has none of are not queried."""
    everyone = ctx.me.role in SEE_ALL
    opps: Sequence[Opportunity] = ()
    quotes: Sequence[Quote] = ()
    if has.opportunities:
        opps_q = select(Opportunity).where(Opportunity.customer_id == customer_id, Opportunity.stage.in_(OPEN_STAGES))
        if not everyone:
            opps_q = opps_q.where(Opportunity.owner_id.in_(ctx.me.team))
        opps = (await ctx.session.scalars(opps_q.order_by(Opportunity.expected_close))).all()
    if has.quotes:
        quotes_q = select(Quote).where(Quote.customer_id == customer_id, Quote.status.in_(OPEN))
        if not everyone:
            quotes_q = quotes_q.where(Quote.owner_id.in_(ctx.me.team))
        quotes = (await ctx.session.scalars(quotes_q.order_by(Quote.updated_at.desc()))).all()
    sections: dict[str, list[str]] = {}
    if opps:
        sections[ctx.t("quote.sec.opportunities", count=len(opps))] = [
            ctx.t(
                "quote.sec.opportunity_row", name=o.name[:40], stage=ctx.t("opp.stage." + o.stage.value),
                amount=ctx.fmt.money(o.amount, o.currency), pct=o.probability, close=ctx.fmt.date(o.expected_close),
            )
            for o in opps[:MAX_LINES]
        ]
    if quotes:
        waits = await waiting_on(ctx.session, [q.id for q in quotes])
        rows = []
        for q in quotes[:MAX_LINES]:
            row = f"{STATUS_MARKS[q.status.value]} {q.number} · {ctx.t('quote.status.' + q.status.value)} · {ctx.fmt.money(q.total, q.currency)}"
            if q.id in waits:
                row += " → " + waits[q.id].display_name(ctx.locale)
            rows.append(row)
        sections[ctx.t("quote.sec.quotes", count=len(quotes))] = rows
    return sections
