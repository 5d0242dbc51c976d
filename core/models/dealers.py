"""Dealers (渠道): what each carries, its stock reports (dated snapshots), safety stock, quarterly targets.

A dealer is a customer of type dealer; its channel manager is that customer's owner.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class DealerProduct(Base):
    """A product in a dealer's assortment (经销目录); a dealer with none listed may report any product."""

    __tablename__ = "dealer_products"
    __table_args__ = (UniqueConstraint("dealer_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))


class StockReport(Base):
    """One confirmed stock count of one dealer (渠道库存上报): a dated snapshot of the products it names."""

    __tablename__ = "stock_reports"
    __table_args__ = (
        UniqueConstraint("dealer_id", "draft_key"),
        Index("ix_stock_reports_dealer_reported", "dealer_id", "reported_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    report_date: Mapped[date]
    """The dealer's local date of the count."""
    platform: Mapped[str] = mapped_column(String(20))
    draft_key: Mapped[str] = mapped_column(String(40))
    """The confirmation card it came from: confirming the same card twice stores it once."""
    source_text: Mapped[str] = mapped_column(Text, default="")
    """The message as the dealer wrote it."""


class StockLine(Base):
    __tablename__ = "stock_lines"
    __table_args__ = (UniqueConstraint("report_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("stock_reports.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    """In the product's base unit."""
    entered: Mapped[str] = mapped_column(String(120), default="")
    """What was typed for it ('5箱', '12 + 3 台' when one product came twice)."""


class SafetyStock(Base):
    """安全库存: below `min_qty` a confirmed report alerts the channel manager and the dealer."""

    __tablename__ = "safety_stocks"
    __table_args__ = (UniqueConstraint("dealer_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    min_qty: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    """In base units."""
    reorder_to: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    """The level a suggested order fills up to; None: twice the minimum."""
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DealerTarget(Base):
    """A dealer's sell-in target for one quarter (销售目标), set by its channel manager."""

    __tablename__ = "dealer_targets"
    __table_args__ = (UniqueConstraint("dealer_id", "year", "quarter"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    year: Mapped[int]
    quarter: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
