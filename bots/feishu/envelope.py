"""Open and check one HTTP request from Feishu (pure): decrypt, verify signature and token.

The order follows what each check can know: the signature covers the raw body, so it is
checked before anything is parsed; the verification token sits inside the (possibly
encrypted) payload, so it is checked after decryption. With an Encrypt Key configured,
a plain body or a request without signature headers is refused; url_verification is
answered only for the right token (and a right signature when one is sent).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bots.feishu import crypto

MAX_BODY = 1_000_000
TS, NONCE, SIG = "x-lark-request-timestamp", "x-lark-request-nonce", "x-lark-signature"


class Rejected(Exception):
    """A request that is answered with `status` and processed no further."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Keys:
    verification_token: str
    encrypt_key: str | None


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Rejected(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise Rejected(400, "body is not a JSON object")
    return data


def token_of(payload: dict[str, Any]) -> str:
    header = payload.get("header")
    token = header.get("token") if isinstance(header, dict) else payload.get("token")
    return token if isinstance(token, str) else ""


def is_verification(payload: dict[str, Any]) -> bool:
    return payload.get("type") == "url_verification"


def open_request(raw: bytes, headers: Mapping[str, str], keys: Keys, now: float) -> dict[str, Any]:
    """The payload of a genuine request; Rejected(status, reason) otherwise."""
    if len(raw) > MAX_BODY:
        raise Rejected(413, "body too large")
    outer = _json(raw)
    signed = all(headers.get(h) for h in (TS, NONCE, SIG))
    if keys.encrypt_key and signed:
        try:
            crypto.verify(
                timestamp=headers[TS], nonce=headers[NONCE], encrypt_key=keys.encrypt_key, body=raw,
                given=headers[SIG], now=now,
            )
        except crypto.CryptoError as exc:
            raise Rejected(401, str(exc)) from None
    payload = _decrypted(outer, keys)
    if not hmac.compare_digest(token_of(payload).encode(), keys.verification_token.encode()):
        raise Rejected(403, "wrong verification token")
    if keys.encrypt_key and not signed and not is_verification(payload):
        raise Rejected(401, "signature headers missing")
    return payload


def _decrypted(outer: dict[str, Any], keys: Keys) -> dict[str, Any]:
    encrypted = outer.get("encrypt")
    if encrypted is None:
        if keys.encrypt_key:
            raise Rejected(401, "plain body while an Encrypt Key is configured")
        return outer
    if not keys.encrypt_key or not isinstance(encrypted, str):
        raise Rejected(400, "encrypted body but no Encrypt Key configured")
    try:
        return _json(crypto.decrypt(keys.encrypt_key, encrypted))
    except crypto.CryptoError as exc:
        raise Rejected(401, str(exc)) from None
    except Rejected:
        raise Rejected(401, "decrypted body is not JSON") from None
