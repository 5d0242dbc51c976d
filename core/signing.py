"""Signed, expiring claims for links that leave the chat (rating pages, and any other page link).

A token is `<base64url JSON list>.<HMAC-SHA256, 16 bytes>`; the key is derived from the
server secret and a purpose, so a token made for one purpose never verifies for another.
Single use is the caller's business (a unique row, or core.services.inbound_dedupe).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

MAX_TOKEN = 1500
SIG_BYTES = 16


class TokenRejected(ValueError):
    """Not to be acted on; `reason` tells the page which message to show."""

    def __init__(self, reason: Literal["tampered", "expired"], claim: list[Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.claim = claim
        """For an expired token: its (genuine) claim, so the page can answer in the link's language."""


class Signer:
    def __init__(self, secret: bytes, purpose: str) -> None:
        self._key = hashlib.sha256(purpose.encode() + b"|" + secret).digest()

    def issue(self, claim: list[Any], *, now: datetime, ttl: timedelta) -> str:
        """Sign `claim` (JSON-able values) with an expiry appended as its last element."""
        expires = int((now + ttl).timestamp())
        body = _b64(json.dumps([*claim, expires], ensure_ascii=False, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, *, now: datetime) -> list[Any]:
        """The claim without its expiry; TokenRejected when forged, malformed or expired."""
        body, _, sig = token.partition(".")
        if not body or len(token) > MAX_TOKEN or not hmac.compare_digest(sig.encode(), self._sign(body).encode()):
            raise TokenRejected("tampered")
        try:
            raw = json.loads(_unb64(body))
            expires = datetime.fromtimestamp(int(raw[-1]), UTC)
        except (ValueError, TypeError, IndexError, KeyError, binascii.Error, OverflowError):
            raise TokenRejected("tampered") from None
        if not isinstance(raw, list):
            raise TokenRejected("tampered")
        if expires <= now:
            raise TokenRejected("expired", raw[:-1])
        return raw[:-1]

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:SIG_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
