"""The engine offers plain messages (no dialog, no command word) to flows that declare
`free_text_roles`, in order, for those roles only; a flow that declines lets the next one (or
"not understood") answer; commands and open dialogs come first."""

from __future__ import annotations

from typing import ClassVar

from conversations.context import Ctx
from conversations.engine import Engine
from conversations.flow import Flow
from conversations.flows import all_flows
from conversations.local import sign_in
from conversations.messages import Reply, Text
from core.models import Role
from tests.support.chat import Chat


class Echo(Flow):
    """Takes plain text starting with its word, for reps only."""

    code = "ec"
    word: ClassVar[str] = "echo"
    free_text_roles = frozenset({Role.REP})

    async def on_free_text(self, ctx: Ctx, text: str) -> list[Reply] | None:
        return [Text(f"{self.code}: {text}")] if text.startswith(self.word) else None


class Shout(Echo):
    code = "sh"
    word = "e"


def engine_with(container, *extra: Flow) -> Engine:
    flows = [*all_flows(), *extra]
    first = {f.code: f for f in flows}
    return Engine(container.deps, flows, bind_flow=first["bd"], checkin_flow=first["ci"])


async def chat(container, engine: Engine, login: str) -> Chat:
    talk = Chat(engine, login)
    await sign_in(container.deps, talk.key, login)
    return talk


async def test_plain_text_goes_to_the_first_flow_that_takes_it(container, world):
    rep = await chat(container, engine_with(container, Echo(), Shout()), "rep")
    await rep.say("echo hello")
    assert rep.text == "ec: echo hello"  # both would take it: the first declared wins
    await rep.say("elephant")
    assert rep.text == "sh: elephant"  # the first declines, the second takes it
    await rep.say("zebra")
    assert rep.text.startswith("I did not understand that.")


async def test_only_for_the_declared_roles_and_never_before_commands_or_dialogs(container, world):
    engine = engine_with(container, Echo())
    manager = await chat(container, engine, "manager")
    await manager.say("echo hello")
    assert manager.text.startswith("I did not understand that.")
    rep = await chat(container, engine, "rep")
    await rep.say("help")
    assert "Hello Zhang Wei" in rep.text  # a command word is a command
    await rep.say("/lead")
    await rep.say("echo from inside a dialog")
    assert not rep.text.startswith("ec:")  # the open dialog gets it


async def test_a_message_that_only_says_hello_gets_the_greeting_not_a_search_or_a_stock_count(container, world):
    engine = engine_with(container, Echo())
    rep = await chat(container, engine, "rep")
    await rep.say("Hi!")
    assert rep.text.startswith("Hello Zhang Wei!") and "What would you like to do?" in rep.text
    await rep.say("hi there")
    assert not rep.text.startswith("Hello Zhang Wei!")  # only a bare greeting is one
    zh = Chat(engine, "rep", platform="zh", locale_hint="zh-CN")
    await sign_in(container.deps, zh.key, "rep")
    await zh.say("你好！")
    assert zh.text.startswith("张伟，您好！") and "要做什么？" in zh.text
    dealer = await chat(container, engine, "dealer")
    await dealer.say("在吗？")
    assert dealer.text.startswith("Hello Liu Yang!") and "What would you like to do?" in dealer.text
