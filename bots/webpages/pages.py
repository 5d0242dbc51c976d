"""The signed web pages: check-in by the browser's position, and whole forms, for any chat platform.

A page's answer becomes an ordinary turn of the conversation named in its link (a
`LocationEvent` with source 'web' and the browser's accuracy, or a `FormEvent`), and the
engine's replies are pushed to that chat through the platform's adapter. A link works once,
for a few minutes; a replayed, expired or altered link gets an error page and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bots.base import Adapter, AdapterRegistry, DeliveryError
from bots.webpages import render
from conversations import form_filler
from conversations.context import Deps
from conversations.engine import Engine
from conversations.forms import check_form
from conversations.i18n import normalise_locale, translate
from conversations.inbound import Event, FormEvent, LocationEvent, Turn
from conversations.links import Kind, LinkRejected, PageClaim, PageLinks
from conversations.messages import FormField
from core.clock import local_date, zone
from core.models import utcnow
from core.services import single_use

log = logging.getLogger(__name__)
Token = Annotated[str, Path(min_length=10, max_length=1500)]
MAX_FORM_VALUE = 4000
STATUS = {"tampered": 400, "expired": 410, "used": 410, "closed": 410, "no_chat": 409}


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=1_000_000)


class Refused(Exception):
    """Why a page cannot be acted on, in the reader's language."""

    def __init__(self, reason: str, locale: str) -> None:
        super().__init__(reason)
        self.reason, self.locale = reason, locale

    @property
    def status(self) -> int:
        return STATUS[self.reason]

    def html(self) -> HTMLResponse:
        body = render.message(self.locale, f"page.{self.reason}_title", f"page.{self.reason}_text", error=True)
        return HTMLResponse(body, status_code=self.status)

    def json(self) -> JSONResponse:
        return JSONResponse({"detail": translate(self.locale, f"page.{self.reason}_text")}, status_code=self.status)


class WebPages:
    """Routes under /p/; built by the composition root with the registry the replies go out through."""

    def __init__(self, engine: Engine, deps: Deps, adapters: AdapterRegistry, links: PageLinks) -> None:
        self.engine, self.deps, self.adapters, self.links = engine, deps, adapters, links

    def router(self) -> APIRouter:
        api = APIRouter(prefix="/p", tags=["signed pages"])

        @api.get("/loc/{token}", response_class=HTMLResponse)
        async def checkin_page(token: Token, request: Request) -> HTMLResponse:
            """The check-in page of a signed link (reading it changes nothing)."""
            try:
                claim = await self._usable(token, "loc", request)
            except Refused as refused:
                return refused.html()
            return HTMLResponse(render.checkin(claim.locale))

        @api.post("/loc/{token}")
        async def checkin_post(token: Token, position: PositionIn, request: Request) -> JSONResponse:
            """The browser's position, as a location turn of the link's conversation."""
            try:
                claim = await self._usable(token, "loc", request)
                adapter = self._adapter(claim)
                await self._redeem(claim)
            except Refused as refused:
                return refused.json()
            event = LocationEvent(position.lat, position.lon, position.accuracy_m, live=False, source="web")
            delivered = await self._deliver(claim, adapter, event)
            key = "page.loc_done" if delivered else "page.not_delivered"
            return JSONResponse({"ok": True, "delivered": delivered, "message": translate(claim.locale, key)})

        @api.get("/form/{token}", response_class=HTMLResponse)
        async def form_page(token: Token, request: Request) -> HTMLResponse:
            """The whole form being asked in the chat, with what is answered so far."""
            try:
                claim = await self._usable(token, "form", request)
                title, fields = await self._open_form(claim)
            except Refused as refused:
                return refused.html()
            return HTMLResponse(render.form(claim.locale, title, fields))

        @api.post("/form/{token}", response_class=HTMLResponse)
        async def form_post(token: Token, request: Request) -> HTMLResponse:
            """Checked field by field first (errors shown on the page); then one form turn."""
            try:
                claim = await self._usable(token, "form", request)
                title, fields = await self._open_form(claim)
                adapter = self._adapter(claim)
                values = await self._values(request, fields)
                errors = self._errors(claim, fields, values)
                if errors:
                    return HTMLResponse(render.form(claim.locale, title, fields, values=values, errors=errors), 422)
                await self._redeem(claim)
            except Refused as refused:
                return refused.html()
            delivered = await self._deliver(claim, adapter, FormEvent(dict(values)))
            key = "page.form_done" if delivered else "page.not_delivered"
            return HTMLResponse(render.message(claim.locale, "page.sent_title", key))

        return api

    # -- checks ----------------------------------------------------------------
    async def _usable(self, token: str, kind: Kind, request: Request) -> PageClaim:
        try:
            claim = self.links.verify(token, kind)
        except LinkRejected as rejected:
            raise Refused(rejected.reason, rejected.locale or self._reader_locale(request)) from None
        async with self.deps.sessionmaker() as session:
            if await single_use.redeemed(session, nonce=claim.nonce):
                raise Refused("used", claim.locale)
        return claim

    def _reader_locale(self, request: Request) -> str:
        header = request.headers.get("accept-language", "")
        return normalise_locale(header.split(",")[0]) or self.deps.settings.default_locale

    def _adapter(self, claim: PageClaim) -> Adapter:
        adapter = self.adapters.get(claim.key.platform)
        if adapter is None:
            raise Refused("no_chat", claim.locale)
        return adapter

    async def _open_form(self, claim: PageClaim) -> tuple[str, tuple[FormField, ...]]:
        async with self.deps.sessionmaker() as session:
            dialog = await self.deps.state.load(session, claim.key.storage_key(), utcnow())
        found = form_filler.pending(dialog) if dialog and dialog.instance == claim.instance else None
        if found is None:
            raise Refused("closed", claim.locale)
        return found

    async def _values(self, request: Request, fields: tuple[FormField, ...]) -> dict[str, str]:
        submitted = await request.form(max_files=0, max_fields=len(fields) + 5)
        values: dict[str, str] = {}
        for field in fields:
            raw = submitted.get(field.name)
            values[field.name] = raw[:MAX_FORM_VALUE] if isinstance(raw, str) else ""
        return values

    def _errors(self, claim: PageClaim, fields: tuple[FormField, ...], values: dict[str, str]) -> dict[str, str]:
        today = local_date(utcnow(), zone(self.deps.settings.timezone))
        _, problems = check_form(fields, dict(values), today)
        return {name: translate(claim.locale, code, **params) for name, code, params in problems}

    async def _redeem(self, claim: PageClaim) -> None:
        async with self.deps.sessionmaker() as session:
            fresh = await single_use.redeem(session, nonce=claim.nonce)
            await session.commit()
        if not fresh:
            raise Refused("used", claim.locale)

    # -- the turn ---------------------------------------------------------------
    async def _deliver(self, claim: PageClaim, adapter: Adapter, event: Event) -> bool:
        """Run the turn and push its replies to the chat; False if the chat could not be reached."""
        replies = await self.engine.handle(Turn(claim.key, event, adapter.caps, locale_hint=claim.locale))
        try:
            await adapter.send(claim.key.chat, replies)
        except DeliveryError as exc:
            log.warning("page turn done but replies not delivered to %s: %s", claim.key.platform, exc)
            return False
        return True
