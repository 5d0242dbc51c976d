"""Leads (线索): capture with duplicate check, distribution by rules, a follow-up task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import InvalidInput, PermissionDenied
from core.events import LeadAssigned, LeadCreated
from core.models import Lead, LeadSource, LeadStatus, Role, Task, TaskKind, TaskStatus, User, utcnow
from core.permissions import Scope
from core.services.lead_parse import LeadDraft, normalise_email, normalise_phone
from core.uow import Actor, UnitOfWork

REGION_OF_PLACE = {
    "苏州": "华东", "上海": "华东", "无锡": "华东", "常州": "华东", "南京": "华东", "昆山": "华东", "杭州": "华东",
    "宁波": "华东", "嘉兴": "华东", "南通": "华东", "合肥": "华东", "北京": "华北", "天津": "华北", "青岛": "华北",
    "济南": "华北", "广州": "华南", "深圳": "华南", "东莞": "华南", "佛山": "华南", "成都": "西南", "重庆": "西南",
    "武汉": "华中", "长沙": "华中", "郑州": "华中", "西安": "西北", "沈阳": "东北", "大连": "东北",
}
PRODUCT_LINES = {
    "水泵": ("泵", "pump"), "电机": ("电机", "马达", "motor"), "压缩机": ("压缩机", "空压", "compressor"),
    "阀门": ("阀", "valve"), "传动": ("减速", "齿轮", "reducer", "gear"),
}
MAX_FIELD = 300


@dataclass(frozen=True)
class Assignment:
    user: User
    reasons: tuple[str, ...]
    """Message codes with what decided it: region, expertise, performance, load."""


def guess_region(*texts: str | None) -> str | None:
    for text in texts:
        for place, region in REGION_OF_PLACE.items():
            if text and place in text:
                return region
    return None


def product_lines(text: str | None) -> set[str]:
    lowered = (text or "").lower()
    return {line for line, words in PRODUCT_LINES.items() if any(w in lowered for w in words)}


def validate(draft: LeadDraft) -> LeadDraft:
    """Clean a draft, raising InvalidInput with the field that is wrong."""
    company = (draft.company_name or "").strip()
    if not company:
        raise InvalidInput("error.lead_company_missing")
    if len(company) > 200:
        raise InvalidInput("error.too_long", limit=200)
    if not draft.phone and not draft.email:
        raise InvalidInput("error.lead_reach_missing")
    try:
        source = LeadSource(draft.source)
    except ValueError:
        raise InvalidInput("error.lead_source", value=draft.source) from None
    return LeadDraft(
        company_name=company,
        contact_name=(draft.contact_name or "").strip()[:100] or None,
        phone=normalise_phone(draft.phone) if draft.phone else None,
        email=normalise_email(draft.email) if draft.email else None,
        need=(draft.need or "").strip()[:MAX_FIELD * 6] or None,
        source=source.value,
        region=draft.region or guess_region(company, draft.need),
    )


async def choose_assignee(session: AsyncSession, draft: LeadDraft, creator: User) -> Assignment:
    """Score active reps: same region +3, product expertise +2, conversion rate +2, open leads −0.2 each."""
    reps = list((await session.scalars(select(User).where(User.role == Role.REP, User.active.is_(True)))).all())
    if not reps:
        return Assignment(creator, ("lead.reason_creator",))
    stats = await session.execute(
        select(Lead.assignee_id, Lead.status, func.count()).group_by(Lead.assignee_id, Lead.status)
    )
    won: dict[int, int] = {}
    total: dict[int, int] = {}
    open_: dict[int, int] = {}
    for uid, status, n in stats.all():
        if uid is None:
            continue
        total[uid] = total.get(uid, 0) + n
        if status == LeadStatus.CONVERTED:
            won[uid] = won.get(uid, 0) + n
        if status in (LeadStatus.NEW, LeadStatus.ASSIGNED, LeadStatus.CONTACTED):
            open_[uid] = open_.get(uid, 0) + n
    lines = product_lines(f"{draft.need} {draft.company_name}")

    def score(rep: User) -> tuple[float, list[str]]:
        reasons: list[str] = []
        points = 0.0
        if draft.region and rep.region == draft.region:
            points += 3
            reasons.append("lead.reason_region")
        expertise = {e.strip() for e in (rep.expertise or "").split(",") if e.strip()}
        if lines & expertise:
            points += 2
            reasons.append("lead.reason_expertise")
        rate = won.get(rep.id, 0) / total[rep.id] if total.get(rep.id) else 0.0
        points += 2 * rate
        if rate >= 0.3:
            reasons.append("lead.reason_performance")
        points -= 0.2 * open_.get(rep.id, 0)
        if rep.id == creator.id:
            points += 0.5
        return points, reasons

    ranked = sorted(reps, key=lambda r: (-score(r)[0], r.id))
    best = ranked[0]
    reasons = score(best)[1] or ["lead.reason_load"]
    return Assignment(best, tuple(reasons))


async def create_lead(uow: UnitOfWork, *, actor: Actor, scope: Scope, draft: LeadDraft) -> tuple[Lead, Assignment]:
    if not scope.can_create_lead():
        raise PermissionDenied()
    clean = validate(draft)
    assignment = await choose_assignee(uow.session, clean, actor.user)
    lead = Lead(
        source=LeadSource(clean.source),
        company_name=clean.company_name or "",
        contact_name=clean.contact_name,
        phone=clean.phone,
        email=clean.email,
        need=clean.need,
        region=clean.region,
        status=LeadStatus.ASSIGNED,
        assignee_id=assignment.user.id,
        created_by_id=actor.user.id,
        assignment_reason=",".join(assignment.reasons),
    )
    uow.session.add(lead)
    await uow.session.flush()
    uow.session.add(
        Task(
            user_id=assignment.user.id,
            created_by_id=actor.user.id,
            kind=TaskKind.FOLLOW_UP,
            title=f"{clean.company_name} · {clean.contact_name or ''}".strip(" ·"),
            due_at=utcnow() + timedelta(days=1),
            priority=1,
            lead_id=lead.id,
            status=TaskStatus.OPEN,
        )
    )
    uow.audit(actor, "lead.create", "lead", lead.id, assignee=assignment.user.id)
    uow.record(LeadCreated(lead.id, actor.user.id))
    uow.record(LeadAssigned(lead.id, assignment.user.id, ",".join(assignment.reasons)))
    return lead, assignment
