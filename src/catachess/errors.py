"""One application error type, rendered once as RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """An error a client can act on; `code` is stable, `detail` is for humans."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class BadRequest(AppError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(AppError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Gone(AppError):
    status = 410
    code = "gone"
    title = "Gone"


class PreconditionFailed(AppError):
    status = 412
    code = "precondition_failed"
    title = "Precondition failed"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class Unprocessable(AppError):
    status = 422
    code = "unprocessable"
    title = "Unprocessable content"


def problem_body(
    *, status: int, code: str, title: str, detail: str, instance: str, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://catachess.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
    }
    body.update(extra)
    return body


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    title = "Too many requests"


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    title = "Service busy"
