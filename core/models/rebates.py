"""Rebates (返利): tiered policies, refunds that reduce a period's sales, and dealers' claims.

A claim is approved through the same chain of approval steps as a quote (channel
manager, then finance); its steps point at it through `ApprovalStep.claim_id`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class RebatePeriod(enum.StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class RebatePolicy(Base):
    """返利政策: the rate of the highest tier a dealer's period sales reach applies to all of them."""

    __tablename__ = "rebate_policies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    period: Mapped[RebatePeriod] = mapped_column(Enum(RebatePeriod, native_enum=False, length=20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("product_categories.id"))
    """Only sales of this category (and below it) count; None: every product."""
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    """One dealer's own policy; None: every dealer."""
    inclusive: Mapped[bool] = mapped_column(default=False)
    """True: sales equal to a tier's threshold reach it (≥); False: they must exceed it (>)."""
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)


class RebateTier(Base):
    __tablename__ = "rebate_tiers"
    __table_args__ = (UniqueConstraint("policy_id", "threshold"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("rebate_policies.id", ondelete="CASCADE"))
    threshold: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    rate_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class OrderRefund(Base):
    """Money given back on an order (退货/退款): it lowers the sales of the period it falls in."""

    __tablename__ = "order_refunds"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    """The product returned; None: the refund is spread over the order's lines by amount."""
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    refunded_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(300))


class RebateClaim(Base):
    """返利申请: a dealer asks for a closed period's rebate; approved by its channel manager, then finance."""

    __tablename__ = "rebate_claims"
    __table_args__ = (
        Index(
            "uq_rebate_claims_open", "dealer_id", "policy_id", "period_key", unique=True,
            sqlite_where=text("status IN ('PENDING', 'APPROVED')"), postgresql_where=text("status IN ('PENDING', 'APPROVED')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("rebate_policies.id"))
    period_key: Mapped[str] = mapped_column(String(10))
    """'2026Q3' or '2026'."""
    period_start: Mapped[date]
    period_end: Mapped[date]
    sales: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    """Net sales of the period as computed when claimed."""
    rate_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[ClaimStatus] = mapped_column(Enum(ClaimStatus, native_enum=False, length=20))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
