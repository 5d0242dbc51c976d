"""Signed web chat session tokens: 'wc1.<chat>.<sig>', so that no session table is needed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "wc1"


class SessionCodec:
    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"webchat-session|" + secret).digest()

    def _sign(self, chat: str) -> str:
        mac = hmac.new(self._key, chat.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:22]

    def for_login(self, login: str) -> str:
        return self.issue(f"u-{login}")

    def anonymous(self) -> str:
        return self.issue(f"a-{secrets.token_urlsafe(9)}")

    def issue(self, chat: str) -> str:
        return f"{PREFIX}.{chat}.{self._sign(chat)}"

    def chat_of(self, token: str) -> str | None:
        """The chat id inside a genuine token, or None."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
            return None
        return parts[1] if hmac.compare_digest(parts[2], self._sign(parts[1])) else None
