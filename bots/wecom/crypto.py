"""WeCom callback crypto (企业微信 回调加解密), as pure functions.

The scheme (developer.work.weixin.qq.com/document/path/91144, the WXBizMsgCrypt samples):
- msg_signature = sha1 of the sorted, concatenated token, timestamp, nonce and ciphertext;
- AESKey = base64(EncodingAESKey + "="), 32 bytes; AES-256-CBC with IV = AESKey[:16];
- plaintext = 16 random bytes + 4-byte big-endian length + message + receive id (the CorpID
  for a self-built app), PKCS#7-padded to a multiple of 32 bytes (not AES's 16).

Every check fails closed with `WeComCryptoError`, whose reason names the check and never
the data, so it can be logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAD_BLOCK = 32
"""WeCom pads to 32 bytes, a multiple of AES's block."""
RANDOM_BYTES = 16
KEY_CHARS = 43


class WeComCryptoError(ValueError):
    """A callback that must not be trusted; the message is a safe-to-log reason."""


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key behind the 43-character EncodingAESKey of the app settings."""
    if len(encoding_aes_key) != KEY_CHARS:
        raise WeComCryptoError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise WeComCryptoError("EncodingAESKey is not base64") from None
    if len(key) != 32:
        raise WeComCryptoError("EncodingAESKey does not give a 32-byte key")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """msg_signature: hex SHA-1 over the four strings sorted and concatenated."""
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, encrypted))).encode()).hexdigest()


def check_signature(token: str, timestamp: str, nonce: str, encrypted: str, given: str) -> None:
    if not hmac.compare_digest(signature(token, timestamp, nonce, encrypted).encode(), given.lower().encode()):
        raise WeComCryptoError("signature mismatch")


def pad(data: bytes) -> bytes:
    n = PAD_BLOCK - len(data) % PAD_BLOCK
    return data + bytes([n]) * n


def unpad(data: bytes) -> bytes:
    """Strict PKCS#7 to 32: every padding byte is checked, so tampering is refused, not truncated."""
    n = data[-1] if data else 0
    if not 1 <= n <= PAD_BLOCK or len(data) < n or not hmac.compare_digest(data[-n:], bytes([n]) * n):
        raise WeComCryptoError("bad padding")
    return data[:-n]


def _cipher(key: bytes) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(message: bytes, key: bytes, receive_id: str, random16: bytes | None = None) -> str:
    """Base64 ciphertext of `message` for `receive_id` (used for passive replies and by tests)."""
    nonce = random16 if random16 is not None else os.urandom(RANDOM_BYTES)
    if len(nonce) != RANDOM_BYTES:
        raise ValueError("the random prefix is 16 bytes")
    plain = pad(nonce + struct.pack(">I", len(message)) + message + receive_id.encode())
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str, key: bytes, receive_id: str) -> bytes:
    """The message inside a callback ciphertext, after the padding, length and receive-id checks."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise WeComCryptoError("ciphertext is not base64") from None
    if not raw or len(raw) % 16:
        raise WeComCryptoError("ciphertext is not whole AES blocks")
    decryptor = _cipher(key).decryptor()
    plain = unpad(decryptor.update(raw) + decryptor.finalize())
    if len(plain) < RANDOM_BYTES + 4:
        raise WeComCryptoError("plaintext too short")
    (length,) = struct.unpack(">I", plain[RANDOM_BYTES : RANDOM_BYTES + 4])
    body = plain[RANDOM_BYTES + 4 :]
    if length > len(body):
        raise WeComCryptoError("message length out of range")
    if not hmac.compare_digest(body[length:], receive_id.encode()):
        raise WeComCryptoError("receive id (CorpID) mismatch")
    return body[:length]


def open_callback(
    *, token: str, key: bytes, receive_id: str, msg_signature: str, timestamp: str, nonce: str, encrypted: str
) -> bytes:
    """Verify the signature first (cheap, and nothing is decrypted for a forger), then decrypt."""
    check_signature(token, timestamp, nonce, encrypted, msg_signature)
    return decrypt(encrypted, key, receive_id)
