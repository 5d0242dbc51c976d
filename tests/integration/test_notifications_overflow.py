"""A pile of notifications behind a send limit: the informational ones fold into one digest, the
ones a user cannot mute go alone and first, and every row is sent alone or folded into exactly
one digest — across batches, through WeCom's per-member budget, and with several workers at
once. Clocks are the recording fakes'; nothing sleeps."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from conversations.messages import Choices, Text
from core.db import make_engine, make_sessionmaker
from core.models import ChatIdentity, Notification, OutboxStatus
from notifications.compose import Composer
from notifications.delivery import Delivery
from notifications.ratelimit import Limits
from tests.conftest import DATABASE_URL
from tests.integration.wecom_env import make_rig
from tests.support.notify import FakeClock, local, notifier, queue, rows
from tests.support.recording import RecordingAdapter, Registry

AT = local(1, 10)
"""10:00 tomorrow in Shanghai: outside quiet hours."""
ALONE = ("approval_outcome", "rebate_claim")
"""Kinds a user cannot mute (and that need no record behind them to stay worth sending)."""


async def pile(container, user_id: int, kinds: list[str], tag: str = "") -> list[int]:
    """One row per kind, in this order, all due at AT; the summary says which (`stock_low #8`)."""
    return [await queue(container, user_id, f"{tag}{kind} #{n}", kind=kind, due=AT) for n, kind in enumerate(kinds, 1)]


def limited(container, platform, clock: FakeClock, chat_rate: str, **settings):
    settings = {"notify_rate_chat": chat_rate, **settings}
    limits = Limits(container.settings.model_copy(update=settings), clock=clock)
    return notifier(container, platform, limits=limits, **settings)


async def test_behind_the_chat_limit_the_waiting_notices_fold_and_the_unmutable_ones_go_first(container, world, chat_as):
    rep = await chat_as("rep")
    platform, clock = RecordingAdapter("test"), FakeClock()
    n = limited(container, platform, clock, "5/60", notify_batch_size=4)  # the pile spans several batches
    kinds = ["lead_assigned"] * 5 + ["approval_outcome", "lead_assigned", "stock_low", "rebate_tier", "rebate_claim"]
    ids = await pile(container, world.uid("rep"), kinds + ["lead_assigned"] * 2)

    report = await n.deliver(AT)
    assert [r.text for r in platform.sent] == [f"lead_assigned #{i}" for i in range(1, 6)]  # five a minute
    assert (report.sent, report.deferred, report.digests, report.digested) == (5, 2, 1, 5)
    stored = {r.id: r for r in await rows(container)}
    (digest,) = [r for r in stored.values() if r.kind == "digest"]
    folded, alone = [ids[i] for i in (6, 7, 8, 10, 11)], [ids[5], ids[9]]
    assert {i for i, r in stored.items() if r.status == OutboxStatus.DIGESTED} == set(folded)
    assert {stored[i].parent_id for i in folded} == {digest.id}
    assert digest.status == OutboxStatus.QUEUED and timedelta(seconds=60) < digest.send_after - AT < timedelta(seconds=61)
    assert all(stored[i].status == OutboxStatus.QUEUED and stored[i].send_after == digest.send_after for i in alone)

    clock.now += 30
    assert (await n.deliver(AT + timedelta(seconds=30))).claimed == 0  # nothing trickles out meanwhile
    clock.now += 31
    report = await n.deliver(AT + timedelta(seconds=61))
    assert (report.sent, report.digests) == (3, 0)
    first, second, last = platform.sent[5:]
    assert (first.text, second.text) == ("approval_outcome #6", "rebate_claim #10")  # alone, ahead of the digest
    text, choices = last.replies
    assert isinstance(text, Text) and text.text.splitlines() == [
        "📬 5 notifications in one message (your chat's message limit was reached):",
        "• lead_assigned #7", "• stock_low #8", "• rebate_tier #9", "• lead_assigned #11", "• lead_assigned #12",
    ]
    assert isinstance(choices, Choices) and [a.label for a in choices.options] == [
        "lead_assigned #7", "stock_low #8", "rebate_tier #9", "lead_assigned #11", "lead_assigned #12",
    ]
    stored = {r.id: r for r in await rows(container)}
    assert {stored[i].status for i in ids if i not in folded} == {OutboxStatus.SENT}
    assert (stored[digest.id].status, stored[digest.id].chat_id) == (OutboxStatus.SENT, "chat-rep")

    rep.last = list(last.replies)
    await rep.tap("rebate_tier #9")  # a line opens its own message
    assert rep.text == "rebate_tier #9"


async def test_one_row_waiting_is_not_a_digest(container, world, chat_as):
    await chat_as("rep")
    platform, clock = RecordingAdapter("test"), FakeClock()
    n = limited(container, platform, clock, "2/60")
    await pile(container, world.uid("rep"), ["lead_assigned"] * 3)
    report = await n.deliver(AT)
    assert (report.sent, report.deferred, report.digests) == (2, 1, 0)
    clock.now += 61
    await n.deliver(AT + timedelta(seconds=61))
    assert [r.text for r in platform.sent] == ["lead_assigned #1", "lead_assigned #2", "lead_assigned #3"]
    assert {r.status for r in await rows(container)} == {OutboxStatus.SENT}


async def test_wecom_member_gets_thirty_a_minute_then_the_rest_in_one_digest(clean_db):
    """WeCom drops the 31st app message a minute silently: the budget refuses it, and what waits folds."""
    rig = await make_rig(clean_db)
    try:
        member = await rig.bind("rep", "zhangwei")
        clock = FakeClock()  # the notifier's: the budget's refusal pauses the chat on it
        n = limited(rig.container, rig.adapter, clock, "off", notify_rate_platform="off")  # WeCom's own budget binds
        kinds = ["lead_assigned"] * 34 + ["approval_outcome"] + ["lead_assigned"] * 2 + ["rebate_claim"] + ["lead_assigned"] * 4
        ids = await pile(rig.container, rig.world.uid("rep"), kinds)
        report = await n.deliver(AT)
        assert (report.sent, report.deferred, report.digests, report.digested) == (30, 2, 1, 10)
        rig.clock.at += 61  # the minute (widened by 1 %) has passed for the first thirty
        clock.now += 61
        await n.deliver(AT + timedelta(seconds=61))

        sent = [c for c in rig.fake.history if c.path == "message/send" and c.body["touser"] == member]
        contents = [c.body["text"]["content"] for c in sent if c.body["msgtype"] == "text"]
        assert contents[:30] == [f"lead_assigned #{i}" for i in range(1, 31)]
        assert contents[30:32] == ["approval_outcome #35", "rebate_claim #38"]
        header, *lines = contents[32].splitlines()
        assert header == "📬 10 条通知合并为一条发送（已达到聊天消息数上限）："
        expected = [f"• lead_assigned #{i}" for i in (31, 32, 33, 34, 36, 37, 39, 40, 41, 42)]
        assert lines == expected and len(contents) == 33  # 42 notifications, 33 texts
        buttons = [b for c in sent if c.body["msgtype"] == "template_card" for b in c.body["template_card"]["button_list"]]
        assert len(buttons) == 8  # the first eight lines open their own message (two cards of WeCom's six at most)
        stamps = [c.at for c in sent]
        assert all(sum(1 for t in stamps if s <= t < s + 60) <= 30 for s in stamps)  # never over WeCom's minute
        stored = {r.id: r for r in await rows(rig.container)}
        (digest,) = [r for r in stored.values() if r.kind == "digest"]
        assert (digest.status, digest.platform, digest.chat_id) == (OutboxStatus.SENT, "wecom", member)
        assert Counter(stored[i].status for i in ids) == {OutboxStatus.SENT: 32, OutboxStatus.DIGESTED: 10}
        assert {stored[i].parent_id for i in ids if stored[i].status == OutboxStatus.DIGESTED} == {digest.id}
    finally:
        await rig.client.aclose()


async def test_several_workers_fold_and_send_each_row_exactly_once(container, world):
    """Four workers on their own connections, each with its own per-chat limit, race over 240 rows
    of eight users, minute after minute, until the outbox is empty."""
    users = [u.id for u in world.users.values()][:8]
    async with container.sessionmaker() as s:
        s.add_all(ChatIdentity(platform="rec", external_user_id=str(u), chat_id=f"c{u}", user_id=u) for u in users)
        await s.commit()
    for u in users:
        await pile(container, u, [ALONE[i % 2] if i % 7 == 3 else "lead_assigned" for i in range(30)], tag=f"u{u} ")
    platform, clocks = RecordingAdapter("rec"), [FakeClock() for _ in range(4)]
    settings = container.settings.model_copy(update={"notify_rate_chat": "4/60", "notify_batch_size": 10})
    engines = [make_engine(DATABASE_URL) for _ in range(4)]
    try:
        workers = [
            Delivery(make_sessionmaker(e), Registry(platform), settings, worker=f"w{i}", limits=Limits(settings, clock=c),
                     composer=Composer(settings, container.deps.codec))
            for i, (e, c) in enumerate(zip(engines, clocks, strict=True))
        ]
        for minute in range(10):
            await asyncio.gather(*(w.run_once(AT + timedelta(seconds=61 * minute)) for w in workers))
            for c in clocks:
                c.now += 61
    finally:
        for e in engines:
            await e.dispose()

    async with container.sessionmaker() as s:
        stored = list((await s.scalars(select(Notification))).all())
    originals = {r.summary: r for r in stored if r.kind != "digest"}
    digests = {r.id: r for r in stored if r.kind == "digest"}
    assert len(originals) == 240 and digests
    assert {r.status for r in stored} <= {OutboxStatus.SENT, OutboxStatus.DIGESTED}  # nothing left behind
    alone = Counter(r.text for r in platform.sent if len(r.replies) == 1)
    in_digests = Counter(line[2:] for r in platform.sent if len(r.replies) == 2 for line in r.text.splitlines()[1:-1])
    assert set(alone.values()) | set(in_digests.values()) == {1}  # no row twice
    assert not set(alone) & set(in_digests) and set(alone) | set(in_digests) == set(originals)  # alone, or in one digest
    for summary, row in originals.items():
        if row.status == OutboxStatus.DIGESTED:
            assert summary in in_digests and digests[row.parent_id].status == OutboxStatus.SENT
        else:
            assert row.status == OutboxStatus.SENT and summary in alone
    assert not [s for s in in_digests if re.search(r"(approval_outcome|rebate_claim) #", s)]  # these never fold
    digested = sum(r.status == OutboxStatus.DIGESTED for r in originals.values())
    assert digested > 0 and len(platform.sent) == 240 - digested + len(digests)
    print(f"\n{container.db.dialect.name}: 240 rows → {len(platform.sent)} messages, {digested} rows in {len(digests)} digests")
