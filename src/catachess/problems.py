"""Exception handlers: every error leaves as application/problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from catachess import correlation
from catachess.errors import AppError, problem_body
from catachess.ops.middleware import CLIENT_CLOSED_REQUEST

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
POOL_RETRY_AFTER_SECONDS = 2


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem_body(
        status=status, code=code, title=title, detail=detail, instance=request.url.path, **extra
    )
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


async def app_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AppError)
    return problem_response(
        request,
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        headers=error.headers,
        **error.extra,
    )


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def _entry(error: dict[str, Any], body: object) -> dict[str, Any]:
    location = tuple(error.get("loc", ()))
    if error.get("type") != "json_invalid" or len(location) != 2:
        return {"field": _field(location), "message": error.get("msg", "invalid")}
    # Malformed JSON: pydantic's location is ("body", character offset); say where that
    # is as an editor would, line and column (1-based).
    offset = location[1] if isinstance(location[1], int) else 0
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    reason = (error.get("ctx") or {}).get("error") or error.get("msg", "invalid JSON")
    return {
        "field": "body",
        "message": f"invalid JSON at line {line}, column {column}: {reason}",
        "line": line,
        "column": column,
    }


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [_entry(e, error.body) for e in error.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return problem_response(
        request,
        status=422,
        code="validation_failed",
        title="Invalid request",
        detail=detail,
        errors=errors,
    )


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    detail = str(error.detail) if error.detail else "request failed"
    return problem_response(
        request,
        status=error.status_code,
        code=f"http_{error.status_code}",
        title=detail,
        detail=detail,
        headers=dict(error.headers or {}),
    )


async def integrity_error(request: Request, error: Exception) -> JSONResponse:
    # A uniqueness race that a service did not translate: the client may retry.
    log.warning("integrity error on %s: %s", request.url.path, error)
    return problem_response(
        request,
        status=409,
        code="conflict",
        title="Conflict",
        detail="a concurrent change conflicted with this request; retry it",
    )


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path, exc_info=error)
    # Starlette runs this handler outside every middleware, CorrelationMiddleware included.
    correlation_id = request.scope.get("state", {}).get("correlation_id")
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="the server failed to handle this request; nothing was stored",
        headers={correlation.HEADER: correlation_id} if correlation_id else None,
    )


async def pool_exhausted(request: Request, error: Exception) -> JSONResponse:
    # Every pooled connection stayed busy for DB_POOL_TIMEOUT: the process is overloaded,
    # not broken. A 503 with Retry-After tells clients and proxies to come back.
    log.warning("no database connection within the pool timeout on %s", request.url.path)
    return problem_response(
        request,
        status=503,
        code="database_busy",
        title="Service busy",
        detail="every database connection is busy; retry in a moment",
        headers={"Retry-After": str(POOL_RETRY_AFTER_SECONDS)},
    )


async def client_gone(request: Request, error: Exception) -> Response:
    # The client went away before its body was complete (a dropped mobile connection
    # mid-upload): the transaction rolls back, no one reads an answer, and the access log
    # and metrics say 499 (ops.middleware) instead of counting a server error.
    return Response(status_code=CLIENT_CLOSED_REQUEST)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(PoolTimeout, pool_exhausted)
    app.add_exception_handler(ClientDisconnect, client_gone)
    app.add_exception_handler(Exception, unexpected_error)
