"""Machine telemetry readings and the API keys machines use to send them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class TelemetryReading(Base):
    """One reading; (equipment, metric, ts) is unique, which makes a re-sent batch harmless."""

    __tablename__ = "telemetry_readings"
    __table_args__ = (UniqueConstraint("equipment_id", "metric", "ts"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"))
    metric: Mapped[str] = mapped_column(String(40))
    ts: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)


class ApiKey(Base):
    """A machine's key: shown once at creation, stored as its SHA-256 only."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    prefix: Mapped[str] = mapped_column(String(12))
    """The key's first characters, to recognise it in `apikey list`."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(100))
    """Space-separated: telemetry, tickets."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
