"""Sends to chat platforms, stamped, so that every worker sees one shared send budget."""

from __future__ import annotations

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base


class SendStamp(Base):
    """One message sent (or reserved) to a recipient, counted by the sliding windows."""

    __tablename__ = "send_stamps"
    __table_args__ = (Index("ix_send_stamps_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    """Budget and recipient, e.g. 'wecom:member:zhangsan'."""
    at: Mapped[float] = mapped_column(Float)
    """Unix time in seconds; float so that windows of a second or less are exact."""
