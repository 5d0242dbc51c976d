"""Visits and check-ins (拜访/签到), and contact records (联系记录)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class LocationSource(enum.StrEnum):
    LIVE = "live"
    """A live location shared from the phone: the strongest evidence."""
    PIN = "pin"
    """A one-off location from the chat app (possibly a picked pin)."""
    WEB = "web"
    """The browser's geolocation on a web check-in page."""
    MANUAL = "manual"
    """Typed coordinates: the weakest evidence."""


class ContactKind(enum.StrEnum):
    VISIT = "visit"
    CALL = "call"
    MESSAGE = "message"
    OTHER = "other"


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_customer_latest", "customer_id", "checked_in_at"),  # a customer's last visits (360)
        Index("ix_visits_user_latest", "user_id", "position_at"),  # a rep's last position (check-in speed)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    source: Mapped[LocationSource] = mapped_column(Enum(LocationSource, native_enum=False, length=10))
    position_at: Mapped[datetime]
    """When the position was taken (may be earlier than its arrival when sent offline)."""
    platform: Mapped[str] = mapped_column(String(20))
    datum: Mapped[str] = mapped_column(String(10), default="wgs84", server_default="wgs84")
    """The map datum the position was reported in (GCJ-02 from WeCom/Feishu); lat/lon are stored
    converted to WGS-84, so every distance is measured in one datum."""
    distance_m: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    inside_fence: Mapped[bool]
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    """Speed implied by this and the rep's previous check-in."""
    trust_flags: Mapped[list[Any]] = mapped_column(default=list)
    """Signals of a doubtful position: static_pin, poor_accuracy, stale_position, impossible_speed …"""
    photo_refs: Mapped[list[Any]] = mapped_column(default=list)
    checked_out_at: Mapped[datetime | None]
    summary: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)


class ContactRecord(Base):
    __tablename__ = "contact_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(Enum(ContactKind, native_enum=False, length=10))
    happened_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_contact_at: Mapped[datetime | None]
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
