"""Errors of idempotent requests (rendered as problem+json like every AppError)."""

from __future__ import annotations

from catachess.errors import BadRequest, Conflict, Unprocessable

# Seconds a client should wait before retrying a key whose first request is still running;
# requests are short, so one second is a fair first backoff.
RETRY_AFTER_SECONDS = 1


class InvalidIdempotencyKey(BadRequest):
    code = "invalid_idempotency_key"
    title = "Invalid idempotency key"


class IdempotencyKeyRefused(BadRequest):
    code = "idempotency_key_refused"
    title = "This operation does not accept an idempotency key"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    title = "Idempotency key reused for a different request"


class RequestInFlight(Conflict):
    code = "request_in_flight"
    title = "A request with this idempotency key is still running"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
