"""The terminal console: numbered choices, typed coordinates, forms one field at a time."""

from __future__ import annotations

from sqlalchemy import select

from bots.console.adapter import ConsoleAdapter, parse_line
from bots.console.render import render
from conversations.inbound import ActionEvent, CommandEvent, LocationEvent, TextEvent
from conversations.messages import Action, Card, Choices, Field, Text
from core.models import Visit


def test_render_numbers_every_button_across_replies():
    screen = render([
        Choices("Pick", (Action("A", token="t1"), Action("B", token="t2"))),
        Card("Card", (Field("k", "v\nw"),), (Action("C", token="t3"), Action("Web", url="http://x"))),
        Text("done"),
    ])
    assert screen.tokens == {1: "t1", 2: "t2", 3: "t3"}
    assert "  3. C" in screen.text and "4. Web: http://x" in screen.text and "│ k: v\n│   w" in screen.text


def test_typed_lines_become_events():
    tokens = {1: "tok"}
    assert parse_line("1", tokens) == ActionEvent("tok")
    assert parse_line("7", tokens) == TextEvent("7")
    assert parse_line("loc 31.32, 120.72", tokens) == LocationEvent(31.32, 120.72, None, source="manual")
    assert parse_line("/c 恒力", tokens) == CommandEvent("c", "恒力")


async def test_whole_check_in_in_the_console(container, world):
    adapter = container.adapters.get("console")
    assert isinstance(adapter, ConsoleAdapter)
    lines = iter(["/checkin", "loc 31.3240,120.7262 25", "1", "photo /tmp/gate.jpg", "1",
                  "客户要求下周报价", "-", "明天"])
    shown: list[str] = []

    def read(_prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    await adapter.run("rep", read=read, write=shown.append)
    output = "\n".join(shown)
    assert "1. Suzhou Hengli Machinery Co., Ltd. · 苏州恒力机械有限公司 · 48 m" in output
    assert "Checked in: 苏州恒力机械有限公司" in output and "typed coordinates" in output
    assert "(1/3) What happened?" in output and "Checked out" in output
    async with container.sessionmaker() as s:
        visit = (await s.scalars(select(Visit))).one()
        assert visit.source.value == "manual" and visit.photo_refs == ["file:/tmp/gate.jpg"]
        assert visit.summary == "客户要求下周报价" and visit.checked_out_at is not None


async def test_pushed_messages_show_before_the_next_prompt(container, world):
    adapter = container.adapters.get("console")
    lines = iter(["", ""])
    shown: list[str] = []

    def read(_prompt: str) -> str:
        line = next(lines, None)
        if line is None:
            raise EOFError
        return line

    await adapter.send("rep", [Text("🔔 Follow up 苏州恒力 today")])
    await adapter.run("rep", read=read, write=shown.append)
    assert not any("Follow up 苏州恒力" in s for s in shown)  # sent before the session opened: not replayed
    import asyncio

    async def push_later() -> None:
        await adapter.send("rep", [Text("New lead for you")])

    lines2 = iter(["", ""])

    def read2(_prompt: str) -> str:
        line = next(lines2, None)
        if line is None:
            raise EOFError
        asyncio.run_coroutine_threadsafe(push_later(), loop).result()
        return line

    loop = asyncio.get_running_loop()
    shown.clear()
    await adapter.run("rep", read=read2, write=shown.append)
    assert any("New lead for you" in s for s in shown)
