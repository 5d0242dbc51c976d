"""The rating page: GET shows three star questions and a comment; POST stores them once.

Bad links never reach the database writer: a tampered token is 400, an expired one 410,
a used one 409, each with a page in the customer's language and nothing written.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.i18n import translate
from core.errors import DomainError
from core.events import EventBus
from core.models import Customer
from core.services.ratings import RatingLinks, TokenRejected, rating_target, submit_rating
from core.settings import Settings
from core.uow import UnitOfWork

log = logging.getLogger(__name__)
PAGE = Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))
QUESTIONS = ("attitude", "response", "quality")
STATUS = {"tampered": 400, "expired": 410, "error.rating_used": 409}


class RatingPage:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus, links: RatingLinks, settings: Settings) -> None:
        self.sessionmaker, self.bus, self.links, self.settings = sessionmaker, bus, links, settings

    def router(self) -> APIRouter:
        api = APIRouter(tags=["rating page"])

        @api.get("/rate/{token}", response_class=HTMLResponse, include_in_schema=False)
        async def show(token: str, lang: Annotated[str | None, Query(max_length=10)] = None) -> HTMLResponse:
            try:
                ticket_id, locale = self.links.read(token)
            except TokenRejected as exc:
                return self._rejected(exc, lang, token)
            locale = _locale(lang, locale, self.settings)
            async with self.sessionmaker() as session:
                try:
                    ticket = await rating_target(session, ticket_id)
                except DomainError as exc:
                    return self._message(locale, exc.code, STATUS.get(exc.code, 400), token, **exc.params)
                customer = await session.get_one(Customer, ticket.customer_id)
            return self._form(locale, token, ticket.number, customer.name)

        @api.post("/rate/{token}", response_class=HTMLResponse, include_in_schema=False)
        async def submit(
            token: str,
            attitude: Annotated[int, Form(ge=1, le=5)],
            response: Annotated[int, Form(ge=1, le=5)],
            quality: Annotated[int, Form(ge=1, le=5)],
            comment: Annotated[str, Form(max_length=4000)] = "",
            lang: Annotated[str | None, Form(max_length=10)] = None,
        ) -> HTMLResponse:
            try:
                ticket_id, locale = self.links.read(token)
            except TokenRejected as exc:
                return self._rejected(exc, lang, token)
            locale = _locale(lang, locale, self.settings)
            try:
                async with UnitOfWork(self.sessionmaker, self.bus) as uow:
                    await submit_rating(
                        uow, ticket_id=ticket_id, attitude=attitude, response=response, quality=quality, comment=comment,
                        locale=locale, low=self.settings.service_low_rating,
                    )
                    await uow.commit()
            except DomainError as exc:
                return self._message(locale, exc.code, STATUS.get(exc.code, 400), token, **exc.params)
            return self._message(locale, "rate.thanks", 200, token)

        return api

    def _rejected(self, exc: TokenRejected, asked: str | None, token: str) -> HTMLResponse:
        linked = str(exc.claim[1]) if exc.claim and len(exc.claim) > 1 else None
        return self._message(_locale(asked, linked, self.settings), f"rate.{exc.reason}", STATUS[exc.reason], token)

    def _form(self, locale: str, token: str, number: str, customer: str) -> HTMLResponse:
        t = _t(locale)
        groups = "".join(_stars(t, q) for q in QUESTIONS)
        body = (
            f'<h1 data-testid="rate-title">{t("rate.title")}</h1>'
            f'<div class="sub">{html.escape(customer)} · {t("rate.ticket", number=html.escape(number))}</div>'
            f'<form method="post" data-testid="rate-form">{groups}'
            f'<fieldset><legend>{t("rate.comment")}</legend><textarea name="comment" maxlength="1000" data-testid="rate-comment"></textarea></fieldset>'
            f'<input type="hidden" name="lang" value="{locale}">'
            f'<button type="submit" data-testid="rate-submit">{t("rate.submit")}</button></form>'
        )
        return self._page(locale, token, body, 200)

    def _message(self, locale: str, key: str, status: int, token: str, **params: object) -> HTMLResponse:
        cls = "msg" if status == 200 else "msg err"
        body = f'<div class="{cls}" data-testid="rate-message">{html.escape(translate(locale, key, **params))}</div>'
        return self._page(locale, token, body, status)

    def _page(self, locale: str, token: str, body: str, status: int) -> HTMLResponse:
        other = "en" if locale == "zh-CN" else "zh-CN"
        switch = f'<a href="/rate/{html.escape(token)}?lang={other}" data-testid="rate-lang">{"English" if other == "en" else "中文"}</a>'
        page = PAGE.substitute(lang=locale, title=html.escape(translate(locale, "rate.title")), switch=switch, body=body)
        return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


Escaped = Callable[..., str]


def _t(locale: str) -> Escaped:
    """Catalog texts, HTML-escaped, in one language."""
    return lambda key, **params: html.escape(translate(locale, key, **params))


def _stars(t: Escaped, question: str) -> str:
    options = "".join(
        f'<input type="radio" id="{question}{n}" name="{question}" value="{n}" required data-testid="rate-{question}-{n}-input">'
        f'<label for="{question}{n}" title="{n}" data-testid="rate-{question}-{n}">★</label>'
        for n in range(5, 0, -1)
    )
    return f'<fieldset><legend>{t("rate.q." + question)}</legend><div class="stars">{options}</div></fieldset>'


def _locale(asked: str | None, linked: str | None, settings: Settings) -> str:
    for value in (asked, linked):
        if value in ("zh-CN", "en"):
            return value
    return settings.default_locale
