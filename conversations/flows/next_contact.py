"""The 'next contact' form field shared by check-out and visit logging."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from conversations.context import Ctx
from conversations.messages import FormField
from core.clock import start_of_day, zone
from core.models import Customer, CustomerGrade


async def next_contact_field(ctx: Ctx, customer: Customer) -> FormField:
    grade = await ctx.session.get_one(CustomerGrade, customer.grade_code)
    default = ctx.today() + timedelta(days=grade.follow_up_days)
    hint = ctx.t("checkout.next_contact_hint", days=grade.follow_up_days, date=ctx.fmt.date(default))
    return FormField("next_contact", ctx.t("checkout.next_contact"), "date", required=False, hint=hint)


def to_moment(ctx: Ctx, iso: str | None) -> datetime | None:
    """A picked local date → its local midnight in UTC; None keeps the grade's rhythm."""
    if not iso:
        return None
    picked = date.fromisoformat(iso)
    if picked <= ctx.today():
        from core.errors import InvalidInput

        raise InvalidInput("error.date_not_future")
    return start_of_day(picked, zone(ctx.timezone))
