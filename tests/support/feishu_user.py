"""A person in the Feishu client, for whole-day tests through POST /feishu/events.

`FeishuUser` sends what the client sends (text, rich-text post, location, image, card clicks and
card form submissions, each sealed and signed) and keeps a screen: every card the bot sent to the
chat, replaced in place when a click's answer or an API patch updates it. After each step, `last`
holds what arrived (new messages, and the clicked card's answer), `text` its visible words.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from bootstrap import Container
from core.events import EventBus
from core.services.identities import create_binding_code
from core.uow import UnitOfWork
from tests.support.feishu import FeishuRig, card_action, message

Card = dict[str, Any]


def _elements(node: Any, tags: tuple[str, ...]) -> list[Card]:
    """The card components with one of `tags`, in reading order (not looking inside them)."""
    if isinstance(node, dict):
        if node.get("tag") in tags:
            return [node]
        return [found for value in node.values() for found in _elements(value, tags)]
    if isinstance(node, list):
        return [found for item in node for found in _elements(item, tags)]
    return []


def visible(content: Card) -> str:
    """The words a card (or a text message) shows: header, texts, field labels and values, buttons."""
    if isinstance(content.get("text"), str):
        return str(content["text"])
    texts = _elements({k: v for k, v in content.items() if k != "config"}, ("plain_text", "lark_md"))
    return "\n".join(html.unescape(str(t.get("content", ""))).replace("**", "") for t in texts)


def buttons(card: Card) -> list[Card]:
    """Every button of a card (action rows and the form's submit button)."""
    return _elements(card.get("elements", []), ("button",))


def label(button: Card) -> str:
    return str(button.get("text", {}).get("content", ""))


def labels(card: Card) -> list[str]:
    return [label(b) for b in buttons(card)]


def header_of(card: Card) -> str:
    return str(card.get("header", {}).get("title", {}).get("content", ""))


async def new_code(container: Container, login: str) -> str:
    """A one-time binding code, as an administrator hands it out."""
    async with UnitOfWork(container.sessionmaker, EventBus()) as uow:
        code = await create_binding_code(uow, actor=None, login=login)
        await uow.commit()
    return code


@dataclass
class Shown:
    """One message in the chat as the user sees it now."""

    id: str
    type: str
    content: Card


@dataclass
class FeishuUser:
    rig: FeishuRig
    open_id: str
    user_agent: str | None = None
    """The Feishu client's user agent, sent with messages (LarkLocale/<language>)."""
    screen: list[Shown] = field(default_factory=list)
    last: list[Shown] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)
    """The card-action answer of the last click: toast and (maybe) the updated card."""
    _seen: int = 0
    _patched: int = 0

    @property
    def chat(self) -> str:
        return self.open_id  # one-to-one chats are keyed by the user

    # -- what the client sends ----------------------------------------------------------
    async def say(self, text: str) -> list[Shown]:
        return await self._send("text", {"text": text})

    async def post(self, title: str, *lines: str) -> list[Shown]:
        """A rich-text (post) message, as typed in the editor with a title."""
        rows = [[{"tag": "text", "text": line, "style": []}] for line in lines]
        return await self._send("post", {"title": title, "content": rows})

    async def locate(self, lat: float, lon: float, name: str = "苏州工业园区") -> list[Shown]:
        """Feishu's location message: GCJ-02 in China, numbers as strings."""
        return await self._send("location", {"name": name, "longitude": f"{lon:.6f}", "latitude": f"{lat:.6f}"})

    async def photo(self, image_key: str) -> list[Shown]:
        return await self._send("image", {"image_key": image_key})

    async def tap(self, label_part: str, *, on: str = "", form: dict[str, Any] | None = None) -> dict[str, Any]:
        """Click the newest button whose label contains `label_part` (on a card showing `on`);
        the answer Feishu got."""
        shown, pressed = self.button(label_part, on=on)
        payload = card_action(self.open_id, pressed["value"], form=form, message_id=shown.id, chat=self.chat)
        response = await self.rig.post(payload)
        assert response.status_code == 200, response.text
        self.answer = response.json()
        card = self.answer.get("card", {}).get("data")
        if card is not None:
            shown.content = card
        await self._settle([Shown(shown.id, "answer", card)] if card is not None else [])
        return self.answer

    async def submit(self, **values: Any) -> dict[str, Any]:
        """Fill the newest card form and press its submit button."""
        shown = next((s for s in reversed(self.screen) if _has_form(s.content)), None)
        assert shown is not None, "no card form on screen"
        submit = next(b for b in buttons(shown.content) if b.get("action_type") == "form_submit")
        return await self.tap(label(submit), form=values)

    # -- what the user sees -------------------------------------------------------------
    def button(self, label_part: str, *, on: str = "") -> tuple[Shown, Card]:
        for shown in reversed(self.screen):
            if on and on not in visible(shown.content):
                continue
            for b in buttons(shown.content):
                if label_part in label(b) and "value" in b:
                    return shown, b
        labels = [label(b) for s in self.screen[-4:] for b in buttons(s.content)]
        raise AssertionError(f"no button {label_part!r} on screen; the last ones: {labels}")

    def cards(self) -> list[Card]:
        return [s.content for s in self.last if s.type in ("interactive", "answer", "patched")]

    @property
    def text(self) -> str:
        parts = [visible(s.content) for s in self.last if s.type != "image"]
        toast = self.answer.get("toast", {}).get("content")
        return "\n".join(([toast] if toast else []) + parts)

    def images(self) -> list[Shown]:
        return [s for s in self.last if s.type == "image"]

    # -- plumbing -------------------------------------------------------------------------
    async def _send(self, kind: str, content: dict[str, Any]) -> list[Shown]:
        self.answer = {}
        response = await self.rig.post(message(self.open_id, kind, content, user_agent=self.user_agent))
        assert response.status_code == 200 and response.json() == {}, response.text
        await self._settle([])
        return self.last

    async def click(self, shown: Shown, pressed: Card) -> dict[str, Any]:
        """Click a button as it was, even if the card has changed since (a second, late click)."""
        response = await self.rig.post(card_action(self.open_id, pressed["value"], message_id=shown.id, chat=self.chat))
        assert response.status_code == 200, response.text
        self.answer = response.json()
        await self._settle([])
        return self.answer

    async def _settle(self, answered: list[Shown]) -> None:
        await self.rig.adapter.drain()
        self.last = answered + self.catch_up()

    def _apply_patches(self) -> list[Shown]:
        """Cards edited through the API (a decided approval) change on screen too."""
        patches = self.rig.fake.patches()
        changed: list[Shown] = []
        for message_id, card in patches[self._patched:]:
            for shown in self.screen:
                if shown.id == message_id:
                    shown.content = card
                    changed.append(Shown(message_id, "patched", card))
        self._patched = len(patches)
        return changed

    def catch_up(self) -> list[Shown]:
        """What arrived without the user doing anything (notifications, patches)."""
        fresh = self.rig.fake.messages(self.chat)[self._seen:]
        self._seen += len(fresh)
        arrived = [Shown(m["id"], m["type"], m["content"]) for m in fresh]
        self.screen += arrived
        return arrived + self._apply_patches()


def _has_form(card: Card) -> bool:
    return any(isinstance(e, dict) and e.get("tag") == "form" for e in card.get("elements", []))
