"""Quotes (报价), their lines and chosen options, price lists, and the orders they become."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Timestamped, utcnow
from core.models.customers import CustomerType


class QuoteStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ORDERED = "ordered"
    """Converted to an order."""


class PriceList(Base):
    """Prices that replace a product's base price, for one customer type or for everyone."""

    __tablename__ = "price_lists"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    customer_type: Mapped[CustomerType | None] = mapped_column(Enum(CustomerType, native_enum=False, length=20))
    """None: the default list for customers no typed list covers."""
    active: Mapped[bool] = mapped_column(default=True)


class PriceListEntry(Base):
    __tablename__ = "price_list_entries"
    __table_args__ = (UniqueConstraint("price_list_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    """Per base unit, before options."""


class Quote(Timestamped, Base):
    __tablename__ = "quotes"
    __table_args__ = (Index("ix_quotes_owner_status", "owner_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(30), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    """The requester: the rep who drafts and submits it."""
    status: Mapped[QuoteStatus] = mapped_column(Enum(QuoteStatus, native_enum=False, length=20))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_lists.id"))
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    """Overall discount on the sum of the lines, percent."""
    list_total: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    """Σ lines at list price (options included), before any discount."""
    subtotal: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    """Σ lines after line discounts."""
    total: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    """What the customer pays: subtotal less the overall discount."""
    max_discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    """The largest discount the quote gives: any line's, the overall one, or the combined effect."""
    cost_total: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    """Σ standard costs, when every product has one (for the margin hint)."""
    valid_until: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    """Bumped by every status change: deciders lock the row through it."""


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    description: Mapped[str] = mapped_column(String(300))
    """The product's name (and options) when added, so the quote reads the same later."""
    unit: Mapped[str] = mapped_column(String(10))
    unit_factor: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal("1"))
    """Base units per `unit` (1 箱 = 2 台)."""
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    """List price of one `unit`, options included."""
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    list_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    """After the line discount."""


class QuoteLineOption(Base):
    """A configuration option chosen on a line, with its price delta as it was then."""

    __tablename__ = "quote_line_options"
    __table_args__ = (UniqueConstraint("line_id", "option_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("quote_lines.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("product_options.id"))
    name: Mapped[str] = mapped_column(String(100))
    price_delta: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class Order(Base):
    """A sales order made from an approved quote (as far as quotes need it; the ERP takes it on)."""

    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), unique=True)
    """One order per quote: converting twice is refused by the database too."""
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    total: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
