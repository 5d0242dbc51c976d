"""DingTalk's request crypto as pure functions.

- The HTTP robot callback carries headers `timestamp` (ms) and `sign` =
  base64(HMAC-SHA256(key=appSecret, msg=f"{timestamp}\\n{appSecret}")); DingTalk's rule is
  that a timestamp more than an hour off is refused.
- Encrypted event subscription (DingCallbackCrypto): `signature` = hex SHA-1 of the sorted
  concatenation of token, timestamp, nonce and the `encrypt` field; AES-256-CBC with
  key = base64(aes_key + "="), IV = key[:16], PKCS#7 to 32 bytes; plaintext = 16 random
  bytes + 4-byte big-endian length + message + the owner key (the app key of an in-house app).
  The answer to every event is the word "success", encrypted and signed the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bots.cbc import CryptoError, pad, unpad

__all__ = ["CryptoError", "EventCrypto", "robot_sign", "verify_robot"]
ROBOT_WINDOW_MS = 3_600_000
BLOCK = 32


def robot_sign(timestamp: str, app_secret: str) -> str:
    mac = hmac.new(app_secret.encode(), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def verify_robot(*, timestamp: str, sign: str, app_secret: str, now_ms: float) -> None:
    """Raise CryptoError unless `sign` is right and `timestamp` within an hour of now."""
    if not timestamp.isdigit() or abs(now_ms - int(timestamp)) > ROBOT_WINDOW_MS:
        raise CryptoError("stale timestamp")
    if not hmac.compare_digest(robot_sign(timestamp, app_secret).encode(), sign.strip().encode()):
        raise CryptoError("bad signature")


class EventCrypto:
    """Encrypted event callbacks for one app: token, EncodingAESKey (43 chars) and owner key."""

    def __init__(self, token: str, aes_key: str, owner_key: str) -> None:
        try:
            self._key = base64.b64decode(aes_key + "=", validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("FIELDCHAT_DINGTALK_AES_KEY must be the 43-character key DingTalk shows") from None
        if len(self._key) != 32:
            raise ValueError("FIELDCHAT_DINGTALK_AES_KEY must be the 43-character key DingTalk shows")
        self._token, self._owner = token, owner_key

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return hashlib.sha1("".join(sorted([self._token, timestamp, nonce, encrypted])).encode()).hexdigest()

    def decrypt(self, *, signature: str, timestamp: str, nonce: str, encrypted: str) -> bytes:
        """The message inside; CryptoError for a wrong signature, owner, length or padding."""
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
            raise CryptoError("bad signature")
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("not base64") from None
        if not raw or len(raw) % 16:
            raise CryptoError("bad length")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        plain = unpad(decryptor.update(raw) + decryptor.finalize(), BLOCK)
        if len(plain) < 20:
            raise CryptoError("bad length")
        (size,) = struct.unpack(">I", plain[16:20])
        if 20 + size > len(plain):
            raise CryptoError("bad length")
        if not hmac.compare_digest(plain[20 + size :], self._owner.encode()):
            raise CryptoError("wrong owner key")
        return plain[20 : 20 + size]

    def encrypt(self, message: bytes, *, prefix: bytes | None = None) -> str:
        plain = (prefix or os.urandom(16)) + struct.pack(">I", len(message)) + message + self._owner.encode()
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).encryptor()
        return base64.b64encode(encryptor.update(pad(plain, BLOCK)) + encryptor.finalize()).decode()

    def answer(self, message: bytes, timestamp: str) -> dict[str, str]:
        """The signed, encrypted reply DingTalk expects ("success" for every event)."""
        nonce = secrets.token_urlsafe(6)
        encrypted = self.encrypt(message)
        return {
            "msg_signature": self.signature(timestamp, nonce, encrypted),
            "timeStamp": timestamp, "nonce": nonce, "encrypt": encrypted,
        }
