"""The composition root: settings, database, conversation engine, adapters, HTTP app."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bots.base import AdapterRegistry
from bots.console.adapter import ConsoleAdapter
from bots.webchat.adapter import WebChatAdapter
from bots.webpages.pages import WebPages
from conversations.build import build_engine
from conversations.context import Deps
from conversations.engine import Engine
from conversations.links import PageLinks
from conversations.state import SqlStateStore
from conversations.tokens import TokenCodec
from core.db import make_engine, make_sessionmaker
from core.events import EventBus
from core.migrate import current_revision, upgrade
from core.search.indexed import IndexedSearch
from core.services.ratings import RatingLinks
from core.services.secrets import ensure_secret
from core.settings import Settings
from integrations.api.outbox import outbox_router
from integrations.api.telemetry import telemetry_router
from integrations.api.tickets import tickets_router
from integrations.rating.router import RatingPage
from notifications.service import Notifier

log = logging.getLogger("fieldchat")


@dataclass
class Container:
    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    deps: Deps
    engine: Engine
    adapters: AdapterRegistry
    secret: bytes
    links: PageLinks
    """Signed check-in and form page links; their routes are built in `create_app`."""
    notifier: Notifier | None = None
    """Sweeps and delivery; started with the app when FIELDCHAT_NOTIFY_IN_PROCESS is on."""

    @property
    def webchat(self) -> WebChatAdapter:
        adapter = self.adapters.get("webchat")
        assert isinstance(adapter, WebChatAdapter)
        return adapter


async def load_demo_if_empty(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> bool:
    from core.demo.generate import load_demo

    async with sessionmaker() as session:
        loaded = await load_demo(session, timezone=settings.timezone)
        await session.commit()
    if loaded:
        log.info("demo data loaded")
    return loaded


async def build(settings: Settings | None = None, *, migrate: bool = True, db: AsyncEngine | None = None) -> Container:
    """Everything FieldChat needs, wired; `db` lets tests share one engine across builds."""
    settings = settings or Settings()
    db = db or make_engine(settings.database_url)
    if migrate:
        await upgrade(db)
    sessionmaker = make_sessionmaker(db)
    if settings.demo:
        await load_demo_if_empty(sessionmaker, settings)
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    secret = await ensure_secret(sessionmaker, configured)
    links = PageLinks(secret, settings.base_url, timedelta(minutes=settings.page_link_ttl_minutes))
    search = IndexedSearch(db, refresh_ms=settings.search_refresh_ms, candidates=settings.search_candidates)
    await search.warm()
    deps = Deps(
        settings=settings,
        sessionmaker=sessionmaker,
        bus=EventBus(),
        search=search,
        codec=TokenCodec(secret),
        state=SqlStateStore(),
        rating_page=RatingLinks(secret, settings.base_url, timedelta(days=settings.service_rating_days)).url,
        location_page=links.location_url,
        form_page=links.form_url,
    )
    engine = build_engine(deps)
    adapters = AdapterRegistry()
    adapters.add(WebChatAdapter(engine, deps, secret))
    adapters.add(ConsoleAdapter(engine, deps))
    if settings.slack_enabled:
        from bots.slack.adapter import SlackAdapter  # slack_bolt is loaded only when Slack is configured

        adapters.add(SlackAdapter(engine, deps, settings))
    if settings.wecom_enabled:
        from bots.wecom.adapter import WeComAdapter  # loaded only when WeCom is configured

        adapters.add(WeComAdapter(engine, deps, settings))
    if settings.feishu_enabled:
        from bots.feishu.adapter import FeishuAdapter  # own crypto and httpx; lark_oapi is never imported

        adapters.add(FeishuAdapter(engine, deps, settings))
    if settings.dingtalk_enabled:
        from bots.dingtalk.adapter import DingTalkAdapter  # dingtalk_stream is imported only on start

        adapters.add(DingTalkAdapter(engine, deps, settings))
    if settings.telegram_token is not None:
        from bots.telegram import create_adapter  # aiogram is loaded only when Telegram is configured

        adapters.add(create_adapter(engine, deps, secret))
    notifier = Notifier(
        sessionmaker=sessionmaker, bus=deps.bus, settings=settings, codec=deps.codec, senders=adapters
    )
    notifier.subscribe()
    return Container(settings, db, sessionmaker, deps, engine, adapters, secret, links, notifier)


def settle_memory() -> None:
    """A long-running server: what exists after start-up stays; freeze it out of the garbage collector
    and collect the young generation less often, so that collections stay short under load (measured
    by benchmarks/slack_commands.py: Slack's acks must come back within 3 s)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_app(container: Container) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for adapter in container.adapters:
            await adapter.start()
        settle_memory()
        notifier = container.notifier if container.settings.notify_in_process else None
        if notifier is not None:
            notifier.start()
        try:
            yield
        finally:
            if notifier is not None:
                notifier.stop()
            for adapter in container.adapters:
                await adapter.stop()

    app = FastAPI(
        title="FieldChat CRM",
        version="0.1.0",
        description="Chat and messaging-bot front end for a manufacturing CRM.",
        lifespan=lifespan,
    )
    app.state.container = container

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> JSONResponse:
        """Liveness and the database's status (200 when it answers, 503 when it does not)."""
        body: dict[str, Any] = {"status": "ok", "dialect": container.db.dialect.name}
        try:
            async with container.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
            body["database"] = "ok"
            body["revision"] = await current_revision(container.db)
            return JSONResponse(body)
        except Exception as exc:  # any driver error means "not reachable"
            log.warning("health check: database unreachable: %s", type(exc).__name__)
            body.update(status="degraded", database="unreachable")
            return JSONResponse(body, status_code=503)

    for adapter in container.adapters:
        router = adapter.router()
        if router is not None:
            app.include_router(router)
    app.include_router(outbox_router(container.sessionmaker))
    app.include_router(WebPages(container.engine, container.deps, container.adapters, container.links).router())
    settings = container.settings
    ratings = RatingLinks(container.secret, settings.base_url, timedelta(days=settings.service_rating_days))
    app.include_router(RatingPage(container.sessionmaker, container.deps.bus, ratings, settings).router())
    app.include_router(telemetry_router(container.sessionmaker, container.deps.bus, settings))
    app.include_router(tickets_router(container.sessionmaker))
    return app
