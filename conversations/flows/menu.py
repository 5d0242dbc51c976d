"""Help and the main menu: the everyday actions for the user's role, as buttons."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.i18n import translate
from conversations.messages import Choices, Reply, Text
from core.models import Role

SELLER_MENU = ("checkin", "visit", "lead", "c", "quote", "quotes", "agenda", "pool", "stock", "settings", "lang")
MENUS: dict[Role, tuple[str, ...]] = {
    Role.REP: SELLER_MENU,
    Role.MANAGER: ("checkin", "visit", "lead", "c", "approvals", "quote", "quotes", "forecast", "away", "agenda", "pool", "checkins", "service", "newticket", "stock", "settings", "lang"),
    Role.DIRECTOR: ("c", "approvals", "forecast", "away", "lead", "agenda", "pool", "checkins", "service", "settings", "lang"),
    Role.ADMIN: ("c", "rules", "approvals", "bindcode", "outbox", "agenda", "settings", "lang"),
    Role.FINANCE: ("c", "approvals", "forecast", "rebate", "agenda", "settings", "lang"),
    Role.ENGINEER: ("c", "tickets", "lead", "agenda", "settings", "lang"),
    Role.DEALER: ("report", "stock", "target", "rebate", "c", "lead", "settings", "lang"),
}


HELP_BY_ROLE = {Role.ENGINEER: "help.text_engineer", Role.DEALER: "help.text_dealer", Role.FINANCE: "help.text_office"}
"""The greeting names what the role does most (sellers: look up, check in; the others do not check in)."""


HINT_BY_ROLE = {role: key.replace("help.text", "dialog.hint") for role, key in HELP_BY_ROLE.items()}
"""What to send instead, after a message the bot could not place: the greeting's advice, without the hello."""


GREETINGS = frozenset({
    "hi", "hello", "hey", "hallo", "good morning", "good afternoon", "good evening", "morning",
    "你好", "您好", "嗨", "哈喽", "哈罗", "在吗", "在么", "在不在", "早", "早上好", "上午好", "下午好", "晚上好",
})
"""Whole messages that only say hello: answered with the greeting and the menu, not searched for
as a customer's name (a rep's plain message is a lookup) or parsed as a dealer's stock count."""
GREETING_TRIM = " \t\n!！.。~～?？,，、"


def is_greeting(text: str) -> bool:
    return text.strip(GREETING_TRIM).lower() in GREETINGS


def not_understood(ctx: Ctx, problem: str) -> list[Reply]:
    """`problem` (not understood, unknown command), what the user's role can send instead, and the
    menu: two messages, not the whole greeting again after every typo."""
    assert ctx.user is not None
    hint = ctx.t(HINT_BY_ROLE.get(ctx.user.role, "dialog.hint"))
    return [Text(f"{problem}\n{hint}"), main_menu(ctx)]


def menu_labels(role: Role | None, locale: str) -> tuple[str, ...]:
    """The labels of a role's main menu (a front end builds its own shortcuts from them)."""
    return tuple(translate(locale, f"menu.{cmd}") for cmd in MENUS.get(role, SELLER_MENU)) if role else ()


def main_menu(ctx: Ctx) -> Choices:
    """The user's role's everyday actions, as buttons."""
    assert ctx.user is not None
    items = MENUS.get(ctx.user.role, SELLER_MENU)
    buttons = tuple(ctx.button(ctx.t(f"menu.{cmd}"), MenuFlow.code, f"go:{cmd}", stateless=True) for cmd in items)
    return Choices(ctx.t("menu.prompt"), buttons)


class MenuFlow(Flow):
    code = "x"
    commands = ("help", "menu", "start", "帮助", "菜单", "h", "?")

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        assert ctx.user is not None
        name = ctx.user.display_name(ctx.locale)
        return [Text(ctx.t(HELP_BY_ROLE.get(ctx.user.role, "help.text"), name=name)), main_menu(ctx)]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg == "cancel":
            had = ctx.dialog is not None
            ctx.finish()
            return [Text(ctx.t("dialog.cancelled" if had else "dialog.nothing_to_cancel"))]
        if arg.startswith("go:"):
            return await ctx.start_flow(arg[3:], "")
        return [Text(ctx.t("error.action_expired"))]
