"""Managers review their team's check-ins with distance, verdict and trust signals (/checkins)."""

from __future__ import annotations

from datetime import timedelta

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.messages import Choices, Reply, Text
from core.clock import local_date, start_of_day, zone
from core.models import Role
from core.services.team_visits import TeamVisit, team_check_ins

PERIOD_DAYS = {"today": 0, "week": 6}


class TeamCheckInsFlow(Flow):
    code = "tc"
    commands = ("checkins", "签到记录", "team")
    roles = frozenset({Role.MANAGER, Role.DIRECTOR, Role.ADMIN})

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        return await self._show(ctx, "week" if args.strip().lower() in ("week", "本周") else "today", flagged=False)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        period, _, flagged = arg.partition(":")
        if period not in PERIOD_DAYS:
            return [Text(ctx.t("error.action_expired"))]
        return await self._show(ctx, period, flagged == "f")

    async def _show(self, ctx: Ctx, period: str, flagged: bool) -> list[Reply]:
        tz = zone(ctx.timezone)
        since = start_of_day(local_date(ctx.turn.received_at, tz) - timedelta(days=PERIOD_DAYS[period]), tz)
        rows = await team_check_ins(ctx.session, scope=ctx.me, since=since, flagged_only=flagged)
        other = "week" if period == "today" else "today"
        buttons = (
            ctx.button(ctx.t(f"agenda.{other}"), self.code, f"{other}:{'f' if flagged else ''}", stateless=True),
            ctx.button(ctx.t("team.all" if flagged else "team.flagged_only"), self.code, f"{period}:{'' if flagged else 'f'}", stateless=True),
        )
        header = ctx.t("team.header", period=ctx.t(f"agenda.{period}"), count=len(rows))
        if not rows:
            return [Choices(header + "\n" + ctx.t("team.none"), buttons)]
        return [Text(header + "\n" + "\n".join(self._line(ctx, r) for r in rows)), Choices(ctx.t("team.more"), buttons)]

    def _line(self, ctx: Ctx, row: TeamVisit) -> str:
        v = row.visit
        verdict = ctx.t("team.inside") if v.inside_fence else ctx.t("team.outside")
        flags = ", ".join(ctx.t(f"flag.{f}") for f in v.trust_flags)
        line = f"{'⚠️' if (flags or not v.inside_fence) else '✅'} {ctx.fmt.datetime(v.checked_in_at)} {row.rep.display_name(ctx.locale)} @ {row.customer.name} · {ctx.fmt.distance(v.distance_m)} {verdict}"
        if v.accuracy_m:
            line += f" · ±{ctx.fmt.distance(v.accuracy_m)}"
        if v.speed_kmh is not None:
            line += f" · {ctx.fmt.number(v.speed_kmh)} km/h"
        return line + (f"\n    {flags}" if flags else "")
