"""New lead (线索): one free-text message or a guided form → duplicate warning → saved and assigned."""

from __future__ import annotations

from dataclasses import asdict

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.forms import check_form
from conversations.inbound import Event, FormEvent, TextEvent
from conversations.messages import Action, Card, Choices, Field, Form, FormField, Reply, Text
from core.errors import InvalidInput
from core.models import LeadSource, User
from core.search.duplicates import find_duplicates
from core.services import leads
from core.services.lead_parse import LeadDraft, parse_lead_text

DRAFT_FIELDS = ("company_name", "contact_name", "phone", "email", "need", "source")


class LeadFlow(Flow):
    code = "ld"
    commands = ("lead", "newlead", "线索", "新线索")

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        if not ctx.me.can_create_lead():
            return [Text(ctx.t("error.permission"))]
        ctx.begin(self.code, "text")
        if args:
            return await self._review(ctx, parse_lead_text(args))
        form = ctx.button(ctx.t("lead.use_form"), self.code, "form")
        return [Choices(ctx.t("lead.intro"), (form, self._cancel(ctx)))]

    def _cancel(self, ctx: Ctx) -> Action:
        return ctx.button(ctx.t("button.cancel"), "x", "cancel", stateless=True, style="danger")

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        step = ctx.dialog.step if ctx.dialog else None
        if isinstance(event, TextEvent) and step in ("text", "review"):
            return await self._review(ctx, parse_lead_text(event.text))
        if isinstance(event, FormEvent) and step == "form":
            return await self._from_form(ctx, event.values)
        return self.unexpected(ctx)

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        assert ctx.dialog is not None
        if arg == "form":
            ctx.goto("form")
            return [self._form(ctx, self._draft(ctx))]
        if arg == "save":
            return await self._save(ctx)
        return [Text(ctx.t("error.action_expired"))]

    def _draft(self, ctx: Ctx) -> LeadDraft:
        raw = ctx.dialog.data.get("draft") if ctx.dialog else None
        return LeadDraft(**raw) if raw else LeadDraft()

    def _form(self, ctx: Ctx, draft: LeadDraft, errors: tuple[tuple[str, str], ...] = ()) -> Form:
        sources = tuple((s.value, ctx.t(f"lead_source.{s.value}")) for s in LeadSource)
        return Form(
            ctx.t("lead.form_title"),
            (
                FormField("company_name", ctx.t("lead.company"), value=draft.company_name),
                FormField("contact_name", ctx.t("lead.contact"), required=False, value=draft.contact_name),
                FormField("phone", ctx.t("lead.phone"), "phone", required=False, value=draft.phone),
                FormField("email", ctx.t("lead.email"), "email", required=False, value=draft.email),
                FormField("need", ctx.t("lead.need"), "textarea", required=False, value=draft.need),
                FormField("source", ctx.t("lead.source"), "choice", options=sources, value=draft.source),
            ),
            ctx.button(ctx.t("lead.check"), self.code, "check", style="primary"),
            errors=errors,
        )

    async def _from_form(self, ctx: Ctx, values: dict[str, object]) -> list[Reply]:
        form = self._form(ctx, self._draft(ctx))
        clean, errors = check_form(form.fields, values, ctx.today())
        if errors:
            return [self._form(ctx, self._draft(ctx), tuple((f, ctx.t(c, **p)) for f, c, p in errors))]
        draft = LeadDraft(**{k: clean.get(k) for k in DRAFT_FIELDS if k != "source"}, source=clean.get("source") or "exhibition")
        return await self._review(ctx, draft)

    async def _review(self, ctx: Ctx, draft: LeadDraft) -> list[Reply]:
        """Validate, look for duplicates, and show what will be saved."""
        try:
            clean = leads.validate(draft)
        except InvalidInput as exc:
            ctx.goto("form", draft=asdict(draft))
            return [Text(ctx.t(exc.code, **exc.params)), self._form(ctx, draft)]
        ctx.goto("review", draft=asdict(clean))
        duplicates = await find_duplicates(
            ctx.session, company=clean.company_name, phone=clean.phone, email=clean.email, search=ctx.deps.search
        )
        fields = [
            Field(ctx.t("lead.company"), clean.company_name or "-"),
            Field(ctx.t("lead.contact"), clean.contact_name or "-"),
            Field(ctx.t("lead.phone"), clean.phone or "-"),
            Field(ctx.t("lead.email"), clean.email or "-"),
            Field(ctx.t("lead.need"), clean.need or "-"),
            Field(ctx.t("lead.source"), ctx.t(f"lead_source.{clean.source}")),
        ]
        if duplicates:
            rows = "\n".join(ctx.t(f"dup.{d.kind}", label=d.label, reason=ctx.t(f"dup.reason_{d.reason}")) for d in duplicates[:6])
            fields.append(Field(ctx.t("lead.duplicates"), rows))
        save_label = ctx.t("lead.save_anyway" if duplicates else "lead.save")
        actions = (
            ctx.button(save_label, self.code, "save", style="danger" if duplicates else "primary"),
            ctx.button(ctx.t("lead.edit"), self.code, "form"),
            self._cancel(ctx),
        )
        title = ctx.t("lead.review_dup" if duplicates else "lead.review")
        return [Card(title, tuple(fields), actions)]

    async def _save(self, ctx: Ctx) -> list[Reply]:
        lead, assignment = await leads.create_lead(ctx.uow, actor=ctx.actor, scope=ctx.me, draft=self._draft(ctx))
        ctx.finish()
        who: User = assignment.user
        reasons = "、".join(ctx.t(r) for r in assignment.reasons) if ctx.locale == "zh-CN" else ", ".join(ctx.t(r) for r in assignment.reasons)
        return [Text(ctx.t("lead.saved", company=lead.company_name, assignee=who.display_name(ctx.locale), reasons=reasons))]
