"""The shared access-token cache: one fetch for many concurrent callers, refresh before expiry,
invalidation that never throws away a newer token."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import make_sessionmaker
from core.models import PlatformToken
from core.services import platform_tokens


class Vendor:
    """Counts token fetches; each answers a new token living `lifetime` seconds."""

    def __init__(self, lifetime: float = 7200) -> None:
        self.calls = 0
        self.lifetime = lifetime

    async def fetch(self) -> tuple[str, float]:
        self.calls += 1
        await asyncio.sleep(0.05)  # a slow vendor: concurrent callers pile up behind the lock
        return f"token-{self.calls}", self.lifetime


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


async def test_many_workers_fetch_once_and_share(clean_db: AsyncEngine) -> None:
    vendor, clock = Vendor(), Clock()
    makers = [make_sessionmaker(clean_db) for _ in range(3)]  # three "workers"
    got = await asyncio.gather(
        *(platform_tokens.get_or_refresh(m, name="wecom:c:1", fetch=vendor.fetch, now=clock) for m in makers * 4)
    )
    assert set(got) == {"token-1"}
    assert vendor.calls == 1
    async with makers[0]() as session:
        row = await session.get_one(PlatformToken, "wecom:c:1")
    assert row.value == "token-1"
    assert row.expires_at == clock.at + timedelta(seconds=7200)


async def test_refreshed_shortly_before_expiry(clean_db: AsyncEngine) -> None:
    vendor, clock, maker = Vendor(), Clock(), make_sessionmaker(clean_db)
    get = lambda: platform_tokens.get_or_refresh(maker, name="feishu:app", fetch=vendor.fetch, now=clock)  # noqa: E731
    assert await get() == "token-1"
    clock.at += timedelta(seconds=7200 - 301)
    assert await get() == "token-1"
    clock.at += timedelta(seconds=2)  # inside the 5-minute margin
    assert await get() == "token-2"
    assert vendor.calls == 2


async def test_invalidate_only_the_stale_copy(clean_db: AsyncEngine) -> None:
    vendor, clock, maker = Vendor(), Clock(), make_sessionmaker(clean_db)
    get = lambda: platform_tokens.get_or_refresh(maker, name="wecom:c:1", fetch=vendor.fetch, now=clock)  # noqa: E731
    stale = await get()
    assert await platform_tokens.invalidate(maker, name="wecom:c:1", value=stale)
    fresh = await get()
    assert fresh == "token-2"
    # A second worker still holding the first token reports it invalid: the new one stays.
    assert not await platform_tokens.invalidate(maker, name="wecom:c:1", value=stale)
    assert await get() == "token-2"
    assert vendor.calls == 2


async def test_a_failed_fetch_stores_nothing(clean_db: AsyncEngine) -> None:
    maker, clock = make_sessionmaker(clean_db), Clock()

    async def broken() -> tuple[str, float]:
        raise ConnectionError("vendor down")

    try:
        await platform_tokens.get_or_refresh(maker, name="dingtalk:k", fetch=broken, now=clock)
    except ConnectionError:
        pass
    else:
        raise AssertionError("the fetch error should surface")
    vendor = Vendor()
    assert await platform_tokens.get_or_refresh(maker, name="dingtalk:k", fetch=vendor.fetch, now=clock) == "token-1"
