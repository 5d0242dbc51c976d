"""Telegram through aiogram 3: webhook or long polling, native keyboards, live locations.

Importing this package does not import aiogram (about five seconds and 170 MB); the composition
root calls `create_adapter` only when FIELDCHAT_TELEGRAM_TOKEN is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from core.settings import Settings

if TYPE_CHECKING:
    from bots.telegram.adapter import TelegramAdapter
    from conversations.context import Deps
    from conversations.engine import Engine

WEBHOOK_PATH = "/telegram/webhook"


def webhook_secret(settings: Settings, app_secret: bytes) -> str:
    """The configured secret, or one derived from the server's key: the same on every worker and restart."""
    if settings.telegram_webhook_secret is not None:
        return settings.telegram_webhook_secret.get_secret_value()
    digest = hmac.new(app_secret, b"telegram-webhook-secret", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def create_adapter(engine: Engine, deps: Deps, app_secret: bytes) -> TelegramAdapter:
    from bots.telegram.adapter import TelegramAdapter
    from bots.telegram.limits import SendLimits

    settings = deps.settings
    assert settings.telegram_token is not None, "the Telegram adapter needs FIELDCHAT_TELEGRAM_TOKEN"
    limits = SendLimits(per_second=settings.telegram_rate_per_second, chat_per_second=settings.telegram_chat_rate_per_second)
    return TelegramAdapter(
        engine,
        deps,
        token=settings.telegram_token.get_secret_value(),
        secret=webhook_secret(settings, app_secret),
        api_url=settings.telegram_api_url,
        webhook_url=f"{settings.public_url}{WEBHOOK_PATH}" if settings.public_url else None,
        limits=limits,
    )
