"""The notification outbox and each user's notification preferences.

Every push FieldChat makes is first a row here: rules and event handlers only write
rows (unique by de-duplication key), and the delivery loop claims, sends and marks them,
so that any number of workers send each notification once and a crash loses nothing.
"""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    """Waiting for its send time (`send_after`)."""
    SENDING = "sending"
    """Claimed by a worker until `lease_until`; an expired lease makes it claimable again."""
    SENT = "sent"
    DIGESTED = "digested"
    """Folded into a morning digest (`parent_id`), which is delivered in its place."""
    FAILED = "failed"
    """Transient failures until the attempts ran out."""
    UNDELIVERABLE = "undeliverable"
    """No chat binding, or every binding refused for good (blocked, chat gone)."""
    MUTED = "muted"
    """The recipient muted this kind before it went out."""
    OBSOLETE = "obsolete"
    """No longer true when its time came (the follow-up was logged, the customer recycled)."""


OPEN_STATUSES = (OutboxStatus.QUEUED, OutboxStatus.SENDING)


class Notification(Base):
    """One message to one user, with everything needed to send it later."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        Index("ix_notification_outbox_claim", "status", "send_after"),
        Index("ix_notification_outbox_user_status", "user_id", "status"),
        Index("ix_notification_outbox_ref", "kind", "ref_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    """Same reminder for the same thing and period → same key → written once, whoever writes it."""
    ref_id: Mapped[int | None]
    """The record it is about (a customer, a lead), for staleness checks and admin views."""
    routine: Mapped[bool] = mapped_column(default=False)
    """Routine rows wait for the recipient's morning digest; urgent ones go at once."""
    due_at: Mapped[datetime]
    """When the rule says it is due (never changes)."""
    send_after: Mapped[datetime]
    """Earliest next send: due time moved past quiet hours, to the digest, or by back-off."""
    summary: Mapped[str] = mapped_column(String(300))
    """One line in the recipient's language, for the digest and the admin view."""
    replies: Mapped[list[Any]] = mapped_column(default=list)
    """The neutral replies to send, as JSON (conversations.reply_codec)."""
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=20), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    platform: Mapped[str | None] = mapped_column(String(20))
    """Where it was delivered."""
    chat_id: Mapped[str | None] = mapped_column(String(200))
    message_ids: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("notification_outbox.id"), index=True)
    """For digested rows: the digest that carried them."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationPrefs(Base):
    """A user's choices; no row means the configured defaults."""

    __tablename__ = "notification_prefs"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    quiet_start: Mapped[time | None]
    """Quiet hours in the user's zone; both None: no quiet hours."""
    quiet_end: Mapped[time | None]
    digest_at: Mapped[time | None]
    """Local time of the morning digest; None: routine reminders go one by one."""
    muted: Mapped[list[Any]] = mapped_column(default=list)
    """Kinds the user does not want."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
