"""Configuration from FIELDCHAT_* environment variables and a .env file."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
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

    # -- service: tickets, dispatch, parts, ratings, maintenance, telemetry -------
    service_sla: str = "urgent=2/24,high=4/48,normal=8/72,low=24/120"
    """Per priority: hours to respond (accept) / hours to resolve."""
    service_sla_warn_minutes: int = Field(default=60, ge=1)
    """How long before a response or resolution deadline the engineer (then the manager) is warned."""
    service_load_km: float = Field(default=10.0, ge=0)
    """Dispatch: one open ticket weighs as much as this many kilometres of distance."""
    service_max_load: int = Field(default=6, ge=1)
    """An engineer with this many open tickets is not dispatched more."""
    service_rating_days: int = Field(default=14, ge=1, le=90)
    """How long a rating link stays valid (it works once)."""
    service_low_rating: int = Field(default=2, ge=1, le=4)
    """A rating this low or lower (any of the three stars) alerts the service manager."""
    maintenance_due_days: int = Field(default=14, ge=0, le=180)
    """Equipment whose service falls due within this many days gets a maintenance ticket."""
    maintenance_due_hours: int = Field(default=50, ge=0)
    """…or within this many running hours of its service interval."""
    telemetry_max_batch: int = Field(default=1000, ge=1, le=10000)
    """Readings per POST /api/v1/telemetry; more is answered 413."""
    telemetry_max_future_s: int = Field(default=300, ge=0)
    """A reading stamped further ahead of the server's clock than this is rejected."""
    telemetry_trend_days: int = Field(default=30, ge=1, le=365)
    """Warn when the recent trend reaches a threshold within this many days."""

    @field_validator("service_sla")
    @classmethod
    def _sla(cls, value: str) -> str:
        from core.sla import parse_sla

        parse_sla(value)
        return value

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

    # -- search (core/search: in-process index per worker) -----------------------------
    search_refresh_ms: float = Field(default=0.0, ge=0)
    """How often a worker asks the database what other workers changed; 0: before every search."""
    search_candidates: int = Field(default=200, ge=20, le=5000)
    """Gram candidates rescored with rapidfuzz per query (more: better typo recall, slower)."""

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

    # -- notifications (outbox, delivery, reminders) and the pool's recycling ------
    notify_in_process: bool = True
    """`serve` runs the rule sweeps and the delivery loop in-process (off: run `run.py worker`)."""
    notify_sweep_seconds: float = Field(default=60.0, ge=1)
    notify_poll_seconds: float = Field(default=2.0, gt=0)
    """How often the delivery loop looks for due notifications."""
    notify_batch_size: int = Field(default=50, ge=1, le=1000)
    """Rows one worker claims at a time; also the most a killed worker can send twice."""
    notify_lease_seconds: float = Field(default=120.0, ge=5)
    """A claimed row returns to the queue when its worker has not finished it by then."""
    notify_max_attempts: int = Field(default=8, ge=1)
    notify_backoff_seconds: float = Field(default=30.0, gt=0)
    """First retry delay after a transient failure; doubles per attempt, at most an hour."""
    notify_concurrency: int = Field(default=8, ge=1)
    """Recipients served at once within a batch (each recipient's messages stay in order)."""
    notify_quiet_hours: str = "21:00-08:00"
    """Default quiet hours in each user's zone ('off' for none); users change theirs with /settings."""
    notify_digest_time: str = "08:00"
    """Default local time of the morning digest of routine reminders ('off': one message each)."""
    notify_rate_platform: str = "25/1"
    """At most N sends per S seconds per platform ('N/S', or 'off')."""
    notify_rate_chat: str = "20/60"
    """At most N sends per S seconds to one chat ('N/S', or 'off')."""
    notify_rate_overrides: dict[str, str] = Field(default_factory=dict)
    """Per platform 'platform N/S, chat N/S', e.g. {"telegram": "30/1, 1/1"}."""
    notify_follow_up_lookback_days: int = Field(default=7, ge=1)
    """Follow-ups that fell due longer ago than this (e.g. while FieldChat was off) are not reminded."""
    notify_retention_days: int = Field(default=30, ge=8)
    """Finished outbox rows are deleted after this many days."""
    pool_warn_hours: int = Field(default=24, ge=1)
    """The owner is warned this long before an idle customer returns to the pool."""
    pool_reclaim_cooldown_days: int = Field(default=3, ge=0)
    """After a release, the previous owner may not claim the customer back for this many days."""

    # -- Telegram (bots/telegram) ---------------------------------------------------
    telegram_token: SecretStr | None = None
    """BotFather token; enables the Telegram adapter (webhook with a public URL, else long polling)."""
    telegram_webhook_secret: SecretStr | None = None
    """Telegram sends it in X-Telegram-Bot-Api-Secret-Token; derived from the secret key when absent."""
    telegram_api_url: str | None = None
    """Another Bot API server (self-hosted, or a test double), e.g. http://127.0.0.1:8081."""
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    """Messages a second across all chats (Telegram's limit; higher with paid broadcasts)."""
    telegram_chat_rate_per_second: float = Field(default=1.0, gt=0)
    """Messages a second into one chat on average, bursts of three (groups: at most 20 a minute)."""
    telegram_typing_after_s: float = Field(default=0.5, gt=0)
    """A turn still running after this many seconds (a chart, a long report, a queue) shows
    "typing…" in the chat, so the user knows the bot heard them; quicker turns send nothing."""

    # -- quotes and approvals (defaults; admins override the thresholds with /rules) --
    approval_manager_above: Decimal = Field(default=Decimal("100000"), ge=0)
    """Quotes whose total is above this need the rep's manager."""
    approval_director_above: Decimal = Field(default=Decimal("500000"), ge=0)
    """Quotes whose total is above this also need the director."""
    approval_director_discount_above: Decimal = Field(default=Decimal("15"), ge=0, lt=100)
    """Quotes with any discount above this percent also need the director."""
    approval_remind_after_hours: float = Field(default=24.0, gt=0)
    """Working hours a step may wait before its approver is reminded."""
    approval_escalate_after_hours: float = Field(default=32.0, gt=0)
    """Working hours after which the approver's superior is told, and may decide in their place."""
    work_day_start_hour: int = Field(default=9, ge=0, le=23)
    work_day_end_hour: int = Field(default=18, ge=1, le=24)
    """Working hours are Monday to Friday between these hours, in FIELDCHAT_TIMEZONE."""
    quote_valid_days: int = Field(default=30, ge=1, le=365)
    """A new quote is valid for this many days."""
    quote_currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")

    # -- Feishu/Lark (bots/feishu) and DingTalk (bots/dingtalk) -------------------------
    feishu_app_id: str | None = None
    """cli_… of a self-built app; with the secret and the verification token it enables Feishu."""
    feishu_app_secret: SecretStr | None = None
    feishu_verification_token: SecretStr | None = None
    """Events & Callbacks → Encryption Strategy: checked on every event and callback."""
    feishu_encrypt_key: SecretStr | None = None
    """Same page: when set, bodies are encrypted and X-Lark-Signature is required (recommended)."""
    feishu_api_url: str = "https://open.feishu.cn"
    """Open API base URL (https://open.larksuite.com for Lark; a proxy or test double)."""
    feishu_long_connection: bool = False
    """Receive events over lark-oapi's WebSocket (no public URL; install the feishu-ws extra)."""
    dingtalk_app_key: str | None = None
    """AppKey (Client ID) of an in-house app with a robot; with the secret it enables DingTalk."""
    dingtalk_app_secret: SecretStr | None = None
    """AppSecret: signs the HTTP robot callback and opens the Stream connection."""
    dingtalk_token: SecretStr | None = None
    """Event subscription token, for encrypted event callbacks at /dingtalk/events."""
    dingtalk_aes_key: SecretStr | None = None
    """Event subscription aes_key (43 characters), with the token."""
    dingtalk_api_url: str = "https://api.dingtalk.com"
    """Open API base URL (tokens, robot messages, cards, the Stream gateway); proxies and test doubles."""
    dingtalk_stream: bool = True
    """Receive robot messages and card clicks over DingTalk Stream mode (no public URL needed)."""

    @property
    def feishu_enabled(self) -> bool:
        return bool(self.feishu_app_id and self.feishu_app_secret and self.feishu_verification_token)

    @property
    def dingtalk_enabled(self) -> bool:
        return bool(self.dingtalk_app_key and self.dingtalk_app_secret)

    @field_validator("feishu_api_url", "dingtalk_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return value.rstrip("/")

    # -- WeCom self-built app (bots/wecom) ---------------------------------------------
    wecom_corp_id: str | None = None
    """CorpID (企业ID, ww…); with the agent id, secret, token and EncodingAESKey it enables WeCom."""
    wecom_agent_id: int | None = None
    """AgentId of the self-built app (应用管理 → the app)."""
    wecom_secret: SecretStr | None = None
    """The app's Secret, for access_token."""
    wecom_token: SecretStr | None = None
    """接收消息 → Token: signs every callback (msg_signature)."""
    wecom_encoding_aes_key: SecretStr | None = None
    """接收消息 → EncodingAESKey (43 characters): decrypts every callback."""
    wecom_api_url: str = "https://qyapi.weixin.qq.com"
    """Server API base URL; a proxy with a fixed egress IP (企业可信IP), or a test double."""
    wecom_create_menu: bool = True
    """Create the app menu (check-in picker and everyday actions) when the adapter starts."""
    wecom_locale: Locale = "zh-CN"
    """Language of WeCom members until they pick one (/lang): WeCom tells an app no member's language."""

    @property
    def wecom_enabled(self) -> bool:
        return bool(
            self.wecom_corp_id and self.wecom_agent_id and self.wecom_secret
            and self.wecom_token and self.wecom_encoding_aes_key
        )

    # -- dealers: stock reports, safety stock, targets, rebates (core/dealers, core/inventory) --
    stock_report_max_lines: int = Field(default=40, ge=1, le=200)
    """Lines one stock message may hold; a longer one is refused with the limit named."""
    safety_reorder_factor: Decimal = Field(default=Decimal("2"), ge=1, le=20)
    """A suggested order fills a low product up to its minimum × this (unless a level is set)."""
    rebate_remind_days: int = Field(default=14, ge=1, le=90)
    """Days before a rebate period closes when each dealer and its channel manager hear how far the next tier is."""
    rebate_close_notice_days: int = Field(default=10, ge=1, le=90)
    """After a period closes, how long its rebate statement may still be sent (a fresh install does not announce old periods)."""
    rebate_claim_days: int = Field(default=365, ge=1)
    """How long after a period closes its rebate may still be claimed."""

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        import re

        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("the Telegram webhook secret allows 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("notify_quiet_hours", "notify_digest_time")
    @classmethod
    def _times_of_day(cls, value: str, info: ValidationInfo) -> str:
        from core.errors import DomainError
        from core.timeofday import parse_optional_clock, parse_span

        try:
            parse_span(value) if info.field_name == "notify_quiet_hours" else parse_optional_clock(value)
        except DomainError:
            raise ValueError(f"{value!r} is not a time of day like 08:00 (or a span like 21:00-08:00, or 'off')") from None
        return value

    @field_validator("notify_rate_platform", "notify_rate_chat")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    @field_validator("notify_rate_overrides")
    @classmethod
    def _rates(cls, value: dict[str, str]) -> dict[str, str]:
        for spec in value.values():
            parse_rates(spec)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use a name like Asia/Shanghai") from None
        return value

    @field_validator("public_url", "telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


Rate = tuple[int, float] | None
"""At most `n` events per `seconds`; None: unlimited."""


def parse_rate(spec: str) -> Rate:
    """'25/1' → (25, 1.0); 'off' → None. Used by the notification limits."""
    text = spec.strip().lower()
    if text in ("off", "none", "0"):
        return None
    count, _, seconds = text.partition("/")
    try:
        n, period = int(count), float(seconds or "1")
    except ValueError:
        raise ValueError(f"rate {spec!r}: use N/S, e.g. 25/1 (25 per second) or 'off'") from None
    if n < 1 or not period > 0:
        raise ValueError(f"rate {spec!r}: N and S must be positive")
    return n, period


def parse_rates(spec: str) -> tuple[Rate, Rate]:
    """'30/1, 1/1' → (per platform, per chat)."""
    parts = [p for p in spec.replace(";", ",").split(",") if p.strip()]
    if len(parts) != 2:
        raise ValueError(f"rates {spec!r}: give 'platform N/S, chat N/S', e.g. '30/1, 1/1'")
    return parse_rate(parts[0]), parse_rate(parts[1])
