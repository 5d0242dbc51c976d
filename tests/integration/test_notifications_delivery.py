"""Delivery: digest, quiet hours, mutes, bindings and fallbacks, back-off, 429s, undeliverable rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from conversations.messages import Card, Choices, Form, Text
from core.clock import start_of_day
from core.models import ChatIdentity, Customer, OutboxStatus, utcnow
from notifications.ratelimit import Limits
from tests.conftest import PRODUCT_QUIET_HOURS
from tests.support.chat import Chat
from tests.support.notify import SHANGHAI, FakeClock, local, notifier, press, queue, rows
from tests.support.recording import RecordingAdapter


async def due_tomorrow(container, world) -> None:
    """rep's three customers fall due at midnight tomorrow (Shanghai)."""
    async with container.sessionmaker() as s:
        await s.execute(update(Customer).where(Customer.owner_id == world.uid("rep")).values(next_contact_at=local(1, 0)))
        await s.commit()


async def test_routine_reminders_arrive_as_one_morning_digest_whose_items_open_with_their_buttons(container, world, chat_as):
    rep = await chat_as("rep")
    platform = RecordingAdapter("test")
    n = notifier(container, platform)
    await due_tomorrow(container, world)
    await n.sweep(local(1, 7))
    early = await n.deliver(local(1, 7, 30))
    assert (early.claimed, early.digests, platform.sent) == (0, 0, [])          # the digest is at 08:00
    report = await n.deliver(local(1, 8, 1))
    assert (report.digests, report.digested, report.sent) == (1, 3, 1)
    (message,) = platform.to("chat-rep")
    text, choices = message.replies
    assert isinstance(text, Text) and text.text.startswith("☀️ Good morning, Zhang Wei. 3 reminders for today:")
    assert "Follow up Suzhou Hengli Machinery" in text.text and isinstance(choices, Choices)
    assert [a.label for a in choices.options][-1] == "📅 Agenda"
    digest = (await rows(container, kind="digest"))[0]
    assert (digest.status, digest.platform, digest.chat_id) == (OutboxStatus.SENT, "test", "chat-rep")
    assert {(r.status, r.parent_id) for r in await rows(container, kind="follow_up")} == {(OutboxStatus.DIGESTED, digest.id)}

    rep.last = list(message.replies)
    await rep.tap("Suzhou Hengli")
    (card,) = rep.last
    assert isinstance(card, Card) and card.title == "⏰ Follow up: Suzhou Hengli Machinery Co., Ltd."
    await rep.tap("+3 d")
    assert "Follow-up with 苏州恒力机械有限公司 moved to" in rep.text
    async with container.sessionmaker() as s:
        hengli = await s.get(Customer, world.cid("hengli"))
        today = utcnow().astimezone(SHANGHAI).date()
        assert hengli.next_contact_at == start_of_day(today + timedelta(days=3), SHANGHAI) and hengli.next_contact_manual
    rep.last = [card]
    await rep.tap("Log contact")
    assert isinstance(rep.last[0], Form)


async def test_a_single_routine_reminder_goes_alone_and_a_stranger_cannot_open_it(container, world, chat_as):
    await chat_as("rep")
    platform = RecordingAdapter("test")
    n = notifier(container, platform)
    await queue(container, world.uid("rep"), "Birthday: 王建国", kind="birthday", routine=True, due=local(1, 0))
    report = await n.deliver(local(1, 8, 1))
    assert (report.digests, report.sent) == (0, 1) and platform.sent[0].text == "Birthday: 王建国"
    (row,) = await rows(container, kind="birthday")
    rep2 = await chat_as("rep2")
    await press(rep2, container, "rm", f"o{row.id}")
    assert "There is no notification" in rep2.text


