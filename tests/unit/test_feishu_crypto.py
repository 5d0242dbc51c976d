"""Feishu's event crypto against the vendor's published example, and round trips."""

from __future__ import annotations

import base64

import pytest

from bots.feishu import crypto
from bots.feishu.crypto import CryptoError

# Feishu's own example (Encrypt Key docs, also in its Python/Java samples): "test key" → "hello world".
VENDOR_KEY = "test key"
VENDOR_ENCRYPTED = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="


def test_decrypts_the_published_example():
    assert crypto.decrypt(VENDOR_KEY, VENDOR_ENCRYPTED) == b"hello world"


def test_the_wrong_key_does_not_decrypt_the_published_example():
    with pytest.raises(CryptoError):
        crypto.decrypt("other key", VENDOR_ENCRYPTED)


@pytest.mark.parametrize("plain", [b"", b"{}", "签到 ✓".encode() * 40, b"x" * 16])
def test_round_trip(plain):
    assert crypto.decrypt("k3y", crypto.encrypt("k3y", plain)) == plain


def test_tampered_ciphertext_and_bad_padding_are_refused():
    raw = bytearray(base64.b64decode(crypto.encrypt("k", b'{"a":1}')))
    raw[15] ^= 0x01  # in CBC the IV's last byte flips the (one-block) plaintext's last byte, the padding, every time
    with pytest.raises(CryptoError, match="padding"):
        crypto.decrypt("k", base64.b64encode(bytes(raw)).decode())
    for bad in ("not base64!", base64.b64encode(b"short").decode(), base64.b64encode(b"x" * 33).decode()):
        with pytest.raises(CryptoError):
            crypto.decrypt("k", bad)


def test_signature_matches_an_independent_sha256():
    body = b'{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}'
    # `printf '1700000000nonce-1test key{body}' | sha256sum`
    expected = "002a272a435d056759149cce18e88064ff320d38d91a09432445c344c4296949"
    assert crypto.signature("1700000000", "nonce-1", VENDOR_KEY, body) == expected
    crypto.verify(timestamp="1700000000", nonce="nonce-1", encrypt_key=VENDOR_KEY, body=body, given=expected, now=1700000100)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"given": "0" * 64}, "bad signature"),
        ({"body": b'{"encrypt": "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}'}, "bad signature"),  # re-serialised
        ({"now": 1700000000 + 301}, "stale"),
        ({"now": 1700000000 - 301}, "stale"),
        ({"timestamp": "soon"}, "bad timestamp"),
    ],
)
def test_verify_refuses(change, reason):
    body = b'{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}'
    args = {
        "timestamp": "1700000000", "nonce": "nonce-1", "encrypt_key": VENDOR_KEY, "body": body,
        "given": crypto.signature("1700000000", "nonce-1", VENDOR_KEY, body), "now": 1700000000.0,
    }
    args.update(change)
    with pytest.raises(CryptoError, match=reason):
        crypto.verify(**args)
