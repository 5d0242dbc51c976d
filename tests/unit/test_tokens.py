from __future__ import annotations

import pytest

from conversations.tokens import MAX_BYTES, BadToken, TokenCodec, new_instance


def test_round_trip_and_length_limit():
    codec = TokenCodec(b"k")
    token = codec.encode("ci", new_instance(), "p123456")
    assert len(token.encode()) <= MAX_BYTES
    ref = codec.decode(token)
    assert (ref.flow, ref.arg) == ("ci", "p123456") and not ref.stateless


@pytest.mark.parametrize("bad", ["", "x", "ci.abc.p1.AAAAAA", "a" * 80, "ci.-.p1"])
def test_tampered_or_malformed_tokens_are_refused(bad):
    codec = TokenCodec(b"k")
    with pytest.raises(BadToken):
        codec.decode(bad)


def test_token_signed_with_another_key_is_refused():
    token = TokenCodec(b"one").encode("x", "-", "go:c")
    with pytest.raises(BadToken):
        TokenCodec(b"two").decode(token)


def test_changed_argument_breaks_the_signature():
    token = TokenCodec(b"k").encode("pl", "-", "cl12")
    with pytest.raises(BadToken):
        TokenCodec(b"k").decode(token.replace("cl12", "cl13"))


def test_too_long_argument_cannot_be_encoded():
    with pytest.raises(ValueError):
        TokenCodec(b"k").encode("ci", "abcdef", "x" * 60)
