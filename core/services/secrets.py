"""The server's signing secret: from settings, or generated once and kept in the database."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import AppSecret

NAME = "secret_key"


async def ensure_secret(sessionmaker: async_sessionmaker[AsyncSession], configured: str | None) -> bytes:
    """Every worker ends up with the same key: the first one to start stores it."""
    if configured:
        return configured.encode()
    for _ in range(3):
        async with sessionmaker() as session:
            row = await session.get(AppSecret, NAME)
            if row is not None:
                return row.value.encode()
            session.add(AppSecret(name=NAME, value=secrets.token_urlsafe(32)))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
    raise RuntimeError("could not store or read the generated secret key")
