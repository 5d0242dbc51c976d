"""WeCom callback crypto against Tencent's published WXBizMsgCrypt samples, plus round trips
and every way a forged or damaged callback must fail."""

from __future__ import annotations

import base64

import pytest

from bots.wecom import crypto
from bots.wecom.crypto import WeComCryptoError

# Tencent's sample (weworkapi_python, callback/Sample.py): the app settings …
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
ENCODING_AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP_ID = "ww1436e0e65a779aee"
# … URL verification (GET) …
VERIFY = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "echostr": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
}
ECHO_PLAIN = b"1288432023552776189"
# … and a user's text message (POST).
MESSAGE = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
    "encrypt": (
        "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AE"
        "ew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD2"
        "4YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJ"
        "Opcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
    ),
}
MESSAGE_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)
KEY = crypto.aes_key(ENCODING_AES_KEY)


def test_published_url_verification() -> None:
    assert crypto.signature(TOKEN, VERIFY["timestamp"], VERIFY["nonce"], VERIFY["echostr"]) == VERIFY["msg_signature"]
    plain = crypto.open_callback(
        token=TOKEN, key=KEY, receive_id=CORP_ID, msg_signature=VERIFY["msg_signature"],
        timestamp=VERIFY["timestamp"], nonce=VERIFY["nonce"], encrypted=VERIFY["echostr"],
    )
    assert plain == ECHO_PLAIN


def test_published_message() -> None:
    assert crypto.signature(TOKEN, MESSAGE["timestamp"], MESSAGE["nonce"], MESSAGE["encrypt"]) == MESSAGE["msg_signature"]
    plain = crypto.open_callback(
        token=TOKEN, key=KEY, receive_id=CORP_ID, msg_signature=MESSAGE["msg_signature"],
        timestamp=MESSAGE["timestamp"], nonce=MESSAGE["nonce"], encrypted=MESSAGE["encrypt"],
    )
    assert plain.decode() == MESSAGE_PLAIN


def test_key_is_32_bytes_and_iv_its_first_16() -> None:
    assert len(KEY) == 32
    with pytest.raises(WeComCryptoError):
        crypto.aes_key(ENCODING_AES_KEY[:-1])
    with pytest.raises(WeComCryptoError):
        crypto.aes_key("!" * 43)


@pytest.mark.parametrize("message", [b"", b"x", "中文消息".encode() * 3, b"<xml>" + b"a" * 1000 + b"</xml>"])
def test_round_trip(message: bytes) -> None:
    encrypted = crypto.encrypt(message, KEY, CORP_ID)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert crypto.decrypt(encrypted, KEY, CORP_ID) == message


def test_encrypt_is_deterministic_given_the_random_prefix() -> None:
    a = crypto.encrypt(b"hello", KEY, CORP_ID, random16=b"aaaabbbbccccdddd")
    assert a == crypto.encrypt(b"hello", KEY, CORP_ID, random16=b"aaaabbbbccccdddd")
    assert a != crypto.encrypt(b"hello", KEY, CORP_ID)


def test_padding_is_to_32_bytes() -> None:
    assert crypto.pad(b"") == bytes([32]) * 32
    assert crypto.pad(b"a" * 31) == b"a" * 31 + b"\x01"
    assert crypto.unpad(crypto.pad(b"abc")) == b"abc"
    for bad in (b"abc" + b"\x00", b"a" * 31 + b"\x21", b"a" * 28 + b"\x03\x04\x04\x04", b""):
        with pytest.raises(WeComCryptoError, match="padding"):
            crypto.unpad(bad)


def test_wrong_signature_refused_before_decrypting() -> None:
    with pytest.raises(WeComCryptoError, match="signature"):
        crypto.open_callback(
            token=TOKEN, key=KEY, receive_id=CORP_ID, msg_signature="0" * 40,
            timestamp=MESSAGE["timestamp"], nonce=MESSAGE["nonce"], encrypted=MESSAGE["encrypt"],
        )
    with pytest.raises(WeComCryptoError, match="signature"):  # a replayed body under a new timestamp
        crypto.open_callback(
            token=TOKEN, key=KEY, receive_id=CORP_ID, msg_signature=MESSAGE["msg_signature"],
            timestamp="1476422780", nonce=MESSAGE["nonce"], encrypted=MESSAGE["encrypt"],
        )


def test_wrong_corp_id_refused() -> None:
    with pytest.raises(WeComCryptoError, match="receive id"):
        crypto.decrypt(MESSAGE["encrypt"], KEY, "ww0000000000000000")


def test_tampered_ciphertext_refused() -> None:
    raw = bytearray(base64.b64decode(MESSAGE["encrypt"]))
    raw[-1] ^= 0x01  # the last block decrypts to garbage: padding or CorpID no longer check
    with pytest.raises(WeComCryptoError):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode(), KEY, CORP_ID)
    raw = bytearray(base64.b64decode(MESSAGE["encrypt"]))
    raw[-17] ^= 0x01  # flips one byte of the last block's plaintext: the CorpID
    with pytest.raises(WeComCryptoError, match=r"receive id|padding"):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode(), KEY, CORP_ID)


@pytest.mark.parametrize("encrypted", ["not base64!", "", base64.b64encode(b"short").decode(), base64.b64encode(b"x" * 20).decode()])
def test_malformed_ciphertext_refused(encrypted: str) -> None:
    with pytest.raises(WeComCryptoError):
        crypto.decrypt(encrypted, KEY, CORP_ID)


def test_a_length_beyond_the_message_is_refused() -> None:
    forged = crypto._cipher(KEY).encryptor()
    plain = crypto.pad(b"r" * 16 + (10_000).to_bytes(4, "big") + b"hi" + CORP_ID.encode())
    encrypted = base64.b64encode(forged.update(plain) + forged.finalize()).decode()
    with pytest.raises(WeComCryptoError, match="length"):
        crypto.decrypt(encrypted, KEY, CORP_ID)
