"""One interface for finding customers (by anything a person types) and customers nearby.

The implementation here is correct and simple: a LIKE prefilter on the precomputed
`search_text` and rapidfuzz scoring. A faster in-memory index can replace it behind the
same `CustomerSearch` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core.geo import Point
from core.models import Customer
from core.permissions import Scope


@dataclass(frozen=True)
class CustomerHit:
    customer: Customer
    score: float
    visible: bool
    """False: outside the user's scope, shown only as a list row (name, code, owner)."""
    owner_name: str | None
    distance_m: float | None = None


class CustomerSearch(Protocol):
    async def search(
        self, session: AsyncSession, *, scope: Scope, query: str, limit: int = 8, near: Point | None = None
    ) -> list[CustomerHit]: ...

    async def nearby(
        self,
        session: AsyncSession,
        *,
        scope: Scope,
        point: Point,
        radius_m: float,
        pool_only: bool = False,
        limit: int = 10,
    ) -> list[CustomerHit]: ...
