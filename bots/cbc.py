"""PKCS#7 padding and the error every callback-crypto helper raises (Feishu, DingTalk)."""

from __future__ import annotations

import hmac


class CryptoError(ValueError):
    """A payload or signature that must not be trusted (the reason is safe to log)."""


def pad(data: bytes, block: int) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


def unpad(data: bytes, block: int) -> bytes:
    """Strict PKCS#7: every padding byte checked, so a flipped byte is refused, not truncated."""
    n = data[-1] if data else 0
    if not 1 <= n <= block or len(data) < n or not hmac.compare_digest(data[-n:], bytes([n]) * n):
        raise CryptoError("bad padding")
    return data[:-n]
