"""An unbound chat gets only the binding prompt; a one-time code binds it once."""

from __future__ import annotations

from sqlalchemy import select

from core.events import EventBus
from core.models import AuditEntry, ChatIdentity
from core.services.identities import create_binding_code
from core.uow import UnitOfWork
from tests.support.chat import Chat


async def new_code(container, login: str) -> str:
    async with UnitOfWork(container.sessionmaker, EventBus()) as uow:
        code = await create_binding_code(uow, actor=None, login=login)
        await uow.commit()
    return code


async def test_unbound_user_gets_nothing_but_the_binding_prompt(container, world):
    stranger = Chat(container.engine, "stranger")
    for text in ("/c 恒力", "/checkin", "hello"):
        await stranger.say(text)
        assert "binding code" in stranger.text
        assert "恒力" not in stranger.text
    await stranger.locate(31.3, 120.7)
    assert "binding code" in stranger.text


async def test_start_deep_link_binds_once_and_code_cannot_be_reused(container, world):
    code = await new_code(container, "rep")
    alice = Chat(container.engine, "tg-alice")
    await alice.say(f"/start {code}")
    assert "Welcome, Zhang Wei" in alice.text and "Check in" in alice.text
    async with container.sessionmaker() as s:
        identity = (await s.scalars(select(ChatIdentity).where(ChatIdentity.external_user_id == "tg-alice"))).one()
        assert identity.user_id == world.uid("rep")
        assert (await s.scalars(select(AuditEntry).where(AuditEntry.action == "chat.bind"))).first() is not None
    mallory = Chat(container.engine, "tg-mallory")
    await mallory.say(code.replace("-", ""))
    assert "not valid or has expired" in mallory.text


async def test_code_typed_with_spaces_and_lower_case_binds(container, world):
    code = await new_code(container, "manager")
    bob = Chat(container.engine, "tg-bob", locale_hint="zh-CN")
    await bob.say("  " + code.lower().replace("-", " ") + " ")
    assert "欢迎" in bob.text and "王强" in bob.text


async def test_language_picked_before_binding_is_kept(container, world):
    code = await new_code(container, "rep2")
    carol = Chat(container.engine, "carol", locale_hint="en")
    await carol.say("hi")
    await carol.tap("中文")
    assert "已切换为中文" in carol.text
    await carol.say(code)
    assert "欢迎" in carol.text


async def test_admin_creates_a_code_in_chat_but_a_rep_cannot(container, world, chat_as):
    admin = await chat_as("admin")
    await admin.say("/bindcode rep3")
    assert "Binding code for rep3" in admin.text
    rep = await chat_as("rep")
    await rep.say("/bindcode rep3")
    assert "do not have permission" in rep.text
