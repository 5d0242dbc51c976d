"""An inbound event id is reported new exactly once, also from two sessions racing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from core.models import ProcessedEvent
from core.services.inbound_dedupe import first_time


async def test_first_time_once_per_source_and_id(clean_db: AsyncEngine) -> None:
    sessions = async_sessionmaker(clean_db, expire_on_commit=False)
    async with sessions() as session:
        assert await first_time(session, source="telegram", event_id="42") is True
        await session.commit()
    async with sessions() as session:
        assert await first_time(session, source="telegram", event_id="42") is False
        assert await first_time(session, source="slack", event_id="42") is True
        await session.commit()
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ProcessedEvent))
    assert count == 2


async def test_seen_event_leaves_the_transaction_usable(clean_db: AsyncEngine) -> None:
    sessions = async_sessionmaker(clean_db, expire_on_commit=False)
    async with sessions() as session:
        await first_time(session, source="telegram", event_id="7")
        await session.commit()
    async with sessions() as session:
        assert await first_time(session, source="telegram", event_id="7") is False
        assert await first_time(session, source="telegram", event_id="8") is True
        await session.commit()
    async with sessions() as session:
        ids = set(await session.scalars(select(ProcessedEvent.event_id)))
    assert ids == {"7", "8"}


async def test_prune_forgets_only_old_events_of_its_source(clean_db: AsyncEngine) -> None:
    from datetime import timedelta

    from core.models import utcnow
    from core.services.inbound_dedupe import prune

    sessions = async_sessionmaker(clean_db, expire_on_commit=False)
    old = utcnow() - timedelta(days=8)
    async with sessions() as session:
        session.add_all([
            ProcessedEvent(source="telegram:1", event_id="1", at=old),
            ProcessedEvent(source="telegram:1", event_id="2"),
            ProcessedEvent(source="slack", event_id="1", at=old),
        ])
        await session.commit()
    async with sessions() as session:
        assert await prune(session, source="telegram:1", before=utcnow() - timedelta(days=7)) == 1
        await session.commit()
    async with sessions() as session:
        left = set(await session.execute(select(ProcessedEvent.source, ProcessedEvent.event_id)))
    assert left == {("telegram:1", "2"), ("slack", "1")}


async def test_the_engine_drops_a_redelivered_event_but_not_one_whose_turn_failed(container, world) -> None:
    from conversations.inbound import CommandEvent, ConversationKey, Turn
    from conversations.local import sign_in

    rep = ConversationKey("test", "", "c1", "u1")
    await sign_in(container.deps, rep, "rep")
    lead = CommandEvent("lead", "王经理 13812345678 嘉兴新锐环保")
    assert await container.engine.handle(Turn(rep, lead, event_id=("test", "42")))
    assert await container.engine.handle(Turn(rep, lead, event_id=("test", "42"))) == []
    stranger = ConversationKey("test", "", "c2", "u2")
    wrong_code = CommandEvent("start", "ABCD-EFGH")
    for _ in range(2):  # the refused binding wrote nothing, its marker included: a redelivery is answered again
        replies = await container.engine.handle(Turn(stranger, wrong_code, event_id=("test", "43")))
        assert "not valid" in replies[0].text  # type: ignore[union-attr]
    async with container.sessionmaker() as session:
        ids = set(await session.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.source == "test")))
    assert ids == {"42"}
