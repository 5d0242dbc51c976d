"""Notification settings (/settings): time zone, quiet hours, morning digest, muted kinds.

`/settings` shows a card; Edit opens a form (asked field by field where there are no
forms); `/settings tz Europe/Berlin`, `/settings quiet 22:00-07:00`, `/settings digest off`
change one thing directly. Bad values (25:00, Mars/Phobos) get a clear message and
nothing is written.
"""

from __future__ import annotations

from conversations.context import Ctx
from conversations.flow import Flow
from conversations.inbound import Event, FormEvent
from conversations.messages import Card, Choices, Field, Form, FormField, Reply, Text
from core.errors import DomainError
from core.services import notify_prefs
from core.services.notify_prefs import KINDS, Prefs
from core.timeofday import clock_text, parse_optional_clock, parse_span, span_text

WORDS = {
    "tz": "tz", "timezone": "tz", "zone": "tz", "时区": "tz",
    "quiet": "quiet", "免打扰": "quiet", "静音时段": "quiet",
    "digest": "digest", "晨报": "digest", "摘要": "digest",
}


class SettingsFlow(Flow):
    code = "st"
    commands = ("settings", "设置", "prefs", "notifications", "通知")

    async def start(self, ctx: Ctx, args: str) -> list[Reply]:
        word, _, value = args.strip().partition(" ")
        what = WORDS.get(word.lower())
        if what and value.strip():
            await self._apply(ctx, what, value.strip())
            return [Text(ctx.t("settings.saved")), await self.card(ctx)]
        if word:
            return [Text(ctx.t("settings.usage")), await self.card(ctx)]
        return [await self.card(ctx)]

    async def card(self, ctx: Ctx) -> Card:
        prefs = await self._prefs(ctx)
        muted = ", ".join(ctx.t(f"notify.kind.{k}") for k in sorted(prefs.muted)) or ctx.t("settings.none")
        return Card(
            ctx.t("settings.title"),
            (
                Field(ctx.t("settings.timezone"), prefs.timezone),
                Field(ctx.t("settings.quiet"), self._quiet(ctx, prefs)),
                Field(ctx.t("settings.digest"), clock_text(prefs.digest_at) if prefs.digest_at else ctx.t("settings.digest_off")),
                Field(ctx.t("settings.muted"), muted),
            ),
            (
                ctx.button(ctx.t("settings.edit"), self.code, "edit", stateless=True, style="primary"),
                ctx.button(ctx.t("settings.mute_menu"), self.code, "mutes", stateless=True),
            ),
        )

    async def on_action(self, ctx: Ctx, arg: str) -> list[Reply]:
        if arg == "edit":
            ctx.begin(self.code, "form")
            return [await self._form(ctx)]
        if arg == "mutes":
            return [await self._mutes(ctx)]
        if arg.startswith("m:") and arg[2:] in KINDS:
            prefs = await notify_prefs.toggle_mute(ctx.uow, actor=ctx.actor, kind=arg[2:], settings=ctx.deps.settings)
            state = "settings.muted_now" if arg[2:] in prefs.muted else "settings.unmuted_now"
            return [Text(ctx.t(state, kind=ctx.t(f"notify.kind.{arg[2:]}"))), await self._mutes(ctx)]
        return [Text(ctx.t("error.action_expired"))]

    async def on_event(self, ctx: Ctx, event: Event) -> list[Reply]:
        if isinstance(event, FormEvent) and ctx.dialog and ctx.dialog.step == "form":
            return await self._submit(ctx, event.values)
        return self.unexpected(ctx)

    async def _prefs(self, ctx: Ctx) -> Prefs:
        assert ctx.user is not None
        return await notify_prefs.prefs_of(ctx.session, ctx.user, ctx.deps.settings)

    def _quiet(self, ctx: Ctx, prefs: Prefs) -> str:
        return span_text(prefs.quiet).replace("-", "–") if prefs.quiet else ctx.t("settings.quiet_off")

    async def _form(self, ctx: Ctx, errors: tuple[tuple[str, str], ...] = (), values: dict[str, str] | None = None) -> Form:
        prefs = await self._prefs(ctx)
        current = {
            "timezone": prefs.timezone, "quiet": span_text(prefs.quiet), "digest": clock_text(prefs.digest_at),
            **(values or {}),
        }
        return Form(
            ctx.t("settings.title"),
            (
                FormField("timezone", ctx.t("settings.timezone"), value=current["timezone"], hint=ctx.t("settings.timezone_hint")),
                FormField("quiet", ctx.t("settings.quiet"), value=current["quiet"], hint=ctx.t("settings.quiet_hint")),
                FormField("digest", ctx.t("settings.digest"), value=current["digest"], hint=ctx.t("settings.digest_hint")),
            ),
            ctx.button(ctx.t("settings.save"), self.code, "save", style="primary"),
            errors=errors,
        )

    async def _submit(self, ctx: Ctx, values: dict[str, object]) -> list[Reply]:
        given = {name: str(values.get(name) or "").strip() for name in ("timezone", "quiet", "digest")}
        errors: list[tuple[str, str]] = []
        for name, check in (("timezone", notify_prefs.resolve_zone), ("quiet", parse_span), ("digest", parse_optional_clock)):
            try:
                if not given[name]:
                    raise DomainError("error.field_required", field=ctx.t(f"settings.{name}"))
                check(given[name])
            except DomainError as exc:
                errors.append((name, ctx.t(exc.code, **exc.params)))
        if errors:
            return [await self._form(ctx, tuple(errors), given)]
        for what, name in (("tz", "timezone"), ("quiet", "quiet"), ("digest", "digest")):
            await self._apply(ctx, what, given[name])
        ctx.finish()
        return [Text(ctx.t("settings.saved")), await self.card(ctx)]

    async def _apply(self, ctx: Ctx, what: str, value: str) -> None:
        settings = ctx.deps.settings
        if what == "tz":
            await notify_prefs.set_timezone(ctx.uow, actor=ctx.actor, name=value, settings=settings)
        elif what == "quiet":
            await notify_prefs.set_quiet(ctx.uow, actor=ctx.actor, text=value, settings=settings)
        else:
            await notify_prefs.set_digest(ctx.uow, actor=ctx.actor, text=value, settings=settings)

    async def _mutes(self, ctx: Ctx) -> Choices:
        prefs = await self._prefs(ctx)
        buttons = tuple(
            ctx.button(("🔕 " if code in prefs.muted else "🔔 ") + ctx.t(f"notify.kind.{code}"), self.code, f"m:{code}", stateless=True)
            for code, kind in KINDS.items()
            if kind.mutable
        )
        return Choices(ctx.t("settings.mute_prompt"), buttons)
