"""A dealer reports stock in one plain message (渠道库存上报): read, reviewed on a card, confirmed.

A dealer user's message that reads like a count ('X100水泵 12台，B200 5箱') opens this
dialog without any command. Nothing is stored until Confirm; ambiguous products are
asked with buttons, unknown ones get "did you mean", a wrong line can be removed, and a
new message replaces the draft. After Confirm the dialog remembers the stored report, so a
second tap (or a retried request) answers "already saved" instead of storing it twice.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, TextEvent
from conversations.messages import Action, Reply, Text
from conversations.stock_cards import FLOW, Button, edit_items, no_product, review_replies
from core.inventory.read import ReadLine, read_report
from core.inventory.resolve import Found
from core.models import Customer, Product, Role, StockLine, StockReport
from core.services import stock_reports
from core.services.dealers import carried, own_dealer
from core.services.safety_stock import below_safety
from core.services.stock_reports import Item, Review

DEALERS = frozenset({Role.DEALER})


def looks_like_stock(lines: list[ReadLine]) -> bool:
    """A count anywhere, or a product the catalog knows: otherwise the message is something else."""
    return any(
        ln.raw.value is not None or ln.raw.qty_text or ln.resolution.found in (Found.RESOLVED, Found.AMBIGUOUS, Found.NOT_CARRIED)
        or (ln.resolution.found == Found.UNKNOWN and ln.resolution.ids)
        for ln in lines
    )


class StockReportFlow(Flow):
    code = FLOW
    commands = ("report", "上报", "库存上报", "报库存")
    roles = DEALERS
    free_text_roles = DEALERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        if args:
            replies = await self.on_free_text(ctx, args)
            if replies is not None:
                return replies
        await own_dealer(ctx.session, ctx.actor.user)
        ctx.begin(self.code, "edit")
        return [Text(ctx.t("stock.ask"))]

    async def on_free_text(self, ctx: Ctx, text: str) -> list[Reply] | None:
        assert ctx.user is not None
        if ctx.user.dealer_customer_id is None:
            return None
        dealer = await own_dealer(ctx.session, ctx.user)
        lines = read_report(text, await ctx.deps.search.product_catalog(), await carried(ctx.session, dealer.id))
        if not looks_like_stock(lines):
            return None
        if not any(ln.raw.words for ln in lines):
            return no_product(ctx)
        limit = ctx.deps.settings.stock_report_max_lines
        if len(lines) > limit:
            return [Text(ctx.t("stock.error.too_many", count=len(lines), limit=limit))]
        items = [Item.of(ln) for ln in lines]
        ctx.begin(self.code, "confirm", items=[i.dump() for i in items], text=text[:4000], key=secrets.token_urlsafe(18))
        return await self._show(ctx, items)

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if not isinstance(event, TextEvent):
            return self.unexpected(ctx)
        ctx.finish()
        replies = await self.on_free_text(ctx, event.text)
        return replies if replies is not None else [Text(ctx.t("stock.not_a_report"))]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg == "new":
            return await self.start(ctx, "")
        if ctx.dialog is None:
            return [Text(ctx.t("error.action_expired"))]
        if ctx.dialog.step == "done":
            return await self._already(ctx, int(ctx.dialog.data["report"]))
        if arg == "ok":
            return await self._confirm(ctx)
        if arg == "ed":
            ctx.goto("edit")
            return [Text(ctx.t("stock.edit_prompt"))]
        if arg == "x":
            ctx.finish()
            return [Text(ctx.t("stock.cancelled"))]
        items = edit_items(self._items(ctx), arg)
        if items is None:
            return [Text(ctx.t("error.action_expired"))]
        if not items:
            ctx.finish()
            return [Text(ctx.t("stock.cancelled"))]
        return await self._update(ctx, items)

    def _items(self, ctx: Ctx) -> list[Item]:
        assert ctx.dialog is not None
        data: list[dict[str, Any]] = ctx.dialog.data.get("items", [])
        return [Item.load(d) for d in data]

    async def _update(self, ctx: Ctx, items: list[Item]) -> list[Reply]:
        ctx.goto("confirm", items=[i.dump() for i in items])
        return await self._show(ctx, items)

    async def _review(self, ctx: Ctx, items: list[Item]) -> tuple[Customer, Review]:
        dealer = await own_dealer(ctx.session, ctx.actor.user)
        return dealer, await stock_reports.review(ctx.session, dealer.id, items, await carried(ctx.session, dealer.id))

    async def _show(self, ctx: Ctx, items: list[Item]) -> list[Reply]:
        dealer, review = await self._review(ctx, items)
        assert ctx.dialog is not None
        return review_replies(ctx, dealer, review, self._button(ctx), draft=str(ctx.dialog.data["key"]))

    def _button(self, ctx: Ctx) -> Button:
        def make(label: str, arg: str) -> Action:
            return ctx.button(label, self.code, arg, style="primary" if arg == "ok" else "default")

        return make

    async def _confirm(self, ctx: Ctx) -> list[Reply]:
        assert ctx.dialog is not None
        items = self._items(ctx)
        dealer, review = await self._review(ctx, items)  # as the dealer saw it, before this report is the latest
        report, created = await stock_reports.confirm(
            ctx.uow, actor=ctx.actor, dealer=dealer, draft_key=str(ctx.dialog.data["key"]), items=items,
            carried=await carried(ctx.session, dealer.id), source_text=str(ctx.dialog.data.get("text", "")),
            now=ctx.turn.received_at, today=ctx.today(),
        )
        ctx.goto("done", report=report.id)
        if not created:
            return await self._already(ctx, report.id)
        (card,) = review_replies(ctx, dealer, review, self._button(ctx), draft=str(ctx.dialog.data["key"]), saved=True)
        saved = Text(ctx.t("stock.saved", count=len(await self._lines(ctx, report)), date=ctx.fmt.date(report.report_date)))
        return [card, saved, *await self._low(ctx, report)]

    async def _lines(self, ctx: Ctx, report: StockReport) -> dict[int, Decimal]:
        rows = await ctx.session.scalars(select(StockLine).where(StockLine.report_id == report.id))
        return {r.product_id: r.quantity for r in rows.all()}

    async def _low(self, ctx: Ctx, report: StockReport) -> list[Reply]:
        low = await below_safety(ctx.session, report.dealer_id, await self._lines(ctx, report))
        if not low:
            return []
        names = []
        for level in low:
            product = await ctx.session.get_one(Product, level.product_id)
            names.append(ctx.t("stock.low_item", sku=product.sku, min=format(level.min_qty.normalize(), "f"), unit=product.base_unit))
        return [Text(ctx.t("stock.low_note", items="、".join(names) if ctx.locale != "en" else ", ".join(names)))]

    async def _already(self, ctx: Ctx, report_id: int) -> list[Reply]:
        report = await ctx.session.get_one(StockReport, report_id)
        return [Text(ctx.t("stock.already_saved", date=ctx.fmt.datetime(report.reported_at)))]
