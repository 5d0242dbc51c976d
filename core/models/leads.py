"""Leads (线索) and tasks (任务) in a user's agenda."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Timestamped, utcnow


class LeadSource(enum.StrEnum):
    EXHIBITION = "exhibition"
    WEBSITE = "website"
    REFERRAL = "referral"
    CAMPAIGN = "campaign"
    OTHER = "other"


class LeadStatus(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    CONTACTED = "contacted"
    CONVERTED = "converted"
    LOST = "lost"


class Lead(Timestamped, Base):
    __tablename__ = "leads"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[LeadSource] = mapped_column(Enum(LeadSource, native_enum=False, length=20))
    company_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    need: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[LeadStatus] = mapped_column(Enum(LeadStatus, native_enum=False, length=20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignment_reason: Mapped[str | None] = mapped_column(String(300))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)


class TaskKind(enum.StrEnum):
    FOLLOW_UP = "follow_up"
    VISIT = "visit"
    TASK = "task"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[TaskKind] = mapped_column(Enum(TaskKind, native_enum=False, length=20))
    title: Mapped[str] = mapped_column(String(300))
    due_at: Mapped[datetime]
    priority: Mapped[int] = mapped_column(default=2)
    """1 high, 2 normal, 3 low."""
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    status: Mapped[TaskStatus] = mapped_column(Enum(TaskStatus, native_enum=False, length=10))
    done_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    """What was done (完成内容), asked when the item is closed."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
