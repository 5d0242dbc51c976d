"""The dealer part of the customer 360 card: the latest stock snapshot (low products first)."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.stock_cards import qty
from core.models import Customer, CustomerType
from core.services.stock_views import latest

MAX_LINES = 8


async def dealer_sections(ctx: Ctx, customer_id: int) -> dict[str, list[str]]:
    """Only for dealers, and only as far as the 360 itself was readable (the caller checked)."""
    customer = await ctx.session.get(Customer, customer_id)
    if customer is None or customer.type != CustomerType.DEALER:
        return {}
    figures = await latest(ctx.session, customer_id)
    if not figures:
        return {ctx.t("stock.sec.title", count=0): [ctx.t("stock.snapshot.empty")]}
    figures.sort(key=lambda f: (not f.low, f.product.sku))
    rows = []
    for f in figures[:MAX_LINES]:
        row = ctx.t("stock.sec.row", sku=f.product.sku, qty=qty(f.quantity), unit=f.product.base_unit, date=ctx.fmt.date(f.day))
        if f.low and f.minimum is not None:
            row += ctx.t("stock.snapshot.low", min=qty(f.minimum))
        rows.append(row)
    if len(figures) > MAX_LINES:
        rows.append(ctx.t("stock.more_rows", count=len(figures) - MAX_LINES))
    return {ctx.t("stock.sec.title", count=len(figures)): rows}
