"""Opportunities (商机): a sale in progress, its stage, amount, probability and expected close."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Timestamped


class OpportunityStage(enum.StrEnum):
    INITIAL_CONTACT = "initial_contact"
    NEEDS_CONFIRMED = "needs_confirmed"
    SOLUTION = "solution"
    QUOTE = "quote"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"


OPEN_STAGES = (
    OpportunityStage.INITIAL_CONTACT,
    OpportunityStage.NEEDS_CONFIRMED,
    OpportunityStage.SOLUTION,
    OpportunityStage.QUOTE,
    OpportunityStage.NEGOTIATION,
)
DEFAULT_PROBABILITY: dict[OpportunityStage, int] = {
    OpportunityStage.INITIAL_CONTACT: 10,
    OpportunityStage.NEEDS_CONFIRMED: 25,
    OpportunityStage.SOLUTION: 40,
    OpportunityStage.QUOTE: 60,
    OpportunityStage.NEGOTIATION: 80,
    OpportunityStage.WON: 100,
    OpportunityStage.LOST: 0,
}
"""What a stage is worth when nobody set a probability by hand."""


class Opportunity(Timestamped, Base):
    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_owner_stage", "owner_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[OpportunityStage] = mapped_column(Enum(OpportunityStage, native_enum=False, length=20))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    probability: Mapped[int]
    """Percent, 0–100: the forecast counts amount × probability."""
    expected_close: Mapped[date]
    closed_at: Mapped[datetime | None]
