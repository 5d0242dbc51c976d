"""Spare parts (备件): warehouses (central, each engineer's van), stock, parts on tickets, purchase requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class WarehouseKind(enum.StrEnum):
    CENTRAL = "central"
    VAN = "van"


class Warehouse(Base):
    __tablename__ = "warehouses"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[WarehouseKind] = mapped_column(Enum(WarehouseKind, native_enum=False, length=10))
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    """The van's engineer; None for the central warehouse."""


class SparePart(Base):
    __tablename__ = "spare_parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(60), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(10), default="个")
    product_line: Mapped[str | None] = mapped_column(String(40))
    search_text: Mapped[str] = mapped_column(String(500), default="")


class PartStock(Base):
    """On hand and reserved per warehouse; `quantity - reserved` is what may still be used."""

    __tablename__ = "part_stock"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "part_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_in_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_parts.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    safety: Mapped[int] = mapped_column(default=0)
    """Below this a restock purchase request is raised."""


class TicketPart(Base):
    """Parts used on (or reserved for) a ticket, and from which warehouse."""

    __tablename__ = "ticket_parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_parts.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int]
    reserved: Mapped[bool] = mapped_column(default=False)
    """True while set aside for a ticket waiting for parts; False once used."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PurchaseStatus(enum.StrEnum):
    OPEN = "open"
    ORDERED = "ordered"
    RECEIVED = "received"


class PurchaseRequest(Base):
    __tablename__ = "purchase_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("spare_parts.id"), index=True)
    quantity: Mapped[int]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    reason: Mapped[str] = mapped_column(String(20))
    """shortage (a ticket needs it) or restock (stock fell below safety)."""
    status: Mapped[PurchaseStatus] = mapped_column(Enum(PurchaseStatus, native_enum=False, length=10), default=PurchaseStatus.OPEN)
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    """'restock:<part>' while open, so stock falling further does not pile up requests."""
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
