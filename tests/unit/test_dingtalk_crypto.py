"""DingTalk's robot signature and event-callback crypto against published samples, and round trips."""

from __future__ import annotations

import base64
import json

import pytest

from bots.dingtalk.crypto import CryptoError, EventCrypto, robot_sign, verify_robot

# The sample at the end of DingTalk's DingCallbackCrypto3.py (open-dingtalk/DingTalk-Callback-Crypto).
SAMPLE = {
    "token": "mryue", "aes_key": "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7", "owner": "ding6ccabc44d2c8d38b",
    "signature": "03044561471240d4a14bb09372dfcfd4fd0e40cb", "timestamp": "1608001896814", "nonce": "WL4PK6yA",
    "encrypt": "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3",
}


def sample_crypto(owner: str = SAMPLE["owner"]) -> EventCrypto:
    return EventCrypto(SAMPLE["token"], SAMPLE["aes_key"], owner)


def test_decrypts_the_published_check_url_sample():
    plain = sample_crypto().decrypt(
        signature=SAMPLE["signature"], timestamp=SAMPLE["timestamp"], nonce=SAMPLE["nonce"], encrypted=SAMPLE["encrypt"]
    )
    assert json.loads(plain) == {"EventType": "check_url"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"signature": "0" * 40}, "bad signature"),
        ({"timestamp": "1608001896815"}, "bad signature"),
        ({"nonce": "WL4PK6yB"}, "bad signature"),
    ],
)
def test_sample_refused_when_anything_signed_changes(change, reason):
    args = {"signature": SAMPLE["signature"], "timestamp": SAMPLE["timestamp"], "nonce": SAMPLE["nonce"], "encrypted": SAMPLE["encrypt"]}
    args.update(change)
    with pytest.raises(CryptoError, match=reason):
        sample_crypto().decrypt(**args)


def test_sample_refused_for_another_app():
    with pytest.raises(CryptoError, match="owner"):
        sample_crypto("dingOTHER").decrypt(
            signature=SAMPLE["signature"], timestamp=SAMPLE["timestamp"], nonce=SAMPLE["nonce"], encrypted=SAMPLE["encrypt"]
        )


def test_success_answer_round_trips_and_is_signed():
    crypto = sample_crypto()
    answer = crypto.answer(b"success", "1608001896999")
    assert set(answer) == {"msg_signature", "timeStamp", "nonce", "encrypt"}
    plain = crypto.decrypt(signature=answer["msg_signature"], timestamp="1608001896999", nonce=answer["nonce"], encrypted=answer["encrypt"])
    assert plain == b"success"


def test_tampered_ciphertext_is_refused():
    crypto = sample_crypto()
    raw = bytearray(base64.b64decode(crypto.encrypt(b'{"EventType":"user_add_org"}')))
    raw[-1] ^= 0x40
    tampered = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(CryptoError):
        crypto.decrypt(signature=crypto.signature("1", "n", tampered), timestamp="1", nonce="n", encrypted=tampered)


def test_a_wrong_aes_key_is_a_clear_configuration_error():
    with pytest.raises(ValueError, match="43-character"):
        EventCrypto("t", "too-short", "ding")


def test_robot_sign_matches_openssl():
    # printf '1577262236757\nSECexample0123456789' | openssl dgst -sha256 -hmac SECexample0123456789 -binary | base64
    assert robot_sign("1577262236757", "SECexample0123456789") == "qf9HvUVEFxf+O0pPV0GZyLnmFi8MooZl79QO82mcZBk="


def test_robot_window_is_one_hour():
    ts, secret = "1577262236757", "SECexample0123456789"
    sign = robot_sign(ts, secret)
    verify_robot(timestamp=ts, sign=sign, app_secret=secret, now_ms=1577262236757 + 3_599_000)
    with pytest.raises(CryptoError, match="stale"):
        verify_robot(timestamp=ts, sign=sign, app_secret=secret, now_ms=1577262236757 + 3_601_000)
    with pytest.raises(CryptoError, match="bad signature"):
        verify_robot(timestamp=ts, sign=robot_sign(ts, "other"), app_secret=secret, now_ms=1577262236757)
    with pytest.raises(CryptoError, match="stale"):
        verify_robot(timestamp="", sign=sign, app_secret=secret, now_ms=1577262236757)
