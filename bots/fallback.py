"""Shared, logged degradations for platforms that lack something.

- Numbered choices where a platform has no buttons: the options become "1. …" lines and
  the adapter maps a typed number back to the action token.
- Paging where a message holds fewer buttons than the reply offers.
Forms on platforms without native forms are asked one field per message by the
conversation layer (`conversations.form_filler`), since that needs dialog state.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from conversations.i18n import translate
from conversations.inbound import Capabilities
from conversations.messages import Action, Card, Choices, Reply, Text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Numbered:
    """Text lines for a reply's buttons, and what each number stands for."""

    text: str
    tokens: dict[int, str]
    links: dict[int, str]


def number_actions(actions: Sequence[Action], start: int = 1) -> Numbered:
    lines: list[str] = []
    tokens: dict[int, str] = {}
    links: dict[int, str] = {}
    for n, action in enumerate(actions, start):
        if action.token:
            tokens[n] = action.token
            lines.append(f"  {n}. {action.label}")
        elif action.url:
            links[n] = action.url
            lines.append(f"  {n}. {action.label}: {action.url}")
    return Numbered("\n".join(lines), tokens, links)


def page_buttons(replies: Sequence[Reply], caps: Capabilities) -> list[Reply]:
    """Split choices with more buttons than the platform shows into several messages."""
    limit = caps.buttons
    if limit <= 0:
        return list(replies)
    out: list[Reply] = []
    for reply in replies:
        if isinstance(reply, Choices) and len(reply.options) > limit:
            log.info("paging %d choices by %d", len(reply.options), limit)
            for i in range(0, len(reply.options), limit):
                prompt = reply.prompt if i == 0 else "…"
                out.append(Choices(prompt, reply.options[i : i + limit]))
        elif isinstance(reply, Card) and len(reply.actions) > limit:
            log.info("card actions cut to %d, rest paged", limit)
            out.append(replace(reply, actions=reply.actions[:limit]))
            out.append(Choices("…", reply.actions[limit:]))
        else:
            out.append(reply)
    return out


def numbered_prompt(locale: str) -> Text:
    return Text(translate(locale, "fallback.numbered"))
