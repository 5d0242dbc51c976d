"""Long-connection mode (FIELDCHAT_FEISHU_LONG_CONNECTION): Feishu pushes events over a WebSocket
opened by lark-oapi's client, so no public URL is needed.

lark_oapi.ws.client takes an event loop when it is imported and drives it with
run_until_complete, which fails under uvicorn's running loop ("This event loop is already
running"; oapi-sdk-python issues 96, 119, 133). So the client runs in a thread of its own with
a new loop, set as the module's loop before start, and every event crosses to the app's loop
with run_coroutine_threadsafe into the same path as an HTTP event (event-id de-duplication
included). The SDK's handlers are synchronous and run on its loop: a message is handed over
and acknowledged once it is de-duplicated and queued; a card click waits for its answer (toast
and updated card) within the 3 s Feishu allows. lark_oapi (heavy: ~4 s, 175 MB) is imported
only when this mode starts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)
Dispatch = Callable[[dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]]
EVENTS = ("im.message.receive_v1", "application.bot.menu_v6")
HANDOFF_S = 2.0
"""How long the SDK's thread waits for a message to be de-duplicated and queued on the app's loop."""
CARD_ANSWER_S = 2.8
"""A click's answer must reach Feishu within 3 s; the adapter itself answers within 2.5 s."""


class LongConnection:
    def __init__(self, dispatch: Dispatch, *, app_id: str, app_secret: str, domain: str) -> None:
        self.dispatch, self.app_id, self._secret, self.domain = dispatch, app_id, app_secret, domain.rstrip("/")
        self.app_loop: asyncio.AbstractEventLoop | None = None
        self.sdk_loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.client: Any = None

    # -- the handlers lark-oapi calls, on its own thread ----------------------------------
    def handler(self) -> Any:
        """The SDK's dispatcher with our handlers (events arrive decrypted: auth is the connection's)."""
        import lark_oapi as lark  # type: ignore[import-not-found, import-untyped]

        builder = lark.EventDispatcherHandler.builder("", "")
        for event_type in EVENTS:
            builder = builder.register_p2_customized_event(event_type, self.on_event)
        return builder.register_p2_card_action_trigger(self.on_card_action).build()

    def on_event(self, data: Any) -> None:
        """A message or a bot-menu click (lark's CustomizedEvent: the event body stays raw JSON)."""
        header = {k: v for k, v in vars(data.header).items() if v is not None} if data.header else {}
        payload = {"schema": data.schema or "2.0", "header": header, "event": data.event or {}}
        self._hand_over(payload, HANDOFF_S)

    def on_card_action(self, data: Any) -> Any:
        """card.action.trigger: the answer (toast, updated card) goes back over the connection."""
        from lark_oapi.core.json import JSON  # type: ignore[import-not-found, import-untyped]
        from lark_oapi.event.callback.model.p2_card_action_trigger import (  # type: ignore[import-not-found, import-untyped]
            P2CardActionTriggerResponse,
        )

        payload = json.loads(JSON.marshal(data) or "{}")
        return P2CardActionTriggerResponse(self._hand_over(payload, CARD_ANSWER_S))

    def _hand_over(self, payload: dict[str, Any], wait_s: float) -> dict[str, Any]:
        if self.app_loop is None or self.app_loop.is_closed():
            log.warning("feishu long connection: event before start or after stop, dropped")
            return {}
        future = asyncio.run_coroutine_threadsafe(self.dispatch(payload), self.app_loop)
        try:
            return future.result(timeout=wait_s)
        except concurrent.futures.TimeoutError:
            log.warning("feishu long connection: the app took longer than %.1f s; acknowledged anyway", wait_s)
            return {}
        except Exception:
            log.exception("feishu long connection: event failed")
            return {}

    # -- the thread ------------------------------------------------------------------------
    def start(self, app_loop: asyncio.AbstractEventLoop) -> None:
        self.app_loop = app_loop
        self.thread = threading.Thread(target=self._run, name="feishu-long-connection", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.sdk_loop = loop
        try:
            from lark_oapi.ws import client as ws  # type: ignore[import-not-found, import-untyped]

            ws.loop = loop  # the module took whichever loop was current when it was first imported
            self.client = ws.Client(self.app_id, self._secret, event_handler=self.handler(), domain=self.domain)
            self.client.start()
        except (asyncio.CancelledError, RuntimeError):  # stop()
            log.info("feishu long connection stopped")
        except Exception:
            log.exception("feishu long connection failed")
        finally:
            loop.close()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop receiving (no reconnect), close the socket, end the SDK's loop and its thread."""
        loop, thread = self.sdk_loop, self.thread
        if loop is None or thread is None or not thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(_wind_down(self.client), loop).result(timeout_s)
        except (concurrent.futures.TimeoutError, RuntimeError):
            log.warning("feishu long connection: did not wind down within %.0f s", timeout_s)
        thread.join(timeout_s)


async def _wind_down(client: Any) -> None:
    """Cancel the SDK's receive and ping tasks first (a closed socket would make them reconnect),
    close the socket, then end the task its start() waits on, which returns from its thread."""
    current = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not current]
    waiting = [t for t in others if getattr(t.get_coro(), "__name__", "") == "_select"]
    workers = [t for t in others if t not in waiting]
    for task in workers:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    conn = getattr(client, "_conn", None)
    if conn is not None:
        await conn.close()
    for task in waiting:
        task.cancel()
