"""Configuration from FIELDCHAT_* environment variables and a .env file."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Locale = Literal["zh-CN", "en"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDCHAT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./fieldchat.db"
    """SQLAlchemy async URL; the default is a SQLite file in the working directory."""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """Where the outside world reaches this server (webhooks, signed links)."""
    secret_key: SecretStr | None = None
    """Signs action tokens and links; generated and stored in the database when absent."""
    demo: bool = True
    """Fill an empty database with demo data and allow web chat log-in by demo login."""
    default_locale: Locale = "zh-CN"
    timezone: str = "Asia/Shanghai"
    geofence_radius_m: float = Field(default=300.0, gt=0)
    nearby_radius_m: float = Field(default=3000.0, gt=0)
    pool_claim_cap: int = Field(default=30, ge=1)
    """How many customers one rep may own at most through claims from the pool."""
    dialog_ttl_minutes: int = Field(default=60, ge=1)
    max_speed_kmh: float = Field(default=200.0, gt=0)
    """Implied speed between two check-ins above which the second is flagged."""
    min_accuracy_m: float = Field(default=200.0, gt=0)
    """A position reported with worse accuracy than this is flagged as poor."""
    log_level: str = "INFO"

    # -- signed web pages (check-in and forms for chats that lack them) --------
    page_link_ttl_minutes: int = Field(default=10, ge=1, le=120)
    """How long a signed check-in or form link stays valid; each link works once."""

    # -- Slack ---------------------------------------------------------------------
    slack_bot_token: SecretStr | None = None
    """xoxb- bot token; with the signing secret it enables the Slack adapter."""
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str | None = None
    """Web API base URL (default https://slack.com/api/); for tests and proxies."""
    slack_app_token: SecretStr | None = None
    """xapp- app-level token: receive events over Socket Mode instead of the public URL."""

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use a name like Asia/Shanghai") from None
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"
