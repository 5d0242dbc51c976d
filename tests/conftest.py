"""Test database (SQLite file by default, PostgreSQL with FIELDCHAT_TEST_DATABASE_URL), built by the
real migrations once per run and emptied before every test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bootstrap import Container, build
from core.db import make_engine
from core.migrate import upgrade
from core.models import Base
from core.settings import Settings
from tests.support.world import World, make_world

_TMP = Path(tempfile.mkdtemp(prefix="fieldchat-test-"))
DATABASE_URL = os.environ.get("FIELDCHAT_TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{_TMP / 'test.db'}"


def pytest_report_header() -> str:
    return f"FieldChat test database: {DATABASE_URL.split('@')[-1]}"


@pytest.fixture(scope="session")
async def db() -> AsyncIterator[AsyncEngine]:
    engine = make_engine(DATABASE_URL)
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def truncate(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            await conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for name in tables:
                await conn.execute(text(f"DELETE FROM {name}"))


def test_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": DATABASE_URL, "demo": False, "secret_key": "test-secret-key", "default_locale": "en",
        "notify_in_process": False,  # no background sweeps or delivery unless a test asks for them
        # Tests deliver "now": with the default quiet hours (21:00-08:00 Shanghai) that would hold
        # every notification back whenever the suite runs between 13:00 and 24:00 UTC. Tests of quiet
        # hours ask for the product's default (`@pytest.mark.settings(**PRODUCT_QUIET_HOURS)`) and
        # deliver at fixed local times.
        "notify_quiet_hours": "off",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


PRODUCT_QUIET_HOURS = {"notify_quiet_hours": Settings.model_fields["notify_quiet_hours"].default}

test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, when imported


@pytest.fixture
async def clean_db(db: AsyncEngine) -> AsyncEngine:
    await truncate(db)
    return db


@pytest.fixture
async def container(clean_db: AsyncEngine, request: pytest.FixtureRequest) -> Container:
    """The app on the test database; `@pytest.mark.settings(name=value)` overrides test settings."""
    marker = request.node.get_closest_marker("settings")
    return await build(test_settings(**(marker.kwargs if marker else {})), migrate=False, db=clean_db)


@pytest.fixture
async def world(container: Container) -> World:
    return await make_world(container.sessionmaker)


@pytest.fixture
def chat_as(container: Container, world: World):  # type: ignore[no-untyped-def]
    """A bound chat for a world login: `rep = await chat_as("rep")`."""
    from conversations.local import sign_in
    from tests.support.chat import Chat

    async def make(login: str, **kw: object) -> Chat:
        chat = Chat(container.engine, login, **kw)  # type: ignore[arg-type]
        await sign_in(container.deps, chat.key, login)
        return chat

    return make
