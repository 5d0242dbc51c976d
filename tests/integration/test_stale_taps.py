"""Old buttons tapped after the dialog moved on get an answer, never the internal error.

At each point of each dialog, every button shown before is tapped again (tests/support/stale.py),
as a user scrolling back would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from conversations.i18n import translate
from tests.conftest import truncate
from tests.integration.test_service_engineer_dialog import manager_creates_ticket
from tests.support.catalog import add_catalog
from tests.support.chat import PLAIN
from tests.support.dealers import make_channel
from tests.support.quotes import submitted_quote
from tests.support.service_world import make_service_world
from tests.support.stale import Step, explore, fresh_chats
from tests.support.world import SIP, make_world

INTERNAL = (translate("en", "error.internal"), translate("zh-CN", "error.internal"))
NEAR = (str(SIP[0] + 0.0009), str(SIP[1]))


async def catalog(container: Any, world: Any, chat_as: Any) -> None:
    await add_catalog(container.sessionmaker)


async def service(container: Any, world: Any, chat_as: Any) -> None:
    await make_service_world(container.sessionmaker, world)


async def assigned_ticket(container: Any, world: Any, chat_as: Any) -> None:
    """An urgent ticket the manager opened, dispatched to the engineer."""
    await make_service_world(container.sessionmaker, world)
    await manager_creates_ticket(chat_as)


async def channel(container: Any, world: Any, chat_as: Any) -> None:
    await make_channel(container.sessionmaker, world)


async def waiting_quote(container: Any, world: Any, chat_as: Any) -> None:
    products = await add_catalog(container.sessionmaker)
    await submitted_quote(container.sessionmaker, world, products, qty=1, discount="20")


Setup = Callable[[Any, Any, Any], Awaitable[None]]
CASES: dict[str, tuple[str, list[Step], Setup | None]] = {  # login, script, data beyond the world
    "quote": ("rep", [
        ("say", "/quote 恒力"), ("say", "X1000"), ("tap", "100kW"), ("tap", "不锈钢"), ("tap", "Done"), ("say", "6"),
        ("tap", "10 %"), ("tap", "Add product"), ("say", "B200"), ("tap", "箱"), ("say", "3"), ("tap", "0 %"),
    ], catalog),
    "check-in": ("rep", [("say", "/checkin"), ("locate", *NEAR), ("tap", "苏州恒力"), ("tap", "Check out")], None),
    "visit log": ("rep", [("locate", *NEAR), ("tap", "苏州恒力"), ("say", "/visit"), ("say", "和采购沟通了新产线的泵需求")], None),
    "lead": ("rep", [
        ("say", "/lead"), ("tap", "Fill in a form"), ("say", "嘉兴新锐环保科技有限公司"), ("tap", "Skip"),
        ("say", "13655556666"), ("say", "-"), ("say", "污水处理用潜水排污泵"), ("tap", "trade show"),
    ], None),
    "new ticket": ("manager", [
        ("say", "/newticket 恒力"), ("tap", "X100"), ("tap", "Repair"), ("say", "X100 泵体异响"), ("tap", "Urgent"), ("tap", "Reassign"),
    ], service),
    "service desk": ("manager", [("say", "/service"), ("tap", "Open tickets"), ("tap", "FW-"), ("say", "/service"), ("tap", "Dispatch board")], assigned_ticket),
    "waiting for parts": ("engineer", [
        ("say", "/tickets"), ("tap", "FW-"), ("tap", "Accept"), ("tap", "Waiting for parts"), ("say", "X100 seal"), ("tap", "SEAL-X100"),
        ("say", "3"), ("tap", "Parts arrived"),
    ], assigned_ticket),
    "language": ("rep", [("say", "/language"), ("tap", "中文"), ("say", "/language"), ("tap", "English")], None),
    "target": ("rep", [("say", "/target 联众"), ("tap", "✏️"), ("say", "100万")], channel),
    "ticket work": ("engineer", [
        ("say", "/tickets"), ("tap", "FW-"), ("tap", "Accept"), ("tap", "Arrived"), ("locate", *NEAR), ("tap", "Note or photo"),
        ("say", "轴承磨损，需更换"), ("tap", "Parts used"), ("say", "6205"), ("tap", "BRG-6205"), ("say", "1个"),
    ], assigned_ticket),
    "stock report": ("dealer", [("say", "库存：X100 十二台 / B-200 5箱，V50 2 boxes"), ("tap", "Confirm"), ("say", "X100 9台")], channel),
    "approval rules": ("admin", [("say", "/rules"), ("tap", "Level 1"), ("say", "25万"), ("say", "-")], None),
    "away": ("manager", [("say", "/away"), ("tap", "Zhou Tao"), ("say", "in 3 days")], None),
    "customer card": ("rep", [
        ("say", "/c 恒力"), ("tap", "Change grade"), ("tap", "strategic"), ("tap", "Release to pool"), ("tap", "Yes, release"),
    ], None),
    "public pool": ("rep", [("say", "/pool"), ("tap", "By region"), ("tap", "华东"), ("tap", "天宇")], None),
    "agenda": ("rep", [("say", "/agenda"), ("tap", "This week"), ("tap", "✓ 苏州恒力")], None),
    "settings": ("rep", [("say", "/settings"), ("tap", "Mute"), ("tap", "Follow-ups due")], None),
    "approval": ("manager", [("say", "/approvals"), ("tap", "Approve")], waiting_quote),
    "team check-ins": ("manager", [("say", "/team"), ("tap", "This week"), ("tap", "doubtful")], None),
    "safety stock": ("rep", [("say", "/safety 联众"), ("say", "X100 10台, B200 3箱, 离心水泵 4"), ("tap", "X150 ·"), ("tap", "Save levels")], channel),
}


STEP_BY_STEP = {"lead"}
"""Played where forms come one field per message (Telegram), so that each field's buttons are tapped."""


@pytest.mark.parametrize("case", list(CASES))
async def test_old_buttons_of_a_dialog_never_break_it(container, clean_db, chat_as, case):
    login, script, setup = CASES[case]

    async def reset() -> None:
        await truncate(clean_db)
        world = await make_world(container.sessionmaker)
        if setup is not None:
            await setup(container, world, chat_as)

    chats = fresh_chats(chat_as, caps=PLAIN) if case in STEP_BY_STEP else fresh_chats(chat_as)
    found = await explore(chats, login, script, reset)
    broken = found.failures(INTERNAL)
    assert found.taps
    assert not broken, "\n".join(f"{t.label!r} (step {t.shown_at}) tapped after step {t.tapped_after}: {t.answer!r}" for t in broken)
