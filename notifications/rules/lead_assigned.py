"""Lead assigned (线索分配): the rep a lead was assigned to hears at once, with the lead's details.

Written by a subscriber to `LeadAssigned`, in the transaction that assigned the lead, so
the notice exists exactly when the assignment does. Someone assigning a lead to
themselves is not told what they just did.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import Action, Card, Field
from core.events import LeadAssigned
from core.models import Lead, User, utcnow
from notifications.compose import Composer, Recipient
from notifications.outbox import OutboxItem, enqueue
from notifications.rules.base import Rule

KIND = "lead_assigned"


def handler(composer: Composer) -> Callable[[AsyncSession, LeadAssigned], Awaitable[None]]:
    async def on_assigned(session: AsyncSession, event: LeadAssigned) -> None:
        lead = await session.get(Lead, event.lead_id)
        if lead is None or lead.created_by_id == event.assignee_id:
            return
        recipients = await composer.recipients(session, [event.assignee_id])
        to = recipients.get(event.assignee_id)
        if to is None:
            return
        creator = await session.get(User, lead.created_by_id) if lead.created_by_id else None
        await enqueue(session, [item(lead, event, to, creator)])

    return on_assigned


def item(lead: Lead, event: LeadAssigned, to: Recipient, creator: User | None) -> OutboxItem:
    v = to.voice
    reasons = ", ".join(v.t(code) for code in event.reason.split(",") if code) or "-"
    fields = [
        Field(v.t("lead.contact"), lead.contact_name or "-"),
        Field(v.t("lead.phone"), lead.phone or "-"),
        Field(v.t("lead.need"), (lead.need or "-")[:300]),
        Field(v.t("lead.source"), v.t(f"lead_source.{lead.source.value}")),
        Field(v.t("notify.lead_assigned.why"), reasons),
    ]
    if creator is not None:
        fields.append(Field(v.t("notify.lead_assigned.by"), creator.display_name(v.locale)))
    actions: list[Action] = [v.button(v.t("menu.agenda"), "ag", "ptoday", style="primary")]
    if lead.phone:
        actions.append(Action(v.t("notify.lead_assigned.call"), url=f"tel:{lead.phone}"))
    now = utcnow()
    return OutboxItem(
        user_id=to.user.id, kind=KIND, dedupe_key=f"{KIND}:{lead.id}:{to.user.id}", due_at=now,
        send_after=to.send_time(now, routine=False),
        summary=v.t("notify.lead_assigned.summary", company=lead.company_name), ref_id=lead.id,
        replies=(Card(v.t("notify.lead_assigned.title", company=lead.company_name), tuple(fields), tuple(actions),
                      ref=f"lead:{lead.id}"),),
    )


RULE = Rule(KIND)
