"""Read models of dealer stock: each product's latest reported figure, with its safety level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Product, SafetyStock, StockLine, StockReport


@dataclass(frozen=True)
class Figure:
    product: Product
    quantity: Decimal
    day: date
    minimum: Decimal | None

    @property
    def low(self) -> bool:
        return self.minimum is not None and self.quantity < self.minimum


async def latest(session: AsyncSession, dealer_id: int) -> list[Figure]:
    """The snapshot as of now: per product, the figure of the newest report that named it."""
    newest = (
        select(StockLine.product_id, func.max(StockLine.report_id).label("report_id"))
        .join(StockReport, StockReport.id == StockLine.report_id)
        .where(StockReport.dealer_id == dealer_id)
        .group_by(StockLine.product_id)
        .subquery()
    )
    rows = await session.execute(
        select(Product, StockLine.quantity, StockReport.report_date, SafetyStock.min_qty)
        .join(newest, and_(newest.c.product_id == StockLine.product_id, newest.c.report_id == StockLine.report_id))
        .join(StockReport, StockReport.id == StockLine.report_id)
        .join(Product, Product.id == StockLine.product_id)
        .outerjoin(SafetyStock, and_(SafetyStock.dealer_id == dealer_id, SafetyStock.product_id == Product.id))
        .order_by(Product.sku)
    )
    return [Figure(p, q, d, m) for p, q, d, m in rows.all()]


async def last_report(session: AsyncSession, dealer_id: int) -> StockReport | None:
    return await session.scalar(
        select(StockReport).where(StockReport.dealer_id == dealer_id).order_by(StockReport.id.desc()).limit(1)
    )
