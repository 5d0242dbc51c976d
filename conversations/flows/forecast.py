"""`/forecast`: the weighted pipeline (Σ amount × probability) by month of expected close, with a chart."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from conversations.charts import Bars, cjk_font, render_bars
from conversations.context import Ctx
from conversations.flow import Flow
from conversations.i18n import translate
from conversations.messages import Media, Reply, Text
from core.models import Role
from core.services.opportunities import MonthRow, forecast

VIEWERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN, Role.FINANCE})
MONTHS = 6


class ForecastFlow(Flow):
    code = "fc"
    commands = ("forecast", "预测", "销售预测", "pipeline")
    roles = VIEWERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        rows = await forecast(ctx.session, scope=ctx.me, today=ctx.today(), months=MONTHS)
        weighted = sum((r.weighted for r in rows), Decimal(0))
        if not any(r.count for r in rows):
            return [Text(ctx.t("forecast.none"))]
        lines = [ctx.t("forecast.header", total=ctx.fmt.money(weighted), months=MONTHS)]
        lines += [
            ctx.t("forecast.row", month=self._month(ctx.locale, r), weighted=ctx.fmt.money(r.weighted), count=r.count, amount=ctx.fmt.money(r.amount))
            for r in rows
            if r.count
        ]
        replies: list[Reply] = [Text("\n".join(lines))]
        if ctx.turn.caps.images:
            replies.append(await self._chart(ctx, rows))
        return replies

    async def _chart(self, ctx: Ctx, rows: list[MonthRow]) -> Media:
        """In the user's language when a CJK font is installed, else in English (never empty boxes)."""
        has_cjk = await asyncio.to_thread(lambda: cjk_font() is not None)
        locale = ctx.locale if ctx.locale == "en" or has_cjk else "en"
        bars = Bars(
            title=translate(locale, "forecast.chart_title"),
            labels=[self._month(locale, r) for r in rows],
            values=[float(r.weighted) for r in rows],
            secondary=[float(r.amount) for r in rows],
            legend=(translate(locale, "forecast.weighted"), translate(locale, "forecast.amount")),
            unit=translate(locale, "forecast.unit"),
            scale=10000.0 if locale == "zh-CN" else 1000.0,
        )
        png = await asyncio.to_thread(render_bars, bars)
        return Media("image", "forecast.png", "image/png", png, caption=ctx.t("forecast.caption"))

    def _month(self, locale: str, row: MonthRow) -> str:
        return f"{row.month.year}-{row.month.month:02d}" if locale == "en" else f"{row.month.month}月"
