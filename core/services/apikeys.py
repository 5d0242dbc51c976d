"""API keys for machines and the ERP: shown once, stored as a SHA-256, scoped, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput, NotFound
from core.models import ApiKey, utcnow

SCOPES = ("telemetry", "tickets", "outbox")
"""outbox: the admin API over the notification outbox (read, retry)."""
PREFIX = "fck_"


def digest(key: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is enough (no slow hash needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(session: AsyncSession, *, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """A new key and its plaintext (the only time it exists outside the caller's hands)."""
    name = name.strip()
    if not name or len(name) > 60:
        raise InvalidInput("error.apikey_name")
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise InvalidInput("error.apikey_scope", scopes=", ".join(SCOPES))
    plain = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=plain[:12], key_hash=digest(plain), scopes=" ".join(sorted(set(scopes))))
    session.add(row)
    await session.flush()
    return row, plain


async def revoke_key(session: AsyncSession, *, ref: str) -> list[ApiKey]:
    """Revoke by id, name or prefix; every matching live key."""
    ref = ref.strip()
    cond = or_(ApiKey.name == ref, ApiKey.prefix == ref[:12]) if not ref.isdigit() else ApiKey.id == int(ref)
    rows = list((await session.scalars(select(ApiKey).where(cond, ApiKey.revoked_at.is_(None)))).all())
    if not rows:
        raise NotFound("error.apikey_unknown")
    for row in rows:
        row.revoked_at = utcnow()
    return rows


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return list((await session.scalars(select(ApiKey).order_by(ApiKey.id))).all())


async def authenticate(session: AsyncSession, *, key: str, scope: str) -> ApiKey | None:
    """The live key with this scope, or None (unknown, revoked, or not allowed here)."""
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    row = await session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None)))
    if row is None or scope not in row.scopes.split():
        return None
    return row

