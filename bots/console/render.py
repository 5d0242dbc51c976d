"""Neutral replies → plain terminal text, choices numbered (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bots.fallback import number_actions
from conversations.i18n import labelled
from conversations.messages import AskLocation, Card, Choices, Form, Media, Reply, Text


@dataclass
class Screen:
    """What to print, and which typed number stands for which action token."""

    lines: list[str] = field(default_factory=list)
    tokens: dict[int, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def render(replies: list[Reply], locale: str = "en") -> Screen:
    screen = Screen()
    for reply in replies:
        match reply:
            case Text(text=text):
                screen.lines.append(text)
            case Choices(prompt=prompt, options=options):
                numbered = number_actions(options, start=len(screen.tokens) + 1)
                screen.tokens.update(numbered.tokens)
                screen.lines += [prompt, numbered.text]
            case Card():
                screen.lines.append(f"┌ {reply.title}" + (f"  ({reply.subtitle})" if reply.subtitle else ""))
                for f in reply.fields:
                    value = f.value.replace("\n", "\n│   ")
                    screen.lines.append(f"│ {labelled(f.label, value)}")
                screen.lines.append("└" + "─" * 30)
                if reply.actions:
                    numbered = number_actions(reply.actions, start=len(screen.tokens) + 1)
                    screen.tokens.update(numbered.tokens)
                    screen.lines.append(numbered.text)
            case Form():
                # The engine asks forms one field at a time on the console; seen only if not.
                screen.lines.append(reply.title)
            case AskLocation(prompt=prompt):
                hint = "输入 loc 纬度,经度（例如 loc 31.3236,120.7260）" if locale == "zh-CN" else "type: loc LAT,LON (e.g. loc 31.3236,120.7260)"
                screen.lines += [f"📍 {prompt}", f"   {hint}"]
            case Media():
                screen.lines.append(f"[{reply.kind}: {reply.filename}, {len(reply.data)} bytes] {reply.caption or ''}".rstrip())
    if screen.tokens:
        screen.lines.append("  (1–9…: " + ("回复序号选择" if locale == "zh-CN" else "type the number to choose") + ")")
    return screen
