"""The neutral inbound side: who speaks (ConversationKey) and one typed event per Turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.geo import Point
from core.models import utcnow


@dataclass(frozen=True)
class ConversationKey:
    platform: str
    workspace: str
    chat: str
    user: str

    def storage_key(self) -> str:
        return "|".join((self.platform, self.workspace, self.chat, self.user))


@dataclass(frozen=True)
class Capabilities:
    """What a platform can show; the rest degrades in one shared place."""

    buttons: int = 10
    """Buttons per message (0: numbered choices)."""
    callback_bytes: int = 64
    can_edit: bool = False
    native_forms: bool = False
    native_location: bool = False
    images: bool = True


@dataclass(frozen=True)
class TextEvent:
    text: str


@dataclass(frozen=True)
class CommandEvent:
    name: str
    """Without the slash, lower case: 'checkin', 'c'."""
    args: str = ""


@dataclass(frozen=True)
class ActionEvent:
    token: str


@dataclass(frozen=True)
class LocationEvent:
    lat: float
    lon: float
    accuracy_m: float | None = None
    live: bool = False
    source: str = "pin"
    """pin (chat app), web (browser page), manual (typed)."""
    taken_at: datetime | None = None
    """When the fix was taken, if the platform says (offline sends arrive later)."""
    update_of_live: bool = False
    """A later position of a live location already shared."""
    datum: str = "wgs84"
    """The map datum of lat/lon: 'wgs84' (GPS, Telegram, browsers), 'gcj02' (WeCom, Feishu and
    other in-China sources) or 'bd09' (Baidu). Flows take `point()`, which is always WGS-84."""

    def point(self) -> Point:
        """The checked position in WGS-84: the one place a reported datum is converted."""
        return Point.checked(self.lat, self.lon, self.datum)


@dataclass(frozen=True)
class FormEvent:
    values: dict[str, Any]
    token: str | None = None
    """The submit button's action token, where the platform sends it back (a Feishu card form):
    a form of an earlier dialog run is then refused, never handed to the dialog open now."""


@dataclass(frozen=True)
class MediaEvent:
    kind: str
    ref: str
    """A platform file reference the adapter can resolve later (file_id, media key, URL)."""
    caption: str | None = None


Event = TextEvent | CommandEvent | ActionEvent | LocationEvent | FormEvent | MediaEvent


@dataclass(frozen=True)
class Turn:
    key: ConversationKey
    event: Event
    caps: Capabilities = field(default_factory=Capabilities)
    locale_hint: str | None = None
    """The platform profile's language, used until the user picks one."""
    received_at: datetime = field(default_factory=utcnow)
    event_id: tuple[str, str] | None = None
    """(source, id) of the platform event, e.g. ('telegram:<bot>', update_id): a redelivery is
    dropped by the engine, in the same transaction as the first delivery's effects."""
    addressed: bool = True
    """Meant for the bot: False for a group message that neither commands, mentions nor answers
    it (a bot that reads every group message sees people talking among themselves); such a
    message is taken only by the sender's open dialog, and otherwise ignored."""
