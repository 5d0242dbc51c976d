"""Everything one step of a flow needs: the turn, the user, the unit of work, texts, tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.i18n import Formatter, translate
from conversations.inbound import ConversationKey, Turn
from conversations.messages import Action, Reply
from conversations.state import Dialog, StateStore
from conversations.tokens import STATELESS, TokenCodec, new_instance
from core.clock import local_date, zone
from core.events import EventBus
from core.models import User
from core.permissions import Scope
from core.search import CustomerSearch
from core.settings import Settings
from core.uow import Actor, UnitOfWork


@dataclass(frozen=True)
class Deps:
    """Long-lived collaborators, built once by the composition root."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    bus: EventBus
    search: CustomerSearch
    codec: TokenCodec
    state: StateStore
    location_page: Callable[[ConversationKey, str], str | None] | None = None
    """Signed link to a web page that reads the browser's position (key, locale → URL)."""
    rating_page: Callable[[int, str], str | None] | None = None
    """Signed single-use link to the customer's rating page for a resolved ticket (ticket id, locale → URL)."""
    form_page: Callable[[ConversationKey, str, str], str | None] | None = None
    """Signed link to a web page showing a whole form (key, locale, dialog instance → URL), offered
    beside the step-by-step questions where a platform has no native forms."""


@dataclass
class Ctx:
    turn: Turn
    deps: Deps
    uow: UnitOfWork
    locale: str
    user: User | None = None
    scope: Scope | None = None
    dialog: Dialog | None = None
    dialog_changed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    launch: Callable[[Ctx, str, str], Awaitable[list[Reply]]] | None = None
    """Start another flow by command name (menu buttons, card shortcuts)."""

    @property
    def session(self) -> AsyncSession:
        return self.uow.session

    @property
    def actor(self) -> Actor:
        assert self.user is not None, "flow needs a bound user"
        return Actor(self.user, self.turn.key.platform)

    @property
    def me(self) -> Scope:
        assert self.scope is not None, "flow needs a bound user"
        return self.scope

    @property
    def timezone(self) -> str:
        return (self.user.timezone if self.user else None) or self.deps.settings.timezone

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.locale, zone(self.timezone))

    def today(self) -> date:
        return local_date(self.turn.received_at, zone(self.timezone))

    def t(self, key: str, /, **params: object) -> str:
        return translate(self.locale, key, **params)

    # -- dialog ---------------------------------------------------------------
    def begin(self, flow: str, step: str, **data: Any) -> Dialog:
        self.dialog = Dialog(flow, step, new_instance(), dict(data))
        self.dialog_changed = True
        return self.dialog

    def goto(self, step: str, **data: Any) -> None:
        assert self.dialog is not None
        self.dialog.step = step
        self.dialog.data.update(data)
        self.dialog_changed = True

    def finish(self) -> None:
        self.dialog = None
        self.dialog_changed = True

    async def start_flow(self, command: str, args: str = "") -> list[Reply]:
        assert self.launch is not None
        return await self.launch(self, command, args)

    # -- buttons --------------------------------------------------------------
    def button(
        self,
        label: str,
        flow: str,
        arg: str,
        *,
        stateless: bool = False,
        style: Literal["primary", "danger", "default"] = "default",
    ) -> Action:
        """A callback button; bound to the current dialog run unless `stateless`."""
        instance = STATELESS if stateless or self.dialog is None else self.dialog.instance
        return Action(label, token=self.deps.codec.encode(flow, instance, arg), style=style)
