"""Chat-platform access tokens (WeCom access_token, Feishu tenant_access_token, DingTalk's),
shared by every worker so that N workers do not each fetch their own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class PlatformToken(Base):
    __tablename__ = "platform_tokens"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    """Which app's token, e.g. 'wecom:<corp id>:<agent id>'."""
    value: Mapped[str] = mapped_column(Text, default="")
    """Empty while no token was fetched yet or after the vendor rejected the last one."""
    expires_at: Mapped[datetime]
    """When the vendor said it expires; it is refreshed a margin before that."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
