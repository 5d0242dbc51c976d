"""Customer 360, the public pool, the agenda and contact records, as people use them in chat."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from conversations.messages import Choices
from core.clock import local_date, zone
from core.models import ContactRecord, Customer, CustomerType, Task, TaskKind, TaskStatus, utcnow
from core.permissions import scope_for
from core.services.customers import refresh_search_text
from tests.support.chat import Chat
from tests.support.world import SIP, later_today


async def test_customer_360_by_pinyin_initials_phone_and_code(container, world, chat_as):
    rep = await chat_as("rep")
    for query in ("苏州恒力", "suzhouhengli", "szhl", "5678", "机械-华东-001", "hengli"):
        await rep.say(f"/c {query}")
        assert "苏州恒力机械有限公司" in rep.text, query
        assert "王建国" in rep.text and "Grade" in rep.text, query


async def test_customer_of_another_team_shows_only_name_code_and_owner(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/c 天津华光电气")
    assert "天津华光电气有限公司" in rep.text and "电气-华北-001" in rep.text and "吴磊" in rep.text
    assert "Grade" not in rep.text and "Check in here" not in rep.text


async def add_customers(container, world, owner: str, *names: str, days_ago: int = 0) -> None:  # type: ignore[no-untyped-def]
    async with container.sessionmaker() as s:
        for n, name in enumerate(names):
            customer = Customer(code=f"测试-华东-{n + 100:03d}", name=name, aliases=[], type=CustomerType.END_CUSTOMER, grade_code="normal",
                                owner_id=world.uid(owner), region="华东", last_contact_at=utcnow() - timedelta(days=days_ago))
            refresh_search_text(customer)
            s.add(customer)
        await s.commit()


async def test_a_near_miss_is_not_listed_beside_a_strong_match(container, world, chat_as):
    """'hengli' is the pinyin of 恒力; tian-cHENG JIng-mi is one letter off a window of it."""
    await add_customers(container, world, "rep2", "昆山天成精密制造有限公司")
    async with container.sessionmaker() as s:
        scope = await scope_for(s, world.users["rep"])
        found = await container.deps.search.search(s, scope=scope, query="hengli")
    assert [h.customer.name for h in found] == ["苏州恒力机械有限公司", "昆山天成精密制造有限公司"]  # what the index alone returns
    rep = await chat_as("rep")
    await rep.say("/c hengli")
    assert "苏州恒力机械有限公司" in rep.text and "天成" not in rep.text
    await rep.say("/c 天成精密")
    assert "昆山天成精密制造有限公司" in rep.text and "李娜" in rep.text  # found when it is what was asked for


async def test_own_customers_come_before_other_teams_matching_as_well(container, world, chat_as):
    """Twelve other-team 机械 customers, contacted more recently, do not push the rep's own out of the list."""
    others = [f"无锡{brand}机械有限公司" for brand in ("东方", "南方", "西方", "北方", "华东", "华南", "新区", "滨湖", "惠山", "锡山", "江阴", "宜兴")]
    await add_customers(container, world, "rep3", *others)
    rep = await chat_as("rep")
    await rep.say("/c 机械")
    picker = next(r for r in rep.last if isinstance(r, Choices))
    assert {o.label.split(" · ")[-1] for o in picker.options} == {"苏州恒力机械有限公司", "昆山远航机械有限公司"}
    assert "无锡" in rep.text  # the others follow as rows


