"""The WeCom test rig: FieldChat with WeCom configured, its HTTP app, a recording fake API."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bootstrap import Container, build, create_app
from bots.wecom.adapter import WeComAdapter
from conversations.local import sign_in
from core.datum import wgs84_to_gcj02
from core.events import EventBus
from core.services.identities import create_binding_code
from core.uow import UnitOfWork
from tests.conftest import test_settings
from tests.support import fake_wecom
from tests.support.fake_wecom import Clock, FakeWeCom, event, message
from tests.support.world import World, make_world


@dataclass
class WeComRig:
    container: Container
    adapter: WeComAdapter
    fake: FakeWeCom
    clock: Clock
    client: httpx.AsyncClient
    world: World
    slept: list[float]
    msg_ids: Iterator[int] = field(default_factory=lambda: itertools.count(50_000))

    async def post(self, plain: str, *, at: int | None = None, corp_id: str = fake_wecom.CORP_ID) -> httpx.Response:
        timestamp = int(self.clock()) if at is None else at
        query, body = fake_wecom.seal(plain, timestamp=timestamp, corp_id=corp_id)
        return await self.client.post(f"/wecom/callback?{query}", content=body, headers={"content-type": "text/xml"})

    async def say(self, user: str, text: str, msg_id: int | None = None) -> httpx.Response:
        msg_id = next(self.msg_ids) if msg_id is None else msg_id
        return await self.post(message(user, int(self.clock()), "text", msg_id, Content=text))

    async def click(self, user: str, text_part: str, response_code: str = "rc-click", *, card: str = "") -> None:
        """Tap the last sent card button whose text has `text_part` (a template_card_event)."""
        key = self.button(text_part, card)
        self.fake.clear()
        self.clock.at += 1  # events de-duplicate on sender, time and key: a later tap is a new event
        plain = event(user, int(self.clock()), "template_card_event", EventKey=key, TaskId="task-1",
                      CardType="button_interaction", ResponseCode=response_code)
        assert (await self.post(plain)).status_code == 200

    async def menu(self, user: str, key: str) -> None:
        """Tap an app menu item (a click event carrying the command name)."""
        self.clock.at += 1
        assert (await self.post(event(user, int(self.clock()), "click", EventKey=key))).status_code == 200

    async def locate(self, user: str, lat: float, lon: float) -> None:
        """Send WeCom's location message for a WGS-84 point: WeCom reports it in GCJ-02."""
        glat, glon = wgs84_to_gcj02(lat, lon)
        plain = message(user, int(self.clock()), "location", next(self.msg_ids), Location_X=round(glat, 6),
                        Location_Y=round(glon, 6), Scale=15, Label="苏州工业园区")
        assert (await self.post(plain)).status_code == 200

    async def photo(self, user: str, media_id: str) -> None:
        plain = message(user, int(self.clock()), "image", next(self.msg_ids), PicUrl="http://wework.qpic.cn/p", MediaId=media_id)
        assert (await self.post(plain)).status_code == 200

    async def binding_code(self, login: str) -> str:
        """A one-time code as an admin would hand it out."""
        async with UnitOfWork(self.container.sessionmaker, EventBus()) as uow:
            code = await create_binding_code(uow, actor=None, login=login)
            await uow.commit()
        return code

    def updates(self) -> list[dict[str, Any]]:
        """Bodies of update_template_card calls (a clicked card's buttons replaced by a label)."""
        return [c.body for c in self.fake.of("message/update_template_card")]

    async def bind(self, login: str, user: str | None = None) -> str:
        """Bind a WeCom member (UserID = the login unless given) to a world login."""
        member = user or login
        await sign_in(self.container.deps, self.adapter.key(member), login)
        return member

    def cards(self) -> list[dict[str, Any]]:
        return [b["template_card"] for b in self.fake.sent() if b.get("msgtype") == "template_card"]

    def texts(self) -> str:
        parts: list[str] = []
        for body in self.fake.sent():
            kind = body["msgtype"]
            if kind in ("text", "markdown"):
                parts.append(body[kind]["content"])
            elif kind == "template_card":
                card = body["template_card"]
                parts.append(card["main_title"].get("title", ""))
                parts.append(card.get("sub_title_text", ""))
                parts += [f"{h['keyname']}: {h['value']}" for h in card.get("horizontal_content_list", [])]
                parts += [b["text"] for b in card.get("button_list", [])]
                parts += [f"{j['title']} {j['url']}" for j in card.get("jump_list", [])]
        return "\n".join(parts)

    def button(self, text_part: str, card: str = "") -> str:
        """The key of the last button sent with `text_part` (since the start: a card stays on the
        screen), on a card whose title has `card`."""
        every = [c.body["template_card"] for c in self.fake.history if c.body.get("msgtype") == "template_card"]
        for sent in reversed(every):
            if card not in sent["main_title"].get("title", ""):
                continue
            for button in sent.get("button_list", []):
                if text_part in button["text"]:
                    return str(button["key"])
        raise AssertionError(f"no button with {text_part!r}")


async def make_rig(db: AsyncEngine, **overrides: Any) -> WeComRig:
    settings = test_settings(
        wecom_corp_id=fake_wecom.CORP_ID, wecom_agent_id=fake_wecom.AGENT_ID, wecom_secret=fake_wecom.SECRET,
        wecom_token=fake_wecom.TOKEN, wecom_encoding_aes_key=fake_wecom.ENCODING_AES_KEY,
        wecom_api_url=fake_wecom.API_URL, **{"default_locale": "zh-CN", **overrides},
    )
    container = await build(settings, migrate=False, db=db)
    clock = Clock()
    fake = FakeWeCom(clock)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.at += seconds

    adapter = WeComAdapter(container.engine, container.deps, settings, transport=fake.transport, clock=clock, sleep=sleep)
    container.adapters.add(adapter)  # the one with the fake's transport and the test clock
    app = create_app(container)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fieldchat.test")
    world = await make_world(container.sessionmaker)
    return WeComRig(container, adapter, fake, clock, client, world, slept)
