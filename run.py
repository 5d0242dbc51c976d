"""FieldChat's command line: serve (default) | console | worker | sweep | deliver | migrate | demo | bind-code | login-link | apikey."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from typing import Any

from core.settings import Settings


def _settings() -> Settings:
    return Settings()


def _moment(text: str) -> datetime:
    """--at: an ISO time ('2026-12-01T08:00+08:00'); without an offset it is in FIELDCHAT_TIMEZONE."""
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO time like 2026-12-01T08:00+08:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(_settings().timezone))


async def _notifier() -> Any:
    from bootstrap import build

    container = await build(_settings())
    assert container.notifier is not None
    return container


async def _close(container: Any) -> None:
    for adapter in container.adapters:
        await adapter.stop()
    await container.db.dispose()


async def _worker(args: argparse.Namespace) -> None:
    container = await _notifier()
    s = container.settings
    print(f"FieldChat worker: rule sweeps every {s.notify_sweep_seconds:g} s, delivery every {s.notify_poll_seconds:g} s "
          "(no web server); Ctrl-C stops it", flush=True)
    try:
        await container.notifier.run_forever()
    finally:
        await _close(container)


async def _sweep(args: argparse.Namespace) -> None:
    from zoneinfo import ZoneInfo

    from core.models import utcnow
    from notifications.service import describe_sweep

    container = await _notifier()
    at = args.at or utcnow()
    try:
        print(describe_sweep(await container.notifier.sweep(at), at, ZoneInfo(container.settings.timezone)))
    finally:
        await _close(container)


async def _deliver(args: argparse.Namespace) -> None:
    from zoneinfo import ZoneInfo

    from core.models import utcnow
    from notifications.service import describe_delivery

    if args.at and not args.once:
        raise SystemExit("run.py deliver: --at needs --once (the loop always delivers as of now)")
    container = await _notifier()
    try:
        if args.once:
            at = args.at or utcnow()
            print(describe_delivery(await container.notifier.deliver(at), at, ZoneInfo(container.settings.timezone)))
        else:
            print(f"FieldChat delivery loop every {container.settings.notify_poll_seconds:g} s; Ctrl-C stops it", flush=True)
            await container.notifier.run_forever(sweeps=False)
    finally:
        await _close(container)


async def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from bootstrap import build, create_app

    settings = _settings()
    container = await build(settings)
    app = create_app(container)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"FieldChat is running: http://{host}:{port}/  (API docs: http://{host}:{port}/docs)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=settings.log_level.lower()))
    await server.serve()
    await container.db.dispose()


async def _console(args: argparse.Namespace) -> None:
    from bootstrap import build
    from bots.console.adapter import ConsoleAdapter

    container = await build(_settings())
    adapter = container.adapters.get("console")
    assert isinstance(adapter, ConsoleAdapter)
    try:
        await adapter.run(args.user)
    finally:
        await container.db.dispose()


async def _migrate(args: argparse.Namespace) -> None:
    from core.db import make_engine
    from core.migrate import current_revision, upgrade

    engine = make_engine(_settings().database_url)
    await upgrade(engine)
    print(f"database at revision {await current_revision(engine)}")
    await engine.dispose()


async def _demo(args: argparse.Namespace) -> None:
    from bootstrap import load_demo_if_empty
    from core.db import make_engine, make_sessionmaker
    from core.migrate import upgrade

    settings = _settings()
    engine = make_engine(settings.database_url)
    if args.reset:
        from core.models import Base

        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    await upgrade(engine)
    loaded = await load_demo_if_empty(make_sessionmaker(engine), settings)
    print("demo data loaded" if loaded else "the database already has data (use --reset to wipe it and reload)")
    await engine.dispose()


async def _bind_code(args: argparse.Namespace) -> None:
    from core.db import make_engine, make_sessionmaker
    from core.events import EventBus
    from core.services.identities import create_binding_code
    from core.uow import UnitOfWork

    engine = make_engine(_settings().database_url)
    async with UnitOfWork(make_sessionmaker(engine), EventBus()) as uow:
        code = await create_binding_code(uow, actor=None, login=args.user)
        await uow.commit()
    print(f"binding code for {args.user}: {code}  (valid 72 hours, one use; send it to the bot)")
    await engine.dispose()


async def _login_link(args: argparse.Namespace) -> None:
    from bootstrap import build

    settings = _settings()
    container = await build(settings)
    from conversations.local import sign_in

    token = container.webchat.sessions.for_login(args.user.strip().lower())
    chat = container.webchat.sessions.chat_of(token)
    assert chat is not None
    await sign_in(container.deps, container.webchat.key(chat), args.user)
    print(f"{settings.base_url}/?session={token}")
    await container.db.dispose()


async def _apikey(args: argparse.Namespace) -> None:
    """Machine and ERP keys: create (printed once, stored hashed), list, revoke."""
    from core.db import make_engine, make_sessionmaker
    from core.migrate import upgrade
    from core.services import apikeys

    engine = make_engine(_settings().database_url)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as session:
        if args.action == "create":
            row, plain = await apikeys.create_key(session, name=args.name, scopes=args.scope)
            print(f"API key {row.id} '{row.name}' ({row.scopes}): {plain}")
            print("Store it now: it is shown only this once. Send it as 'Authorization: Bearer <key>'.")
        elif args.action == "revoke":
            for row in await apikeys.revoke_key(session, ref=args.key):
                print(f"revoked API key {row.id} '{row.name}' ({row.prefix}…)")
        else:
            for row in await apikeys.list_keys(session):
                state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
                print(f"{row.id:>4}  {row.name:<20} {row.prefix}…  {row.scopes:<20} created {row.created_at:%Y-%m-%d}  {state}")
        await session.commit()
    await engine.dispose()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run.py", description="FieldChat CRM")
    sub = p.add_subparsers(
        dest="command", metavar="{serve,console,worker,sweep,deliver,migrate,demo,bind-code,login-link,apikey}"
    )
    serve = sub.add_parser("serve", help="run the server: web chat, API, adapters (the default)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--user", required=True, help="login of the CRM user to chat as (e.g. rep)")
    sub.add_parser("worker", help="rule sweeps and notification delivery, without the web server")
    sweep = sub.add_parser("sweep", help="run every reminder rule once and print what it queued per kind")
    sweep.add_argument("--at", type=_moment, help="as of this time, e.g. 2026-12-01T08:00+08:00 (default: now)")
    deliver = sub.add_parser("deliver", help="deliver due notifications (--once: what is due now, then exit)")
    deliver.add_argument("--once", action="store_true", help="deliver what is due and print the counts")
    deliver.add_argument("--at", type=_moment, help="with --once: as of this time (default: now)")
    sub.add_parser("migrate", help="create or upgrade the database schema")
    demo = sub.add_parser("demo", help="load the demo data into an empty database")
    demo.add_argument("--reset", action="store_true", help="wipe every table first")
    bind = sub.add_parser("bind-code", help="create a one-time binding code for a user")
    bind.add_argument("--user", required=True)
    link = sub.add_parser("login-link", help="print a web chat link signed in as a user")
    link.add_argument("--user", required=True)
    keys = sub.add_parser("apikey", help="API keys for machines (telemetry), the ERP (tickets) and admins (outbox)")
    key_actions = keys.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="create a key; it is printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", action="append", required=True, choices=["telemetry", "tickets", "outbox"], help="repeatable")
    revoke = key_actions.add_parser("revoke", help="revoke by id, name or prefix")
    revoke.add_argument("key")
    key_actions.add_parser("list", help="every key with its state (never the key itself)")
    return p


COMMANDS = {
    "serve": _serve, "console": _console, "migrate": _migrate, "demo": _demo,
    "bind-code": _bind_code, "login-link": _login_link,
    "apikey": _apikey, "worker": _worker, "sweep": _sweep, "deliver": _deliver,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = args.command or "serve"
    if command == "serve" and not hasattr(args, "host"):
        args.host, args.port = None, None
    logging.basicConfig(level=_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(COMMANDS[command](args))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        from core.errors import DomainError

        if isinstance(exc, DomainError):
            print(f"error: {exc.code} {exc.params}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
