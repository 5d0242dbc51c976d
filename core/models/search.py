"""The search change log: one row per written customer, contact or product, filled by
database triggers, so that every worker's in-process index learns of changes made by any
other worker (or by SQL outside FieldChat)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base


class SearchChange(Base):
    __tablename__ = "search_changes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    """customer, contact or product."""
    entity_id: Mapped[int]
