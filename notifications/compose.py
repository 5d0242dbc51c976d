"""Speaking to one recipient: their language, time zone, preferences and stateless buttons.

Rules compose replies when they write a row, in the recipient's language as it is then;
buttons carry stateless tokens so they work whenever they are tapped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import Formatter, translate
from conversations.messages import Action
from conversations.tokens import STATELESS, TokenCodec
from core.models import User
from core.services.notify_prefs import Prefs, load_prefs
from core.settings import Settings


@lru_cache(maxsize=4096)
def _format_date(fmt: Formatter, day: date) -> str:
    return fmt.date(day)


@dataclass(frozen=True)
class Voice:
    """Texts, formatting and buttons in one recipient's language and zone."""

    locale: str
    fmt: Formatter
    codec: TokenCodec

    def t(self, key: str, /, **params: object) -> str:
        return translate(self.locale, key, **params)

    def date(self, moment: datetime) -> str:
        """The local date, formatted (cached: a sweep formats the same few days thousands of times)."""
        return _format_date(self.fmt, moment.astimezone(self.fmt.tz).date())

    def button(
        self, label: str, flow: str, arg: str, *, style: Literal["primary", "danger", "default"] = "default"
    ) -> Action:
        return Action(label, token=self.codec.encode(flow, STATELESS, arg), style=style)


@dataclass(frozen=True)
class Recipient:
    user: User
    prefs: Prefs
    voice: Voice

    @property
    def name(self) -> str:
        return self.user.display_name(self.voice.locale)

    def send_time(self, due: datetime, *, routine: bool) -> datetime:
        return self.prefs.send_time(due, routine=routine)


class Composer:
    """Builds Recipients for user ids, caching users, preferences and formatters within one run."""

    def __init__(self, settings: Settings, codec: TokenCodec) -> None:
        self.settings, self.codec = settings, codec
        self._formatters: dict[tuple[str, str], Formatter] = {}

    def voice(self, locale: str, timezone: str) -> Voice:
        fmt = self._formatters.get((locale, timezone))
        if fmt is None:
            from core.clock import zone

            fmt = self._formatters[(locale, timezone)] = Formatter(locale, zone(timezone))
        return Voice(locale, fmt, self.codec)

    async def recipients(
        self, session: AsyncSession, user_ids: Iterable[int], known: dict[int, Recipient | None] | None = None
    ) -> dict[int, Recipient]:
        """Active users only: a deactivated user gets nothing. `known` carries them across a sweep's pages."""
        known = {} if known is None else known
        wanted = set(user_ids)
        missing = sorted(wanted - known.keys())
        if missing:
            users = list((await session.scalars(select(User).where(User.id.in_(missing), User.active.is_(True)))).all())
            prefs = await load_prefs(session, users, self.settings)
            locale = self.settings.default_locale
            known.update(dict.fromkeys(missing))
            known.update({u.id: Recipient(u, prefs[u.id], self.voice(u.locale or locale, prefs[u.id].timezone)) for u in users})
        return {uid: to for uid in wanted if (to := known.get(uid)) is not None}