@pytest.mark.settings(**PRODUCT_QUIET_HOURS)
async def test_an_urgent_notice_in_quiet_hours_waits_for_the_morning(container, world, chat_as):
    await chat_as("rep")
    platform = RecordingAdapter("test")
    n = notifier(container, platform)
    row_id = await queue(container, world.uid("rep"), "New lead: 嘉兴新锐", due=local(1, 22))
    (row,) = await rows(container, id=row_id)
    assert row.send_after == local(2, 8)                                           # written to wait
    async with container.sessionmaker() as s:                                      # a row that is due in quiet hours anyway
        await s.execute(update(type(row)).where(type(row).id == row_id).values(send_after=local(1, 22)))
        await s.commit()
    night = await n.deliver(local(1, 23))
    assert (night.deferred, platform.sent) == (1, [])
    (row,) = await rows(container, id=row_id)
    assert (row.status, row.send_after, row.attempts) == (OutboxStatus.QUEUED, local(2, 8), 0)
    assert (await n.deliver(local(2, 8))).sent == 1


async def test_muted_kinds_are_not_sent(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/settings")
    await rep.tap("Mute / unmute")
    await rep.tap("Follow-ups due")
    assert "Follow-ups due: muted." in rep.text
    platform = RecordingAdapter("test")
    n = notifier(container, platform)
    await n.sweep(local(1, 7))
    report = await n.deliver(local(1, 9))
    assert (report.muted, platform.sent) == (3, [])
    assert {r.status for r in await rows(container, kind="follow_up")} == {OutboxStatus.MUTED}


async def test_no_binding_is_undeliverable_shown_to_admins_and_not_retried_until_an_admin_says_so(container, world, chat_as):
    platform = RecordingAdapter("test")
    n = notifier(container, platform)
    row_id = await queue(container, world.uid("rep2"), "New lead: 常州瑞鼎", due=local(1, 10))
    report = await n.deliver(local(1, 10))
    assert (report.undeliverable, platform.sent) == (1, [])
    assert (await n.deliver(local(5, 10))).claimed == 0                              # not retried forever
    admin = await chat_as("admin")
    await admin.say("/outbox")
    assert "Undeliverable: 1" in admin.text
    await admin.tap("Undeliverable")
    assert f"#{row_id}" in admin.text and "no chat binding" in admin.text and "Li Na (rep2)" in admin.text
    await chat_as("rep2")
    await admin.tap(f"Retry #{row_id}")
    assert f"#{row_id} is queued again" in admin.text
    assert (await n.deliver(utcnow() + timedelta(days=1))).sent == 1
    assert platform.to("chat-rep2")[0].text == "New lead: 常州瑞鼎"


async def test_a_blocked_chat_falls_back_to_the_next_binding_and_the_preferred_one_goes_first(container, world, chat_as):
    await chat_as("rep")
    other_chat = Chat(container.engine, "rep", platform="other")
    from conversations.local import sign_in

    await sign_in(container.deps, other_chat.key, "rep")
    async with container.sessionmaker() as s:
        await s.execute(update(ChatIdentity).where(ChatIdentity.platform == "test").values(preferred=True))
        await s.commit()
    primary, backup = RecordingAdapter("test"), RecordingAdapter("other")
    n = notifier(container, primary, backup)
    await queue(container, world.uid("rep"), "one", due=local(1, 10))
    await n.deliver(local(1, 10))
    assert [r.text for r in primary.sent] == ["one"] and backup.sent == []
    primary.blocked.add("chat-rep")
    await queue(container, world.uid("rep"), "two", due=local(1, 11))
    report = await n.deliver(local(1, 11))
    assert report.sent == 1 and [r.text for r in backup.sent] == ["two"]
    two = (await rows(container, summary="two"))[0]
    assert (two.platform, two.chat_id) == ("other", "chat-rep")
    backup.blocked.add("chat-rep")
    await queue(container, world.uid("rep"), "three", due=local(1, 12))
    assert (await n.deliver(local(1, 12))).undeliverable == 1
    three = (await rows(container, summary="three"))[0]
    assert "test:chat-rep: Forbidden" in three.last_error and "other:chat-rep: Forbidden" in three.last_error


async def test_transient_failures_back_off_and_give_up_after_the_last_attempt(container, world, chat_as):
    await chat_as("rep")
    platform = RecordingAdapter("test", flaky={"chat-rep": 5})
    n = notifier(container, platform, notify_max_attempts=3, notify_backoff_seconds=60)
    row_id = await queue(container, world.uid("rep"), "flaky", due=local(1, 10))
    at, waits = local(1, 10), []
    for _ in range(3):
        report = await n.deliver(at)
        (row,) = await rows(container, id=row_id)
        if row.status != OutboxStatus.QUEUED:
            break
        assert report.retried == 1 and row.last_error == "test: Bad Gateway"
        waits.append((row.send_after - at).total_seconds())
        assert (await n.deliver(row.send_after - timedelta(seconds=1))).claimed == 0   # not before its time
        at = row.send_after
    assert 54 <= waits[0] <= 66 and 108 <= waits[1] <= 132                            # 60 s, then 120 s (±10 %)
    assert (row.status, row.attempts, platform.sent) == (OutboxStatus.FAILED, 3, [])


async def test_a_429_pauses_the_chat_for_retry_after_without_using_an_attempt(container, world, chat_as):
    await chat_as("rep")
    platform, clock = RecordingAdapter("test", throttled={"chat-rep": 30.0}), FakeClock()
    n = notifier(container, platform, limits=Limits(container.settings, clock=clock))
    row_id = await queue(container, world.uid("rep"), "slow down", due=local(1, 10))
    report = await n.deliver(local(1, 10))
    (row,) = await rows(container, id=row_id)
    assert report.deferred == 1 and row.attempts == 0 and row.send_after == local(1, 10) + timedelta(seconds=30)
    assert "429" in row.last_error
    assert (await n.deliver(local(1, 10) + timedelta(seconds=29))).claimed == 0
    await queue(container, world.uid("rep"), "meanwhile", due=local(1, 10), kind="approval_outcome")  # goes alone, not folded
    clock.now += 10
    report = await n.deliver(local(1, 10) + timedelta(seconds=10))                # the chat is still paused
    assert (report.deferred, platform.sent) == (1, [])
    clock.now += 20
    assert (await n.deliver(local(1, 10) + timedelta(seconds=30))).sent == 2
    assert [r.text for r in platform.sent] == ["slow down", "meanwhile"]


async def test_stale_follow_up_is_dropped_when_the_contact_was_logged_before_the_digest(container, world, chat_as):
    rep = await chat_as("rep")
    platform = RecordingAdapter("test")
    n = notifier(container, platform)
    await due_tomorrow(container, world)
    await n.sweep(local(1, 7))
    await press(rep, container, "vl", f"p{world.cid('hengli')}")
    await rep.submit(kind="visit", summary="现场拜访", next_step="", next_contact="")
    assert "Saved for 苏州恒力机械有限公司" in rep.text
    report = await n.deliver(local(1, 8, 1))
    assert (report.obsolete, report.digested) == (1, 2)
    assert "Suzhou Hengli" not in platform.sent[0].text and "2 reminders" in platform.sent[0].text


async def test_web_chat_and_console_users_find_reminders_in_their_inbox(container, world):
    from httpx import ASGITransport, AsyncClient

    from bootstrap import create_app
    from conversations.local import sign_in

    web = container.webchat
    token = web.sessions.for_login("rep")
    await sign_in(container.deps, web.key(web.sessions.chat_of(token)), "rep")
    console = container.adapters.get("console")
    from conversations.inbound import ConversationKey

    await sign_in(container.deps, ConversationKey("console", "", "rep2", "rep2"), "rep2")
    n = notifier(container, web, console)
    await queue(container, world.uid("rep"), "网页提醒", due=local(1, 10))
    await queue(container, world.uid("rep2"), "终端提醒", due=local(1, 10))
    assert (await n.deliver(local(1, 10))).sent == 2
    async with AsyncClient(transport=ASGITransport(app=create_app(container)), base_url="http://t") as client:
        inbox = (await client.get("/webchat/api/inbox", params={"session": token})).json()
    assert inbox["messages"][-1]["replies"] == [{"type": "text", "text": "网页提醒"}]
    from core.services import inbox as inbox_service

    async with container.sessionmaker() as s:
        held = await inbox_service.after(s, platform="console", chat_id="rep2", after_id=0)
    assert [m.payload for m in held] == [["终端提醒"]]
    async with container.sessionmaker() as s:
        assert (await s.scalar(select(ChatIdentity.chat_id).where(ChatIdentity.platform == "console"))) == "rep2"
