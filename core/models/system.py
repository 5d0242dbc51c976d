"""Infrastructure records: audit log, dialog state, processed inbound events, secrets, inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    platform: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DialogState(Base):
    """One conversation's dialog in progress, keyed by (platform, workspace, chat, user)."""

    __tablename__ = "dialog_states"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    flow: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(40))
    instance: Mapped[str] = mapped_column(String(12))
    """Names this run of the flow inside action tokens, so that old buttons are recognised."""
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ProcessedEvent(Base):
    """Inbound platform events already handled (update_id, event_id, MsgId), for de-duplication."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("source", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AppSecret(Base):
    __tablename__ = "app_secrets"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChatInboxMessage(Base):
    """Replies pushed to a chat whose client polls or listens (the web chat)."""

    __tablename__ = "chat_inbox"
    __table_args__ = (Index("ix_chat_inbox_chat_id", "platform", "chat_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaBlob(Base):
    """A photo or file received from a chat whose platform keeps no copy for us (the web chat)."""

    __tablename__ = "media_blobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
