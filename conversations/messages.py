"""The closed set of neutral replies every adapter renders natively."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Action:
    """A button: either a callback (`token`, posted back as an action turn) or a link (`url`)."""

    label: str
    token: str | None = None
    url: str | None = None
    style: Literal["primary", "danger", "default"] = "default"

    def __post_init__(self) -> None:
        if (self.token is None) == (self.url is None):
            raise ValueError("an action is either a callback token or a link")


@dataclass(frozen=True)
class Text:
    text: str
    """Plain text; adapters escape it for their markup."""
    awaits_answer: bool = field(default=False, compare=False)
    """An open dialog waits for a typed answer to this text (set by the engine). A platform that can
    open the asker's reply box does: in a Telegram group the bot sees only replies to it."""


@dataclass(frozen=True)
class Choices:
    prompt: str
    options: tuple[Action, ...]
    ref: str | None = None
    """Names the state the list shows (a quote line's options being ticked), like `Card.ref`: a tap
    answered by the same list, changed, may edit it in place instead of stacking a copy below."""


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Card:
    """A titled record: the customer 360, a check-in receipt, an approval request."""

    title: str
    fields: tuple[Field, ...] = ()
    actions: tuple[Action, ...] = ()
    subtitle: str | None = None
    ref: str | None = None
    """Names the record shown (e.g. 'visit:12') so that a later edit can find every copy."""


FieldKind = Literal["text", "textarea", "phone", "email", "number", "date", "choice"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()
    """For kind 'choice': (value, label) pairs."""
    value: str | None = None
    """Pre-filled value (e.g. what a free-text message already gave)."""
    hint: str | None = None


@dataclass(frozen=True)
class Form:
    title: str
    fields: tuple[FormField, ...]
    submit: Action
    errors: tuple[tuple[str, str], ...] = ()
    """(field name, message) pairs from a rejected submission."""


@dataclass(frozen=True)
class AskLocation:
    prompt: str
    web_url: str | None = None
    """A page that reads the browser's geolocation, for platforms that cannot share a location."""


@dataclass(frozen=True)
class Media:
    kind: Literal["image", "file"]
    filename: str
    mime: str
    data: bytes = field(repr=False)
    caption: str | None = None


Reply = Text | Choices | Card | Form | AskLocation | Media
