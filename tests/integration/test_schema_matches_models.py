"""The migrations build exactly the schema the models describe (tables, columns, indexes, keys)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from core.models import Base


async def test_migrated_database_has_no_difference_from_the_models(db: AsyncEngine) -> None:
    async with db.connect() as conn:
        differences = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    assert differences == []
