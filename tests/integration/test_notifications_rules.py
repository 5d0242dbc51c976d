"""Rules write reminders as outbox rows: once per thing and period, however often and by whomever they run."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select, update

from conversations.reply_codec import load_all
from core.db import make_engine
from core.models import AuditEntry, Contact, Customer, Notification, OutboxStatus, User, utcnow
from core.services.customers import refresh_search_text
from tests.conftest import DATABASE_URL
from tests.support.notify import SHANGHAI, local, notifier, press, rows


async def test_follow_up_sweep_writes_one_routine_reminder_per_due_customer_with_buttons(container, world):
    n = notifier(container)
    at = local(1, 8, 5)
    assert (await n.sweep(at))["follow_up"] == 3
    assert (await n.sweep(at))["follow_up"] == 0                      # run twice: written once
    reminders = await rows(container, kind="follow_up")
    assert {r.ref_id for r in reminders} == {world.cid(k) for k in ("hengli", "lianzhong", "noloc")}
    assert all(r.user_id == world.uid("rep") and r.routine and r.status == OutboxStatus.QUEUED for r in reminders)
    first = next(r for r in reminders if r.ref_id == world.cid("hengli"))
    local_send = first.send_after.astimezone(SHANGHAI)
    assert (local_send.hour, local_send.minute) == (8, 0) and first.send_after >= first.due_at   # waits for the digest
    (card,) = load_all(first.replies)
    assert "Follow up: Suzhou Hengli Machinery" in card.title
    codec = container.deps.codec
    assert [(a.label, codec.decode(a.token).flow, codec.decode(a.token).arg, codec.decode(a.token).stateless) for a in card.actions] == [
        ("📝 Log contact", "vl", f"p{first.ref_id}", True), ("📍 Check in here", "ci", f"at{first.ref_id}", True),
        ("⏭ +1 d", "fu", f"1d{first.ref_id}", True), ("⏭ +3 d", "fu", f"3d{first.ref_id}", True),
        ("⏭ +7 d", "fu", f"7d{first.ref_id}", True),
    ]


async def test_two_sweeps_at_once_on_separate_connections_write_each_reminder_once(container, world):
    async with container.sessionmaker() as s:
        due = utcnow() - timedelta(hours=2)
        for i in range(300):
            c = Customer(code=f"测试-华东-{i:03d}", name=f"并发客户{i}", aliases=[], type="end_customer", grade_code="normal",
                         owner_id=world.uid("rep2"), next_contact_at=due, last_contact_at=due - timedelta(days=3))
            refresh_search_text(c)
            s.add(c)
        await s.commit()
    engines = [make_engine(DATABASE_URL), make_engine(DATABASE_URL)]
    try:
        from bootstrap import build
        from tests.conftest import test_settings

        workers = [notifier(await build(test_settings(), migrate=False, db=e)) for e in engines]
        results = await asyncio.gather(*(w.sweep(utcnow()) for w in workers))
    finally:
        for e in engines:
            await e.dispose()
    assert sum(r["follow_up"] for r in results) == 303
    async with container.sessionmaker() as s:
        per_customer = (await s.execute(
            select(Notification.ref_id, func.count()).where(Notification.kind == "follow_up").group_by(Notification.ref_id)
        )).all()
    assert len(per_customer) == 303 and {n for _, n in per_customer} == {1}


async def test_idle_customer_is_warned_a_day_before_then_recycled_with_notices_and_a_cooldown(container, world, chat_as):
    n = notifier(container)
    assert (await n.sweep(local(2, 9)))["pool_warning"] == 2          # huaguang (rep3) and noloc (rep): 7 days idle soon
    warning = next(r for r in await rows(container, kind="pool_warning") if r.ref_id == world.cid("noloc"))
    (card,) = load_all(warning.replies)
    assert warning.user_id == world.uid("rep") and "returns to the public pool soon" in card.title
    assert (await n.sweep(local(2, 20)))["pool_recycled"] == 0       # a full day after the warning, not before
    assert (await n.sweep(local(3, 9)))["pool_recycled"] == 4        # owner and manager, for each of the two
    async with container.sessionmaker() as s:
        noloc = await s.get(Customer, world.cid("noloc"))
        assert noloc.owner_id is None and noloc.released_from_id == world.uid("rep") and noloc.released_by_id is None
        audit = (await s.scalars(select(AuditEntry).where(AuditEntry.action == "pool.recycle"))).all()
        assert {a.entity_id for a in audit} == {world.cid("noloc"), world.cid("huaguang")}
    notices = {(r.user_id, r.ref_id) for r in await rows(container, kind="pool_recycled")}
    assert notices == {(world.uid("rep"), world.cid("noloc")), (world.uid("manager"), world.cid("noloc")),
                       (world.uid("rep3"), world.cid("huaguang")), (world.uid("manager2"), world.cid("huaguang"))}
    manager_notice = next(r for r in await rows(container, kind="pool_recycled") if r.user_id == world.uid("manager"))
    assert "Zhang Wei's customer" in load_all(manager_notice.replies)[0].text
    rep, rep2 = await chat_as("rep"), await chat_as("rep2")
    await press(rep, container, "pl", f"cl{world.cid('noloc')}")
    assert "You released 昆山远航机械有限公司 recently" in rep.text and "3-day cooldown" in rep.text
    await press(rep2, container, "pl", f"cl{world.cid('noloc')}")
    assert "昆山远航机械有限公司 is now yours" in rep2.text


async def test_a_contact_after_the_warning_keeps_the_customer_and_drops_the_warning(container, world, chat_as):
    n = notifier(container)
    await n.sweep(local(2, 9))
    rep3 = await chat_as("rep3")
    await press(rep3, container, "vl", f"p{world.cid('huaguang')}")
    await rep3.submit(kind="call", summary="电话沟通了新项目", next_step="", next_contact="")
    assert "Saved for 天津华光电气有限公司" in rep3.text
    await n.sweep(local(3, 9))
    async with container.sessionmaker() as s:
        assert (await s.get(Customer, world.cid("huaguang"))).owner_id == world.uid("rep3")
    await n.deliver(local(2, 9, 30))
    (warning,) = [r for r in await rows(container, kind="pool_warning") if r.ref_id == world.cid("huaguang")]
    assert warning.status == OutboxStatus.OBSOLETE                     # no longer true: not sent


async def test_birthdays_on_the_day_in_the_owners_zone_and_29_february_in_other_years(container, world):
    today = utcnow().astimezone(SHANGHAI).date()
    async with container.sessionmaker() as s:
        s.add(Contact(customer_id=world.cid("hengli"), name="李芳", title="总经理", birthday=date(1985, today.month, min(today.day, 28))))
        s.add(Contact(customer_id=world.cid("baogang"), name="陈刚", birthday=date(1980, 2, 29)))
        s.add(Contact(customer_id=world.cid("tianyu"), name="池中", birthday=date(1980, 2, 29)))  # pool: no owner
        await s.commit()
    n = notifier(container)
    if today.day <= 28:
        assert (await n.sweep(local(0, 9)))["birthday"] == (1 if (today.month, today.day) != (2, 28) else 2)
        (card,) = load_all((await rows(container, kind="birthday"))[0].replies)
        assert card.title == "🎂 Birthday today: 李芳" and ("Turns", str(today.year - 1985)) in [(f.label, f.value) for f in card.fields]
    from datetime import UTC, datetime

    from notifications.rules import birthday

    def at(y: int, m: int, d: int) -> datetime:
        return datetime(y, m, d, 2, 0, tzinfo=UTC)                     # 10:00 in Shanghai

    assert await birthday.sweep(n.env, at(2027, 2, 28)) == 1          # 陈刚 (rep2); 池中's customer is in the pool
    assert await birthday.sweep(n.env, at(2028, 2, 28)) == 0          # a leap year: not yet …
    assert await birthday.sweep(n.env, at(2028, 2, 29)) == 1          # … but on the day
    chen = [r for r in await rows(container, kind="birthday") if "陈刚" in r.summary]
    assert [(r.user_id, r.dedupe_key.rsplit(":", 1)[1]) for r in chen] == [(world.uid("rep2"), "2027"), (world.uid("rep2"), "2028")]


async def test_a_lead_assigned_by_someone_else_notifies_the_assignee_at_once(container, world, chat_as):
    manager = await chat_as("manager")
    await manager.say("/lead 吴经理 13955556666 嘉兴新锐环保 需要水泵")
    await manager.tap("Save")
    assert "assigned to Zhang Wei" in manager.text
    (row,) = await rows(container, kind="lead_assigned")
    assert row.user_id == world.uid("rep") and not row.routine
    (card,) = load_all(row.replies)
    assert card.title == "🎯 New lead for you: 嘉兴新锐环保" and ("Entered by", "Wang Qiang") in [(f.label, f.value) for f in card.fields]
    assert [a.url for a in card.actions if a.url] == ["tel:+8613955556666"]
    rep = await chat_as("rep")
    await rep.say("/lead 郑总 13800001111 苏州新美 需要水泵")
    await rep.tap("Save")
    assert len(await rows(container, kind="lead_assigned")) == 1      # nobody is told what they just did


async def test_inactive_owners_get_nothing_written(container, world):
    async with container.sessionmaker() as s:
        await s.execute(update(User).where(User.id == world.uid("rep")).values(active=False))
        await s.commit()
    assert (await notifier(container).sweep(local(1, 8)))["follow_up"] == 0


async def test_a_running_worker_sweeps_slow_rules_at_their_cadence_and_purges_old_finished_rows(container, world):
    from notifications.sweep import sweep_all

    n = notifier(container)
    last: dict = {}
    first = await sweep_all(n.env, local(1, 9), last)
    assert set(first) >= {"follow_up", "pool_warning", "pool_recycled", "birthday"}
    soon = await sweep_all(n.env, local(1, 9, 1), last)
    assert "follow_up" in soon and not {"pool_warning", "pool_recycled", "birthday"} & set(soon)
    later = await sweep_all(n.env, local(1, 9, 11), last)
    assert {"pool_warning", "pool_recycled"} <= set(later) and "birthday" not in later
    async with container.sessionmaker() as s:
        old = utcnow() - timedelta(days=31)
        await s.execute(update(Notification).where(Notification.kind == "follow_up", Notification.ref_id == world.cid("hengli"))
                        .values(status=OutboxStatus.SENT, created_at=old))
        await s.execute(update(Notification).where(Notification.kind == "follow_up", Notification.ref_id == world.cid("noloc"))
                        .values(created_at=old))                                   # old but still queued: kept
        await s.commit()
    await sweep_all(n.env, utcnow())
    assert {r.ref_id for r in await rows(container, kind="follow_up")} == {world.cid("lianzhong"), world.cid("noloc")}
