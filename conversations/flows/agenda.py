"""The agenda (日程): follow-ups due and tasks for today, this week or this month; close with what was done."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.i18n import labelled
from conversations.inbound import Event, TextEvent
from conversations.messages import Choices, Reply, Text
from core.services import agenda as agenda_service

PERIOD_WORDS = {
    "today": "today", "今天": "today", "今日": "today", "": "today",
    "week": "week", "本周": "week", "这周": "week", "month": "month", "本月": "month", "这个月": "month",
}
MAX_ITEMS = 10


class AgendaFlow(Flow):
    code = "ag"
    commands = ("agenda", "日程", "today", "今天", "todo", "待办")

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        period = PERIOD_WORDS.get(args.strip().lower())
        if period is None:
            return [Text(ctx.t("agenda.bad_period", value=args[:20]))]
        return await self._show(ctx, period)

    async def _show(self, ctx: Ctx, period: str) -> list[Reply]:
        items = await agenda_service.agenda(ctx.session, user_id=ctx.me.user.id, period=period, timezone=ctx.timezone, now=ctx.turn.received_at)
        switch = tuple(
            ctx.button(ctx.t(f"agenda.{p}"), self.code, f"p{p}", stateless=True) for p in agenda_service.PERIODS if p != period
        )
        ref = f"agenda:{ctx.me.user.id}"  # one list per user, whatever its period: a switch may edit it in place
        if not items:
            return [Choices(ctx.t("agenda.empty", period=ctx.t(f"agenda.{period}")), switch, ref=ref)]
        lines = []
        for item in items[:30]:
            mark = "⚠️ " if item.overdue else "• "
            lines.append(f"{mark}{ctx.fmt.date(item.due_at)} {labelled(ctx.t('agenda.kind_' + item.kind), item.title)}")
        header = ctx.t("agenda.header", period=ctx.t(f"agenda.{period}"), count=len(items))
        close = tuple(
            ctx.button(f"✓ {item.title[:28]}", self.code, f"d{item.kind[0]}{item.ref_id}", stateless=True)
            for item in items[:MAX_ITEMS]
        )
        listed = "\n".join([header, *lines, "", ctx.t("agenda.close_prompt")])
        return [Choices(listed, close + switch, ref=ref)]

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg.startswith("p") and arg[1:] in agenda_service.PERIODS:
            return await self._show(ctx, arg[1:])
        if arg.startswith("d") and len(arg) > 2 and arg[2:].isdigit():
            kind = {"f": "follow_up", "t": "task", "v": "task"}.get(arg[1])
            if kind is None:
                return [Text(ctx.t("error.action_expired"))]
            ctx.begin(self.code, "outcome", kind=kind, ref=int(arg[2:]))
            return [Text(ctx.t("agenda.ask_outcome"))]
        return [Text(ctx.t("error.action_expired"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if not (isinstance(event, TextEvent) and ctx.dialog and ctx.dialog.step == "outcome"):
            return self.unexpected(ctx)
        kind, ref = ctx.dialog.data["kind"], int(ctx.dialog.data["ref"])
        if kind == "task":
            task = await agenda_service.complete_task(ctx.uow, actor=ctx.actor, task_id=ref, outcome=event.text)
            ctx.finish()
            return [Text(ctx.t("agenda.task_done", title=task.title))]
        customer = await agenda_service.complete_follow_up(
            ctx.uow, actor=ctx.actor, scope=ctx.me, customer_id=ref, outcome=event.text, timezone=ctx.timezone
        )
        ctx.finish()
        due = ctx.fmt.date(customer.next_contact_at) if customer.next_contact_at else "-"
        return [Text(ctx.t("agenda.follow_up_done", name=customer.name, next=due))]
