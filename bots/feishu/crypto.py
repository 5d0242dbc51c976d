"""Feishu's event crypto as pure functions: the {"encrypt": …} body and X-Lark-Signature.

Encrypt Key mode: AES-256-CBC, key = SHA-256(Encrypt Key), the IV is the first 16 bytes of
the base64-decoded payload, PKCS#7 padding to 16 bytes. The signature is the hex SHA-256 of
timestamp + nonce + Encrypt Key + the raw body bytes, compared in constant time; the
timestamp must be recent, so that a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bots.cbc import CryptoError, pad, unpad

__all__ = ["CryptoError", "decrypt", "encrypt", "signature", "verify"]

BLOCK = 16
REPLAY_WINDOW_S = 300


def aes_key(encrypt_key: str) -> bytes:
    return hashlib.sha256(encrypt_key.encode()).digest()


def decrypt(encrypt_key: str, encrypted: str) -> bytes:
    """The plaintext of an `encrypt` field; CryptoError for anything malformed or tampered."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError("not base64") from None
    if len(raw) < 2 * BLOCK or len(raw) % BLOCK:
        raise CryptoError("bad length")
    decryptor = Cipher(algorithms.AES(aes_key(encrypt_key)), modes.CBC(raw[:BLOCK])).decryptor()
    padded = decryptor.update(raw[BLOCK:]) + decryptor.finalize()
    return unpad(padded, BLOCK)


def encrypt(encrypt_key: str, plaintext: bytes, iv: bytes | None = None) -> str:
    """What Feishu sends (used by tests and the recording fake; a fresh IV each time)."""
    iv = iv or os.urandom(BLOCK)
    encryptor = Cipher(algorithms.AES(aes_key(encrypt_key)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(pad(plaintext, BLOCK)) + encryptor.finalize()).decode()


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def verify(
    *, timestamp: str, nonce: str, encrypt_key: str, body: bytes, given: str, now: float,
    window_s: float = REPLAY_WINDOW_S,
) -> None:
    """Raise CryptoError unless the signature is right and the timestamp within the window."""
    try:
        sent_at = float(timestamp)
    except ValueError:
        raise CryptoError("bad timestamp") from None
    if abs(now - sent_at) > window_s:
        raise CryptoError("stale timestamp")
    expected = signature(timestamp, nonce, encrypt_key, body)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        raise CryptoError("bad signature")
