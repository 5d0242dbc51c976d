"""Safety-stock alert (安全库存预警): a confirmed report left products under their minimum.

Once per report: the channel manager and the dealer's users each get one card with the
gap and a suggested order (filled up to the reorder level, in whole packs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Card, Field
from core.dealer_events import StockBelowSafety
from core.models import Customer, Product, SafetyStock, StockLine, utcnow
from core.services.dealers import dealer_users
from core.services.safety_stock import packs_of, reorder
from notifications.compose import Composer, Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.base import Rule

KIND = "stock_low"


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


def handler(composer: Composer) -> Callable[[AsyncSession, StockBelowSafety], Awaitable[None]]:
    async def on_low(session: AsyncSession, event: StockBelowSafety) -> None:
        dealer = await session.get_one(Customer, event.dealer_id)
        counted = dict((await session.execute(
            select(StockLine.product_id, StockLine.quantity).where(StockLine.report_id == event.report_id)
        )).all())
        levels = (await session.scalars(select(SafetyStock).where(
            SafetyStock.dealer_id == dealer.id, SafetyStock.product_id.in_(event.product_ids)
        ))).all()
        products = {p.id: p for p in (await session.scalars(select(Product).where(Product.id.in_(event.product_ids)))).all()}
        packs = await packs_of(session, list(event.product_ids))
        people = [*([dealer.owner_id] if dealer.owner_id else []), *await dealer_users(session, dealer.id)]
        items = []
        for to in (await composer.recipients(session, people)).values():
            rows = [(products[lv.product_id], counted[lv.product_id], lv) for lv in levels if lv.product_id in counted]
            items.append(_item(to, dealer, event.report_id, rows, packs, composer.settings.safety_reorder_factor))
        await enqueue(session, items)

    return on_low


def _item(
    to: Recipient, dealer: Customer, report_id: int, rows: list[tuple[Product, Decimal, SafetyStock]],
    packs: dict[int, tuple[str, Decimal]], factor: Decimal,
) -> OutboxItem:
    v = to.voice
    fields = []
    for product, quantity, level in rows:
        plan = reorder(level, quantity, factor, packs.get(product.id))
        order = v.t("notify.stock_low.order", qty=_qty(plan.suggest), unit=product.base_unit)
        if plan.packs and plan.pack_unit:
            order += v.t("notify.stock_low.packs", packs=plan.packs, unit=plan.pack_unit)
        value = v.t(
            "notify.stock_low.row", qty=_qty(quantity), min=_qty(level.min_qty), gap=_qty(plan.gap), unit=product.base_unit, order=order,
        )
        fields.append(Field(f"{product.sku} {product.name_zh if v.locale != 'en' else product.name_en or product.name_zh}", value))
    title = v.t("notify.stock_low.title", dealer=dealer.name, count=len(rows))
    card = Card(title, tuple(fields), (v.button(v.t("stock.btn.show"), "dk", f"v{dealer.id}"),), ref=f"stock:{dealer.id}")
    now = utcnow()
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=f"{KIND}:{report_id}:{to.user.id}", due_at=now,
        send_after=to.send_time(now, routine=False), summary=title, replies=(card,), ref_id=report_id,
    )


RULE = Rule(KIND)
