"""`POST /api/v1/telemetry`: a machine's batch of readings, idempotent on (serial, metric, ts).

Answers 200 with counts (accepted, duplicate, rejected with a reason per reading) and the
tickets a threshold opened; 400 for a body that is not a JSON list, 401 without a valid
key, 413 over the batch or size limit. Input never causes a 5xx; a database that is
briefly unavailable gives 503 with Retry-After, so the machine sends the batch again.

Annotations are evaluated eagerly here (no postponed annotations): FastAPI must see the
key dependency that the router factory builds in its own scope.
"""

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import PermissionDenied
from core.events import EventBus
from core.models import utcnow
from core.services.telemetry import Policy, ingest
from core.settings import Settings
from core.uow import UnitOfWork

log = logging.getLogger(__name__)
BYTES_PER_READING = 400


class Rejected(BaseModel):
    index: int
    reason: str
    """malformed, value_not_number, value_not_finite, ts_invalid, ts_in_future, unknown_serial, unknown_metric."""
    serial: str | None = None
    metric: str | None = None


class TelemetryOut(BaseModel):
    accepted: int
    duplicate: int
    rejected: int
    errors: list[Rejected]
    tickets: list[str]
    """Numbers of repair tickets opened by readings over their threshold."""


def telemetry_router(sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus, settings: Settings) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["telemetry"])
    policy = Policy.from_settings(settings)
    limit = settings.telemetry_max_batch

    @api.post("/telemetry", response_model=TelemetryOut, responses={400: {}, 401: {}, 413: {}, 503: {}})
    async def telemetry(request: Request, authorization: Annotated[str | None, Header(max_length=300)] = None) -> Any:
        """A batch `[{"serial", "metric", "value", "ts"}]` (ts: ISO 8601 or epoch seconds), with
        `Authorization: Bearer <key>` of a key with the `telemetry` scope."""
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return _unauthorized("send the API key as 'Authorization: Bearer <key>'")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit * BYTES_PER_READING:
            return _problem(413, f"body over {limit * BYTES_PER_READING} bytes")
        body = await request.body()
        if len(body) > limit * BYTES_PER_READING:
            return _problem(413, f"body over {limit * BYTES_PER_READING} bytes")
        try:
            items = json.loads(body)
        except (ValueError, RecursionError):
            return _problem(400, "the body is not JSON")
        if isinstance(items, dict) and isinstance(items.get("readings"), list):
            items = items["readings"]
        if not isinstance(items, list):
            return _problem(400, "send a JSON list of readings")
        if len(items) > limit:
            return _problem(413, f"at most {limit} readings per batch; split it")
        try:
            async with UnitOfWork(sessionmaker, bus) as uow:  # the key is checked with the serials, in one query
                result = await ingest(uow, items=items, policy=policy, now=utcnow(), key=key.strip())
                await uow.commit()
        except PermissionDenied:
            return _unauthorized("unknown or revoked API key, or not allowed the 'telemetry' scope")
        except DBAPIError as exc:
            log.warning("telemetry batch not stored: %s", type(exc.orig).__name__)
            return JSONResponse({"detail": "database busy, send the batch again"}, status_code=503, headers={"Retry-After": "5"})
        return {
            "accepted": result.accepted, "duplicate": result.duplicate, "rejected": len(result.rejected),
            "errors": result.rejected, "tickets": result.tickets,
        }

    return api


def _unauthorized(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)
