"""`/safety`: the channel manager sets a dealer's safety stock (安全库存) in one message, read by the
same parser as the dealers' reports ('X100 10台, B200 3箱'), reviewed on a card, then saved."""

from __future__ import annotations

from typing import Any

from conversations.context import Ctx
from conversations.dealer_pick import DealerFlow
from conversations.inbound import Event, TextEvent
from conversations.messages import Action, Card, Field, Reply, Text
from conversations.stock_cards import edit_items, product_name, qty, question_reply
from core.inventory.read import read_report
from core.models import Customer, Product, Role
from core.services import safety_stock, stock_reports
from core.services.dealers import carried, managed_dealer
from core.services.stock_reports import Item

MANAGERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


class SafetyFlow(DealerFlow):
    code = "ss"
    commands = ("safety", "安全库存", "safetystock")
    roles = MANAGERS

    async def on_dealer_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if ctx.dialog is None or ctx.dialog.step != "review":
            return [Text(ctx.t("error.action_expired"))]
        if arg == "ok":
            return await self._save(ctx)
        if arg == "x":
            ctx.finish()
            return [Text(ctx.t("dialog.cancelled"))]
        items = edit_items(self._items(ctx), arg)
        if not items:
            ctx.finish()
            return [Text(ctx.t("dialog.cancelled"))]
        ctx.goto("review", items=[i.dump() for i in items])
        return await self._review(ctx, items)

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if ctx.dialog is None or not isinstance(event, TextEvent):
            return self.unexpected(ctx)
        dealer = await managed_dealer(ctx.session, ctx.me, int(ctx.dialog.data["dealer"]))
        lines = read_report(event.text, await ctx.deps.search.product_catalog(), await carried(ctx.session, dealer.id))
        items = [Item.of(ln) for ln in lines if ln.raw.words or ln.raw.value is not None]
        if not items:
            return [Text(ctx.t("safety.ask", dealer=dealer.name))]
        ctx.goto("review", items=[i.dump() for i in items])
        return await self._review(ctx, items)

    async def open(self, ctx: Ctx, dealer: Customer) -> list[Reply]:
        dealer = await managed_dealer(ctx.session, ctx.me, dealer.id)
        ctx.begin(self.code, "levels", dealer=dealer.id)
        current = await safety_stock.levels(ctx.session, dealer.id)
        replies: list[Reply] = [Text(ctx.t("safety.ask", dealer=dealer.name))]
        if current:
            rows = []
            for level in current.values():
                product = await ctx.session.get_one(Product, level.product_id)
                rows.append(ctx.t("safety.current_row", sku=product.sku, min=qty(level.min_qty), unit=product.base_unit))
            replies.append(Text(ctx.t("safety.current", rows="\n".join(rows))))
        return replies

    def _items(self, ctx: Ctx) -> list[Item]:
        assert ctx.dialog is not None
        data: list[dict[str, Any]] = ctx.dialog.data.get("items", [])
        return [Item.load(d) for d in data]

    async def _review(self, ctx: Ctx, items: list[Item]) -> list[Reply]:
        assert ctx.dialog is not None
        dealer = await managed_dealer(ctx.session, ctx.me, int(ctx.dialog.data["dealer"]))
        review = await stock_reports.review(ctx.session, dealer.id, items, await carried(ctx.session, dealer.id))

        def button(label: str, arg: str) -> Action:
            return ctx.button(label, self.code, arg, style="primary" if arg == "ok" else "default")

        fields = tuple(Field(product_name(ctx, r.product), ctx.t("safety.row", min=qty(r.quantity), unit=r.product.base_unit)) for r in review.rows)
        actions = ((button(ctx.t("safety.btn.save"), "ok"),) if review.ready else ()) + (button(ctx.t("stock.btn.cancel"), "x"),)
        replies: list[Reply] = [Card(ctx.t("safety.card.title", dealer=dealer.name), fields, actions)]
        replies += [question_reply(ctx, q, button) for q in review.questions]
        return replies

    async def _save(self, ctx: Ctx) -> list[Reply]:
        assert ctx.dialog is not None
        dealer = await managed_dealer(ctx.session, ctx.me, int(ctx.dialog.data["dealer"]))
        review = await stock_reports.review(ctx.session, dealer.id, self._items(ctx), await carried(ctx.session, dealer.id))
        if not review.ready:
            return [Text(ctx.t("stock.error.not_ready"))]
        for row in review.rows:
            await safety_stock.set_minimum(
                ctx.uow, actor=ctx.actor, scope=ctx.me, dealer_id=dealer.id, product_id=row.product.id, minimum=row.quantity
            )
        ctx.finish()
        return [Text(ctx.t("safety.saved", count=len(review.rows), dealer=dealer.name))]
