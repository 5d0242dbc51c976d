"""Signed, short-lived, single-use links to the web pages that stand in for what a chat app lacks.

A chat without location sharing gets a check-in page link; a chat without native forms
gets a form page link. The link names the conversation it belongs to, so the page's
answer enters that conversation as an ordinary turn. The token is
`<base64url JSON claim>.<HMAC>`; the nonce inside is redeemed once (core.services.single_use).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from conversations.inbound import ConversationKey
from core.models import utcnow

Kind = Literal["loc", "form"]
KINDS: tuple[Kind, ...] = ("loc", "form")
MAX_TOKEN = 1500
SIG_BYTES = 16


class LinkRejected(ValueError):
    """A token that must not be acted on; `reason` picks the error page."""

    def __init__(self, reason: Literal["tampered", "expired", "used", "closed"], locale: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locale = locale
        """The link's language when it is genuine (an expired link), to answer in it."""


@dataclass(frozen=True)
class PageClaim:
    """What a genuine link says: which page, for which conversation, until when."""

    kind: Kind
    key: ConversationKey
    locale: str
    instance: str
    """The dialog run a form link belongs to ('' for check-in links)."""
    nonce: str
    expires_at: datetime


class PageLinks:
    """Issues and verifies page links; one instance per process, built by the composition root."""

    def __init__(self, secret: bytes, base_url: str, ttl: timedelta) -> None:
        self._key = hashlib.sha256(b"page-link|" + secret).digest()
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl

    def location_url(self, key: ConversationKey, locale: str) -> str:
        return f"{self.base_url}/p/loc/{self.issue('loc', key, locale)}"

    def form_url(self, key: ConversationKey, locale: str, instance: str) -> str:
        return f"{self.base_url}/p/form/{self.issue('form', key, locale, instance)}"

    def issue(self, kind: Kind, key: ConversationKey, locale: str, instance: str = "", now: datetime | None = None) -> str:
        expires = int(((now or utcnow()) + self.ttl).timestamp())
        claim = [kind, key.platform, key.workspace, key.chat, key.user, locale, instance, secrets.token_urlsafe(12), expires]
        body = _b64(json.dumps(claim, ensure_ascii=False, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, kind: Kind, now: datetime | None = None) -> PageClaim:
        """The claim of a genuine, unexpired token of this kind; LinkRejected otherwise."""
        body, _, sig = token.partition(".")
        if not body or len(token) > MAX_TOKEN or not hmac.compare_digest(sig, self._sign(body)):
            raise LinkRejected("tampered")
        try:
            raw = json.loads(_unb64(body))
            k, platform, workspace, chat, user, locale, instance, nonce, expires = raw
            claim = PageClaim(
                k, ConversationKey(str(platform), str(workspace), str(chat), str(user)), str(locale), str(instance),
                str(nonce), datetime.fromtimestamp(int(expires), UTC),
            )
        except (ValueError, TypeError, binascii.Error, OverflowError):
            raise LinkRejected("tampered") from None
        if claim.kind != kind:
            raise LinkRejected("tampered")
        if claim.expires_at <= (now or utcnow()):
            raise LinkRejected("expired", claim.locale)
        return claim

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:SIG_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
