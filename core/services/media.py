"""Photos and files kept by FieldChat itself, referenced as 'media:<id>'."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput
from core.models import MediaBlob

MAX_BYTES = 5 * 1024 * 1024
ALLOWED = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/heic")


async def store(session: AsyncSession, *, data: bytes, mime: str) -> str:
    if mime not in ALLOWED:
        raise InvalidInput("error.media_type", mime=mime[:40])
    if not data or len(data) > MAX_BYTES:
        raise InvalidInput("error.media_size", limit_mb=MAX_BYTES // (1024 * 1024))
    digest = hashlib.sha256(data).hexdigest()
    existing = await session.scalar(select(MediaBlob.id).where(MediaBlob.sha256 == digest))
    if existing is None:
        blob = MediaBlob(sha256=digest, mime=mime, size=len(data), data=data)
        session.add(blob)
        await session.flush()
        existing = blob.id
    return f"media:{existing}"


async def load(session: AsyncSession, ref: str) -> MediaBlob | None:
    if not ref.startswith("media:") or not ref[6:].isdigit():
        return None
    return await session.get(MediaBlob, int(ref[6:]))
