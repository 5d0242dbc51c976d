"""The rating link as a QR-code image, for the customer to scan from the engineer's phone."""

from __future__ import annotations

import io

import segno

from conversations.messages import Media


def qr_png(url: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def rating_qr(url: str, number: str, caption: str) -> Media:
    return Media("image", f"rating-{number}.png", "image/png", qr_png(url), caption)
