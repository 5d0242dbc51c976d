"""`/away`: an approver names a delegate while away; `/away off` (or the button) when back."""

from __future__ import annotations

from datetime import date

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.forms import parse_date
from conversations.inbound import Event, TextEvent
from conversations.messages import Choices, Reply, Text
from core.models import ApproverAbsence, User
from core.services import absences

OPEN_WORDS = {"open", "-", "无", "不定", "no end"}
BACK_WORDS = {"off", "back", "回来", "结束", "取消外出"}


class AwayFlow(Flow):
    code = "aw"
    commands = ("away", "外出", "出差", "delegate", "代理")
    roles = absences.APPROVER_ROLES

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        assert ctx.user is not None
        if args.strip().lower() in BACK_WORDS:
            return await self._back(ctx)
        replies: list[Reply] = []
        current = await ctx.session.get(ApproverAbsence, ctx.user.id, populate_existing=True)
        if current is not None:
            delegate = await ctx.session.get_one(User, current.delegate_id)
            until = ctx.fmt.date(current.until) if current.until else ctx.t("away.no_end")
            replies.append(Choices(
                ctx.t("away.current", name=delegate.display_name(ctx.locale), until=until),
                (ctx.button(ctx.t("away.back_button"), self.code, "back", stateless=True, style="primary"),),
            ))
        ctx.begin(self.code, "delegate")
        people = await absences.candidates(ctx.session, ctx.user)
        buttons = tuple(ctx.button(f"{u.display_name(ctx.locale)} ({ctx.t('role.' + u.role.value)})", self.code, f"d{u.id}") for u in people)
        return [*replies, Choices(ctx.t("away.pick_delegate"), buttons)]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg == "back":
            return await self._back(ctx)
        if arg.startswith("d") and arg[1:].isdigit() and ctx.dialog is not None:
            ctx.goto("until", delegate=int(arg[1:]))
            return [Choices(ctx.t("away.ask_until"), (ctx.button(ctx.t("away.no_end"), self.code, "open"),))]
        if arg == "open" and ctx.dialog is not None:
            return await self._save(ctx, None)
        return [Text(ctx.t("error.action_expired"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if ctx.dialog is None or ctx.dialog.step != "until" or not isinstance(event, TextEvent):
            return self.unexpected(ctx)
        text = event.text.strip()
        return await self._save(ctx, None if text.lower() in OPEN_WORDS else parse_date(text, ctx.today()))

    async def _save(self, ctx: Ctx, until: date | None) -> list[Reply]:
        assert ctx.dialog is not None
        absence = await absences.go_away(ctx.uow, actor=ctx.actor, delegate_id=int(ctx.dialog.data["delegate"]), until=until, today=ctx.today())
        delegate = await ctx.session.get_one(User, absence.delegate_id)
        ctx.finish()
        until_text = ctx.fmt.date(until) if until else ctx.t("away.no_end")
        return [Text(ctx.t("away.set", name=delegate.display_name(ctx.locale), until=until_text))]

    async def _back(self, ctx: Ctx) -> list[Reply]:
        ctx.finish()
        gone = await absences.come_back(ctx.uow, actor=ctx.actor)
        return [Text(ctx.t("away.back" if gone else "away.not_away"))]
