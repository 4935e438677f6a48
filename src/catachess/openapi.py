"""OpenAPI declarations of problem+json error responses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

DESCRIPTIONS = {
    400: "Malformed request (body encoding, header, cursor, idempotency key)",
    401: "Missing or invalid bearer token",
    403: "Your role on this node is too weak",
    404: "Not found, or not readable by you",
    409: "Conflict with the current state (name taken, cycle, request in flight)",
    410: "Gone (expired or revoked)",
    412: "If-Match does not match the current version",
    413: "A size limit was exceeded",
    422: "Invalid input; the body names the field",
    429: "Too many requests (login attempts, heavy requests, export quota); see Retry-After",
    503: "Busy or not ready (database connections, password hashing); see Retry-After",
}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "description": DESCRIPTIONS[status],
            "content": {"application/problem+json": {"schema": Problem.model_json_schema()}},
        }
        for status in statuses
    }


def document_framework_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the problem+json errors FastAPI itself answers, as we actually send them.

    FastAPI documents request validation errors as application/json HTTPValidationError;
    problems.validation_error renders them as problem+json. A body that is not valid
    UTF-8 JSON gets FastAPI's 400 on every operation with a body. Clients (and the fuzz
    gate, tests/fuzz) rely on the schema listing both.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            response = responses.get("422")
            if response is not None and "application/json" in response.get("content", {}):
                responses["422"] = problems(422)[422]
            if "requestBody" in operation and "400" not in responses:
                responses["400"] = problems(400)[400]
            # Every body has a size limit (catachess.bodies), and any request may find
            # every database connection busy (503 + Retry-After).
            if "requestBody" in operation and "413" not in responses:
                responses["413"] = problems(413)[413]
            if "503" not in responses:
                responses["503"] = problems(503)[503]
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    """Serve the schema with document_framework_problems applied (computed once)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_framework_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
