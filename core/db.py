"""The async engine and session factory; SQLite gets WAL, foreign keys and inline calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event, make_url, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.sqlite_inline import inline_creator

T = TypeVar("T")
SNAPSHOT = "fieldchat_snapshot"
"""Execution option: no explicit SQLite transaction, so reads never wait for a writer (WAL)."""
SQLITE_BUSY_TIMEOUT_S = 30.0
"""How long a unit of work waits for SQLite's write lock (held by another task or process)."""


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"
        kwargs.setdefault("async_creator", inline_creator(database, SQLITE_BUSY_TIMEOUT_S))
        engine = create_async_engine(url, **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _on_begin) instead of the driver's implicit one.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=0")  # waiting for the write lock is asynchronous: core/sqlite_inline.py
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(SNAPSHOT):
            return  # no BEGIN: each read is its own implicit read transaction, never waiting

        # Take the write lock at BEGIN so that two writers queue instead of failing on upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


async def locked(session: AsyncSession, model: type[T], row_id: int) -> T:
    """Lock a row for the rest of the transaction (a no-op on SQLite, whose writers already take
    turns) and reread it, so that a decision is taken on what is committed now."""
    stmt = select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)  # type: ignore[attr-defined]
    return (await session.scalars(stmt)).one()


def per_dialect(build: Callable[[Any], T]) -> dict[str, T]:
    """A statement with ON CONFLICT, built once for each dialect from that dialect's `insert`
    (PostgreSQL and SQLite spell it alike); pick with `[session.get_bind().dialect.name]`."""
    return {"postgresql": build(pg_insert), "sqlite": build(sqlite_insert)}


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only connection that sees committed data only, even while this task's own unit
    of work holds SQLite's write lock (WAL readers do not wait for the writer)."""
    async with engine.connect() as conn:
        await conn.execution_options(**{SNAPSHOT: True})
        try:
            yield conn
        finally:
            await conn.rollback()
