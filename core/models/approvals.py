"""Approval rules, the chain of steps a quote climbs, absences with delegates, and card copies."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class ApproverKind(enum.StrEnum):
    MANAGER = "manager"
    """The requester's direct superior."""
    DIRECTOR = "director"
    """The first director above the requester (any director when none is above)."""
    CHANNEL = "channel"
    """A rebate claim's first step: the dealer's channel manager (the dealer customer's owner)."""
    FINANCE = "finance"
    """A rebate claim's last step: finance."""


class StepStatus(enum.StrEnum):
    WAITING = "waiting"
    """A later step: its turn comes when the one before it is approved."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    """The quote was withdrawn, or rejected at an earlier step."""


DECIDED = (StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.CANCELLED)


class ApprovalRule(Base):
    """An admin's rule: above this total, or with a discount above this, `approver` must approve.

    Rules are ordered by `level`; a rule that applies brings every lower level in front of it.
    """

    __tablename__ = "approval_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(unique=True)
    approver: Mapped[ApproverKind] = mapped_column(Enum(ApproverKind, native_enum=False, length=20))
    amount_above: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    discount_above: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApprovalStep(Base):
    """One approver's turn in a chain that approves a quote or a rebate claim (exactly one is set)."""

    __tablename__ = "approval_steps"
    __table_args__ = (
        UniqueConstraint("quote_id", "position"),
        UniqueConstraint("claim_id", "position"),
        Index("ix_approval_steps_approver_status", "approver_id", "status"),
        CheckConstraint("(quote_id IS NULL) <> (claim_id IS NULL)", name="one_subject"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_claims.id", ondelete="CASCADE"))
    position: Mapped[int]
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approver_kind: Mapped[ApproverKind] = mapped_column(Enum(ApproverKind, native_enum=False, length=20))
    triggers: Mapped[list[Any]] = mapped_column(default=list)
    """Why this step exists: [[kind ('amount'|'discount'|'chain'), threshold], …]."""
    status: Mapped[StepStatus] = mapped_column(Enum(StepStatus, native_enum=False, length=20))
    activated_at: Mapped[datetime | None]
    """When it became the step waiting for a decision: reminders count from here."""
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """Set when a delegate or the escalation superior decided in the approver's place."""
    decided_at: Mapped[datetime | None]
    decided_platform: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The approver's superior, told (and allowed to decide) once the step waited too long."""


class ApproverAbsence(Base):
    """An approver marked away: their delegate receives and may decide their approvals."""

    __tablename__ = "approver_absences"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    until: Mapped[date | None]
    """Last day away (inclusive, the approver's zone); None: until they say they are back."""
    since: Mapped[datetime] = mapped_column(default=utcnow)


class QuoteComment(Base):
    """A remark on a quote during approval (an approver's question, a requester's answer)."""

    __tablename__ = "quote_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    platform: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalCard(Base):
    """One copy of an approval card in some chat: where it is, and which state it shows.

    Platform names and ids are opaque here; an edit brings `shown` up to the step's status.
    """

    __tablename__ = "approval_cards"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "message_id"),
        Index("ix_approval_cards_step", "step_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[int | None] = mapped_column(unique=True)
    """The outbox row that delivered it (no foreign key: the outbox is another aggregate)."""
    shown: Mapped[str] = mapped_column(String(20), default=StepStatus.PENDING.name)
    """The step status (its stored name) this copy shows; a decided step whose copies differ is due for edits."""
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
