"""Bearer API keys for machines and the ERP: `Authorization: Bearer <key>`, checked per scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import ApiKey
from core.services.apikeys import authenticate


def bearer(sessionmaker: async_sessionmaker[AsyncSession], scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency answering 401 (with the reason) unless a live key with `scope` is presented."""

    async def check(authorization: Annotated[str | None, Header(max_length=300)] = None) -> ApiKey:
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise HTTPException(401, "send the API key as 'Authorization: Bearer <key>'", headers={"WWW-Authenticate": "Bearer"})
        async with sessionmaker() as session:
            found = await authenticate(session, key=key.strip(), scope=scope)
        if found is None:
            raise HTTPException(401, f"unknown or revoked API key, or not allowed the '{scope}' scope", headers={"WWW-Authenticate": "Bearer"})
        return found

    return check
