"""Chat identities bound to CRM users, and the one-time codes that bind them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class ChatIdentity(Base):
    """One account on one chat platform; bound to exactly one CRM user."""

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("platform", "workspace", "external_user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace: Mapped[str] = mapped_column(String(100), default="")
    external_user_id: Mapped[str] = mapped_column(String(200))
    chat_id: Mapped[str] = mapped_column(String(200))
    """Where proactive messages for this user go (the private chat with the bot)."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    preferred: Mapped[bool] = mapped_column(default=False)
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)


class BindingCode(Base):
    __tablename__ = "binding_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the code; the code itself is shown once and never stored."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_identity_id: Mapped[int | None] = mapped_column(ForeignKey("chat_identities.id"))
