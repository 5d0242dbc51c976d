"""Short, signed action tokens (under 64 bytes) that name the flow run they belong to.

Format: `<flow>.<instance>.<arg>.<sig>`; instance `-` marks a stateless action (a card
button that stays valid as long as its record allows). A token whose instance is not the
conversation's current one is stale and gets a polite "this has expired".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

MAX_BYTES = 64
SIG_CHARS = 6
STATELESS = "-"


class BadToken(ValueError):
    pass


@dataclass(frozen=True)
class ActionRef:
    flow: str
    instance: str
    arg: str

    @property
    def stateless(self) -> bool:
        return self.instance == STATELESS


def new_instance() -> str:
    return secrets.token_urlsafe(4)[:6].replace(".", "_")


class TokenCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._keyed = hmac.new(secret, digestmod=hashlib.sha256)
        """Keyed once; each signature copies it (sweeps sign hundreds of thousands of buttons)."""

    def _sign(self, body: str) -> str:
        mac = self._keyed.copy()
        mac.update(body.encode())
        return base64.urlsafe_b64encode(mac.digest()).decode()[:SIG_CHARS]

    def encode(self, flow: str, instance: str, arg: str) -> str:
        if "." in flow or "." in instance:
            raise ValueError("flow and instance may not contain '.'")
        body = f"{flow}.{instance}.{arg}"
        token = f"{body}.{self._sign(body)}"
        if len(token.encode()) > MAX_BYTES:
            raise ValueError(f"action token over {MAX_BYTES} bytes: {token!r}")
        return token

    def decode(self, token: str) -> ActionRef:
        if not isinstance(token, str) or len(token.encode()) > MAX_BYTES:
            raise BadToken("malformed")
        body, _, sig = token.rpartition(".")
        parts = body.split(".", 2)
        if len(parts) != 3 or not hmac.compare_digest(sig, self._sign(body)):
            raise BadToken("bad signature")
        return ActionRef(*parts)

    def stateless(self, token: str) -> bool:
        """Whether a button stays valid any time (a record's), rather than belonging to a dialog
        run: a step's choice, made once, whose list adapters may then close. False for a token
        that does not decode."""
        try:
            return self.decode(token).stateless
        except BadToken:
            return False
