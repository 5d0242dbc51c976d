"""The WeCom test rig: FieldChat with WeCom configured, its HTTP app, a recording fake API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bootstrap import Container, build, create_app
from bots.wecom.adapter import WeComAdapter
from conversations.local import sign_in
from tests.conftest import test_settings
from tests.support import fake_wecom
from tests.support.fake_wecom import Clock, FakeWeCom
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

    async def post(self, plain: str, *, at: int | None = None, corp_id: str = fake_wecom.CORP_ID) -> httpx.Response:
        timestamp = int(self.clock()) if at is None else at
        query, body = fake_wecom.seal(plain, timestamp=timestamp, corp_id=corp_id)
        return await self.client.post(f"/wecom/callback?{query}", content=body, headers={"content-type": "text/xml"})

    async def say(self, user: str, text: str, msg_id: int) -> httpx.Response:
        return await self.post(fake_wecom.message(user, int(self.clock()), "text", msg_id, Content=text))

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
        return "\n".join(parts)

    def button(self, text_part: str) -> str:
        for card in reversed(self.cards()):
            for button in card.get("button_list", []):
                if text_part in button["text"]:
                    return str(button["key"])
        raise AssertionError(f"no button with {text_part!r}")


async def make_rig(db: AsyncEngine, **overrides: Any) -> WeComRig:
    settings = test_settings(
        wecom_corp_id=fake_wecom.CORP_ID, wecom_agent_id=fake_wecom.AGENT_ID, wecom_secret=fake_wecom.SECRET,
        wecom_token=fake_wecom.TOKEN, wecom_encoding_aes_key=fake_wecom.ENCODING_AES_KEY,
        wecom_api_url=fake_wecom.API_URL, default_locale="zh-CN", **overrides,
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