async def test_no_result_says_what_to_try(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/c 🦄🦄 不存在的公司 xyzzy")
    assert "No customer found" in rep.text and "pinyin" in rep.text


async def test_claim_from_pool_then_release(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/pool")
    await rep.tap("Near me")
    await rep.locate(*SIP)
    assert "苏州天宇精密科技有限公司" in rep.text
    await rep.tap("苏州天宇")
    assert "is now yours" in rep.text
    async with container.sessionmaker() as s:
        customer = await s.get(Customer, world.cid("tianyu"))
        assert customer.owner_id == world.uid("rep") and customer.next_contact_at is not None
    await rep.tap("Open customer card")
    await rep.tap("Release to pool")
    await rep.tap("Yes, release")
    assert "back in the public pool" in rep.text
    async with container.sessionmaker() as s:
        assert (await s.get(Customer, world.cid("tianyu"))).owner_id is None


async def test_two_reps_claiming_at_once_one_wins(container, world, chat_as):
    rep, rep2 = await chat_as("rep"), await chat_as("rep2")
    for chat in (rep, rep2):
        await chat.say("/c 北京博远")
    claims = [rep.button("Claim"), rep2.button("Claim")]
    from conversations.inbound import ActionEvent

    results = await asyncio.gather(rep.send(ActionEvent(claims[0].token)), rep2.send(ActionEvent(claims[1].token)))
    texts = [" ".join(getattr(r, "text", getattr(r, "prompt", "")) for r in res) for res in results]
    assert sum("is now yours" in t for t in texts) == 1
    assert sum("Too late" in t for t in texts) == 1


async def test_pool_claim_cap(container, world, chat_as):
    from bootstrap import build
    from tests.conftest import test_settings

    capped = await build(test_settings(pool_claim_cap=3), migrate=False, db=container.db)
    rep = Chat(capped.engine, "rep")
    from conversations.local import sign_in

    await sign_in(capped.deps, rep.key, "rep")
    await rep.say("/c 北京博远")
    await rep.tap("Claim")
    assert "maximum of 3" in rep.text


async def test_agenda_lists_due_follow_ups_and_tasks_and_closes_with_outcome(container, world, chat_as):
    async with container.sessionmaker() as s:
        s.add(Task(user_id=world.uid("rep"), kind=TaskKind.TASK, title="准备X100报价", due_at=later_today(), status=TaskStatus.OPEN))
        await s.commit()
    rep = await chat_as("rep")
    await rep.say("/agenda")
    assert "苏州恒力机械有限公司" in rep.text and "准备X100报价" in rep.text
    await rep.tap("准备X100报价")
    assert "What was done" in rep.text
    await rep.say("报价已发给王经理")
    assert "Done: 准备X100报价" in rep.text
    await rep.say("/agenda")
    await rep.tap("苏州恒力")
    await rep.say("电话确认了安装时间")
    assert "Follow-up with 苏州恒力机械有限公司 recorded" in rep.text
    async with container.sessionmaker() as s:
        task = (await s.scalars(select(Task))).one()
        assert task.status == TaskStatus.DONE and task.outcome == "报价已发给王经理"
        customer = await s.get(Customer, world.cid("hengli"))
        tz = zone("Asia/Shanghai")
        assert local_date(customer.next_contact_at, tz) == local_date(utcnow(), tz) + timedelta(days=3)


async def test_log_call_without_gps_with_a_manual_next_date(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/visit 恒力")  # one customer matches as typed: its form at once
    await rep.submit(kind="call", summary="确认了X100的交期", next_step="", next_contact="+10")
    assert "Saved for 苏州恒力机械有限公司" in rep.text
    async with container.sessionmaker() as s:
        record = (await s.scalars(select(ContactRecord))).one()
        assert record.kind.value == "call"
        customer = await s.get(Customer, world.cid("hengli"))
        assert customer.next_contact_manual
        assert local_date(customer.next_contact_at, zone("Asia/Shanghai")) == local_date(utcnow(), zone("Asia/Shanghai")) + timedelta(days=10)


async def test_grade_change_moves_the_next_contact_unless_set_by_hand(container, world, chat_as):
    rep = await chat_as("rep")
    await rep.say("/c 恒力")
    await rep.tap("Change grade")
    await rep.tap("strategic")
    assert "Grade changed" in rep.text
    async with container.sessionmaker() as s:
        customer = await s.get(Customer, world.cid("hengli"))
        tz = zone("Asia/Shanghai")
        assert customer.grade_code == "strategic"
        assert local_date(customer.next_contact_at, tz) == local_date(customer.last_contact_at, tz) + timedelta(days=2)


async def test_customer_360_reads_only_the_kinds_of_record_the_customer_has(container, world, chat_as):
    """One statement tells which sections have anything; an open task shows, a done one does not."""
    from core.services.customers import History, history

    rep = await chat_as("rep")
    async with container.sessionmaker() as s:
        assert await history(s, world.cid("hengli")) == History(**{name: name == "contacts" for name in History.__dataclass_fields__})
        task = Task(user_id=world.uid("rep"), kind=TaskKind.FOLLOW_UP, title="回访报价", due_at=utcnow() + timedelta(days=1),
                    customer_id=world.cid("hengli"), status=TaskStatus.OPEN)
        s.add(task)
        await s.commit()
        assert (await history(s, world.cid("hengli"))).tasks
    await rep.say("/c 苏州恒力")
    assert "Open tasks" in rep.text and "回访报价" in rep.text and "王建国" in rep.text
    async with container.sessionmaker() as s:
        (await s.get_one(Task, task.id)).status = TaskStatus.DONE
        await s.commit()
    await rep.say("/c 苏州恒力")
    assert "回访报价" not in rep.text and "王建国" in rep.text


async def test_a_customers_name_typed_alone_opens_it_and_other_chatter_does_not(container, world, chat_as):
    rep = await chat_as("rep")
    for query in ("苏州恒力", "szhl", "13812345678"):  # no /c: what a rep types at the gate
        await rep.say(query)
        assert "苏州恒力机械有限公司" in rep.text and "王建国" in rep.text, query
    for chatter in ("谢谢", "ok", "明天下午去苏州恒力机械拜访王建国"):  # thanks, a word, a sentence
        await rep.say(chatter)
        assert "I did not understand" in rep.text and "Grade" not in rep.text, chatter
