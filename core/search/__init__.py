"""One interface for finding customers, contacts and products by anything a person types,
and customers nearby.

The implementation (`core.search.indexed.IndexedSearch`) keeps an in-process index per
worker, rebuilt on start and kept current through the database's change log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.geo import Point
    from core.models import Contact, Customer, Product
    from core.permissions import Scope
    from core.search.mentions import ProductCatalog


@dataclass(frozen=True)
class CustomerHit:
    customer: Customer
    score: float
    visible: bool
    """False: outside the user's scope, shown only as a list row (name, code, owner)."""
    owner_name: str | None
    distance_m: float | None = None
    via_contact: str | None = None
    """The contact whose name matched, when the customer was found through a person."""


@dataclass(frozen=True)
class ContactHit:
    contact: Contact
    customer: Customer
    score: float
    visible: bool
    """False: the contact's customer is outside the user's scope; show the customer row only."""
    owner_name: str | None


@dataclass(frozen=True)
class ProductHit:
    product: Product
    score: float


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

    async def search_contacts(
        self, session: AsyncSession, *, scope: Scope, query: str, limit: int = 8
    ) -> list[ContactHit]: ...

    async def search_products(
        self, session: AsyncSession, *, query: str, limit: int = 8, include_inactive: bool = False
    ) -> list[ProductHit]: ...

    async def product_catalog(self) -> ProductCatalog:
        """A consistent in-memory view of the active products: SKUs, every-word and fuzzy matching
        for many mentions at once (a dealer's stock message) without a database round trip each."""
        ...

    async def similar_customers(self, session: AsyncSession, *, query: str, limit: int = 20) -> list[Customer]:
        """Customers whose name or phone is like `query`, regardless of scope (duplicate checks)."""
        ...
