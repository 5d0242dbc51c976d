"""What the service desk shows: open tickets, SLA breaches, the dispatch board, the assessment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from conversations.context import Ctx
from conversations.messages import Choices, Reply, Text
from conversations.service.views import DESK_FLOW, skill_label, ticket_line
from core.models import OPEN_TICKET_STATUSES, Customer, EngineerProfile, Role, Ticket, TicketStatus, User
from core.services.dispatch import loads, on_duty
from core.services.ratings import assessment

MAX_ROWS = 12


async def open_rows(ctx: Ctx, *, breached_only: bool) -> list[tuple[Ticket, Customer]]:
    rows = (
        await ctx.session.execute(
            select(Ticket, Customer).join(Customer, Customer.id == Ticket.customer_id)
            .where(Ticket.status.in_(OPEN_TICKET_STATUSES)).order_by(Ticket.resolve_by)
        )
    ).all()
    now, warn = ctx.turn.received_at, timedelta(minutes=ctx.deps.settings.service_sla_warn_minutes)
    if breached_only:
        rows = [r for r in rows if _at_risk(r[0], now, warn)]
    return list(rows)


def _at_risk(ticket: Ticket, now: datetime, warn: timedelta) -> bool:
    deadline = ticket.respond_by if ticket.accepted_at is None else ticket.resolve_by
    return deadline - warn <= now


async def ticket_list(ctx: Ctx, *, breached_only: bool) -> list[Reply]:
    rows = await open_rows(ctx, breached_only=breached_only)
    header = ctx.t("svc.breaches_header" if breached_only else "svc.open_header", count=len(rows))
    if not rows:
        return [Text(header + "\n" + ctx.t("svc.none"))]
    now = ctx.turn.received_at
    names = {u.id: u.display_name(ctx.locale) for u in (await ctx.session.scalars(select(User).where(User.role == Role.ENGINEER))).all()}
    lines = [
        ticket_line(ctx, t, c, now) + f" · {names.get(t.assignee_id or 0, ctx.t('svc.unassigned'))}" for t, c in rows[:MAX_ROWS]
    ]
    buttons = tuple(ctx.button(f"{t.number} {c.name}"[:40], DESK_FLOW, f"o{t.id}", stateless=True) for t, c in rows[:MAX_ROWS])
    return [Text(header + "\n" + "\n".join(lines)), Choices(ctx.t("svc.pick_ticket"), buttons)]


async def board(ctx: Ctx) -> list[Reply]:
    """Each engineer: on duty or not, skills, load, where last seen; then the unassigned tickets."""
    load = await loads(ctx.session)
    rows = (await ctx.session.execute(
        select(User, EngineerProfile).join(EngineerProfile, EngineerProfile.user_id == User.id).where(User.active.is_(True)).order_by(User.id)
    )).all()
    lines = []
    for user, profile in rows:
        duty = ctx.t("svc.on_duty") if profile.available and on_duty(profile, ctx.turn.received_at, ctx.deps.settings.timezone) else ctx.t("svc.off_duty")
        seen = ctx.fmt.datetime(profile.last_seen_at) if profile.last_seen_at else "-"
        skills = ", ".join(skill_label(ctx, s) for s in profile.skills or [])
        lines.append(ctx.t("svc.board_line", name=user.display_name(ctx.locale), duty=duty, skills=skills, load=load.get(user.id, 0), seen=seen))
    new = (await ctx.session.scalars(select(Ticket).where(Ticket.status == TicketStatus.NEW).order_by(Ticket.respond_by))).all()
    replies: list[Reply] = [Text(ctx.t("svc.board_header") + "\n" + ("\n".join(lines) or ctx.t("svc.none")))]
    if new:
        buttons = tuple(ctx.button(ctx.t("svc.a.dispatch") + f" {t.number}", DESK_FLOW, f"dp{t.id}", stateless=True) for t in new[:MAX_ROWS])
        replies.append(Choices(ctx.t("svc.unassigned_header", count=len(new)), buttons))
    return replies


async def assessment_text(ctx: Ctx, days: int = 90) -> list[Reply]:
    """服务工程师考核: e.g. '陈杰 90 % satisfied'."""
    rows = await assessment(ctx.session, since=ctx.turn.received_at - timedelta(days=days))
    lines = []
    for a in rows:
        if not a.resolved and not a.ratings:
            lines.append(ctx.t("svc.assess_none", name=a.engineer.display_name(ctx.locale)))
            continue
        lines.append(ctx.t(
            "svc.assess_line", name=a.engineer.display_name(ctx.locale), resolved=a.resolved,
            response="-" if a.response_minutes is None else ctx.fmt.number(a.response_minutes),
            resolution="-" if a.resolution_hours is None else ctx.fmt.number(a.resolution_hours, 1),
            ratings=a.ratings, satisfied="-" if a.satisfied_pct is None else ctx.fmt.number(a.satisfied_pct),
            stars="-" if a.average_stars is None else ctx.fmt.number(a.average_stars, 1),
        ))
    return [Text(ctx.t("svc.assess_header", days=days) + "\n" + ("\n".join(lines) or ctx.t("svc.none")))]
