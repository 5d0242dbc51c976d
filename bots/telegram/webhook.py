"""POST /telegram/webhook: check the secret, parse the Update, acknowledge, work in the background.

Telegram waits up to 60 s and redelivers on errors, so the route only verifies and parses, then
waits a few milliseconds at most for the turn's commit (see `TelegramAdapter.schedule`);
anything it cannot use is answered 200 (ignored) or 4xx with the reason, never 5xx.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError

from bots.telegram import WEBHOOK_PATH

if TYPE_CHECKING:
    from bots.telegram.adapter import TelegramAdapter

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HANDLED = ("message", "edited_message", "callback_query")
MAX_BODY = 1024 * 1024


class BadUpdate(ValueError):
    """The body is not a Telegram Update; the message says why (sent back with 400)."""


def secret_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def parse_update(body: bytes, bot: Any) -> Update | None:
    """The Update, or None for a well-formed update of a kind we do not handle (not validated further:
    a newer Bot API may have changed its fields)."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadUpdate("the body is not JSON") from None
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise BadUpdate("not a Telegram Update: an integer update_id is required")
    if not any(kind in raw for kind in HANDLED):
        return None
    try:
        return Update.model_validate(raw, context={"bot": bot})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BadUpdate(f"not a Telegram Update: {where}: {first['msg']}") from None


def kind_of(update: Update) -> str | None:
    """The update's kind, or None for one this aiogram does not know (a newer Bot API)."""
    try:
        return update.event_type
    except UpdateTypeLookupError:
        return None


def webhook_router(adapter: TelegramAdapter) -> APIRouter:
    api = APIRouter(tags=["telegram"])

    @api.post(WEBHOOK_PATH)
    async def telegram_webhook(request: Request) -> dict[str, bool]:
        """Telegram's webhook; requests must carry the secret given to setWebhook."""
        if not secret_matches(request.headers.get(SECRET_HEADER), adapter.secret):
            raise HTTPException(401, f"wrong or missing {SECRET_HEADER}")
        body = await request.body()
        if len(body) > MAX_BODY:
            raise HTTPException(413, "an update is never this large")
        try:
            update = parse_update(body, adapter.bot)
        except BadUpdate as exc:
            raise HTTPException(400, str(exc)) from None
        kind = kind_of(update) if update is not None else None
        if update is None or kind not in HANDLED:
            log.debug("update of kind %s ignored", kind or "unhandled")
            return {"ok": True}
        await adapter.schedule(update)
        return {"ok": True}

    return api
