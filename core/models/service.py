"""Service (服务): installed equipment, engineers, tickets with their timed transitions, notes, ratings."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import Enum, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class TicketType(enum.StrEnum):
    INSTALLATION = "installation"
    REPAIR = "repair"
    MAINTENANCE = "maintenance"
    INSPECTION = "inspection"


class Priority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class TicketStatus(enum.StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    WAITING_PARTS = "waiting_parts"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_TICKET_STATUSES = (
    TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.ACCEPTED, TicketStatus.ON_SITE, TicketStatus.WAITING_PARTS,
)
"""Statuses that count towards an engineer's load and the SLA watch."""


class Equipment(Base):
    """A machine installed at a customer (设备), identified by its serial number."""

    __tablename__ = "equipment"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    model: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(80), unique=True)
    product_line: Mapped[str] = mapped_column(String(40))
    """The skill a repair needs (水泵, 电机, 压缩机 …); matched against engineers' skills."""
    install_date: Mapped[date | None]
    warranty_end: Mapped[date | None]
    service_interval_days: Mapped[int | None]
    service_interval_hours: Mapped[int | None]
    """Service every so many running hours (whichever of days or hours comes first)."""
    running_hours: Mapped[float | None] = mapped_column(Float)
    hours_at_last_service: Mapped[float | None] = mapped_column(Float)
    last_service_at: Mapped[datetime | None]
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    """Where the machine stands; None: at the customer's address."""
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Metric → highest acceptable value, e.g. {"temperature": 85, "vibration": 7.1}."""


class EngineerProfile(Base):
    """What dispatch knows about a service engineer: skills, where they are, when they work."""

    __tablename__ = "engineer_profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    skills: Mapped[list[Any]] = mapped_column(default=list)
    """Product lines the engineer is trained on (水泵, 电机 …)."""
    base_lat: Mapped[float] = mapped_column(Float)
    base_lon: Mapped[float] = mapped_column(Float)
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_lon: Mapped[float | None] = mapped_column(Float)
    last_seen_at: Mapped[datetime | None]
    work_start: Mapped[str] = mapped_column(String(5), default="08:30")
    work_end: Mapped[str] = mapped_column(String(5), default="17:30")
    available: Mapped[bool] = mapped_column(default=True)
    """Off (leave, sick): never dispatched."""


class Ticket(Base):
    """A service ticket (工单); every status change is a TicketTransition row."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_assignee_status", "assignee_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    """By coding rule: FW-<yymmdd>-<serial>."""
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    equipment_id: Mapped[int | None] = mapped_column(ForeignKey("equipment.id"), index=True)
    type: Mapped[TicketType] = mapped_column(Enum(TicketType, native_enum=False, length=20))
    priority: Mapped[Priority] = mapped_column(Enum(Priority, native_enum=False, length=10))
    status: Mapped[TicketStatus] = mapped_column(Enum(TicketStatus, native_enum=False, length=20), index=True)
    problem: Mapped[str] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    skill: Mapped[str | None] = mapped_column(String(40))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    source: Mapped[str] = mapped_column(String(20), default="chat")
    """chat, api, telemetry, maintenance, prediction."""
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    """Set while open for machine-made tickets ('tele:12:temperature'): a second one cannot be made."""
    dispatch_note: Mapped[str | None] = mapped_column(String(300))
    """Why this engineer: distance, skill, load (as data: 'km=3.2;skill=水泵;load=2')."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    respond_by: Mapped[datetime]
    resolve_by: Mapped[datetime]
    assigned_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    arrival_distance_m: Mapped[float | None] = mapped_column(Float)
    arrival_inside: Mapped[bool | None]
    arrival_flags: Mapped[list[Any]] = mapped_column(default=list)


class TicketTransition(Base):
    __tablename__ = "ticket_transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    platform: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(300))


class TicketNote(Base):
    __tablename__ = "ticket_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str | None] = mapped_column(Text)
    photo_ref: Mapped[str | None] = mapped_column(String(500))


class ServiceRating(Base):
    """The customer's rating of a resolved ticket (服务评价); one per ticket."""

    __tablename__ = "service_ratings"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    attitude: Mapped[int]
    response: Mapped[int]
    quality: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)
