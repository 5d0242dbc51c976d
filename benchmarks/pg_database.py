"""The PostgreSQL database a benchmark wipes and fills: its own, created on first use.

`FIELDCHAT_BENCH_PG_URL` overrides it; otherwise each benchmark gets
`fieldchat_bench_<name>` on the local server (127.0.0.1:5432, user postgres), so a fresh
machine needs no set-up and two benchmarks never share a schema.
"""

from __future__ import annotations

import os

import asyncpg
from sqlalchemy import make_url

SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"


def bench_pg_url(name: str) -> str:
    return os.environ.get("FIELDCHAT_BENCH_PG_URL") or f"{SERVER}/fieldchat_bench_{name}"


async def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist yet (connecting to the server's `postgres` database)."""
    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1", port=parsed.port or 5432, user=parsed.username or "postgres",
        password=parsed.password, database="postgres",
    )
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database):
            await conn.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await conn.close()
