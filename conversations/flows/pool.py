"""The public pool (公海): pool customers near me or by region; claim; release."""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.i18n import labelled
from conversations.inbound import Event, LocationEvent
from conversations.messages import AskLocation, Choices, Reply, Text
from conversations.pickers import hit_label
from core.models import Customer, Role
from core.services import pool

PAGE = 8
POOL_USERS = frozenset({Role.REP, Role.MANAGER, Role.DIRECTOR, Role.ADMIN})


class PoolFlow(Flow):
    code = "pl"
    commands = ("pool", "公海")
    roles = POOL_USERS

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        ctx.begin(self.code, "menu")
        buttons = (
            ctx.button(ctx.t("pool.near_me"), self.code, "near"),
            ctx.button(ctx.t("pool.by_region"), self.code, "regions"),
        )
        return [Choices(ctx.t("pool.intro"), buttons)]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if isinstance(event, LocationEvent) and ctx.dialog and ctx.dialog.step == "near":
            point = event.point()
            radius = ctx.deps.settings.nearby_radius_m * 5
            hits = await ctx.deps.search.nearby(ctx.session, scope=ctx.me, point=point, radius_m=radius, pool_only=True, limit=PAGE)
            ctx.finish()
            if not hits:
                return [Text(ctx.t("pool.none_near", radius=ctx.fmt.distance(radius)))]
            buttons = tuple(ctx.button(labelled(ctx.t('pool.claim'), hit_label(ctx, h)), self.code, f"cl{h.customer.id}", stateless=True) for h in hits)
            return [Choices(ctx.t("pool.near_list", count=len(hits)), buttons)]
        return self.unexpected(ctx)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg == "near":
            ctx.goto("near")
            page = ctx.deps.location_page
            return [AskLocation(ctx.t("pool.ask_location"), web_url=page(ctx.turn.key, ctx.locale) if page else None)]
        if arg == "regions":
            regions = await pool.pool_regions(ctx.session)
            if not regions:
                return [Text(ctx.t("pool.empty"))]
            buttons = tuple(ctx.button(f"{r} ({n})", self.code, f"rg{r}|0", stateless=True) for r, n in regions[:12])
            return [Choices(ctx.t("pool.pick_region"), buttons)]
        if arg.startswith("rg"):
            region, _, offset = arg[2:].partition("|")
            return await self._region(ctx, region, int(offset) if offset.isdigit() else 0)
        if arg.startswith("cl") and arg[2:].isdigit():
            return await self._claim(ctx, int(arg[2:]))
        if arg.startswith("rl") and arg[2:].isdigit():
            customer = await ctx.session.get(Customer, int(arg[2:]))
            if customer is None:
                return [Text(ctx.t("error.customer_unknown"))]
            ctx.begin(self.code, "release", customer_id=customer.id)
            buttons = (
                ctx.button(ctx.t("pool.release_confirm"), self.code, f"yes{customer.id}", style="danger"),
                ctx.button(ctx.t("button.cancel"), "x", "cancel", stateless=True),
            )
            return [Choices(ctx.t("pool.release_ask", name=customer.name), buttons)]
        if arg.startswith("yes") and arg[3:].isdigit():
            customer = await pool.release(ctx.uow, actor=ctx.actor, scope=ctx.me, customer_id=int(arg[3:]))
            ctx.finish()
            return [Text(ctx.t("pool.released", name=customer.name))]
        return [Text(ctx.t("error.action_expired"))]

    async def _region(self, ctx: Ctx, region: str, offset: int) -> list[Reply]:
        customers = await pool.pool_by_region(ctx.session, region=region[:20], limit=PAGE + 1, offset=offset)
        if not customers:
            return [Text(ctx.t("pool.empty"))]
        buttons = [
            ctx.button(labelled(ctx.t('pool.claim'), f"{c.name} · {c.city or ''}"), self.code, f"cl{c.id}", stateless=True)
            for c in customers[:PAGE]
        ]
        if len(customers) > PAGE:
            buttons.append(ctx.button(ctx.t("button.more"), self.code, f"rg{region}|{offset + PAGE}", stateless=True))
        return [Choices(ctx.t("pool.region_list", region=region), tuple(buttons))]

    async def _claim(self, ctx: Ctx, customer_id: int) -> list[Reply]:
        settings = ctx.deps.settings
        customer = await pool.claim(
            ctx.uow, actor=ctx.actor, customer_id=customer_id, cap=settings.pool_claim_cap, timezone=ctx.timezone,
            cooldown_days=settings.pool_reclaim_cooldown_days,
        )
        due = ctx.fmt.date(customer.next_contact_at) if customer.next_contact_at else "-"
        open_card = ctx.button(ctx.t("pool.open_card"), "cu", f"v:{customer.id}", stateless=True)
        return [Choices(ctx.t("pool.claimed", name=customer.name, next=due), (open_card,))]
