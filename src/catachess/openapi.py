"""OpenAPI declarations of problem+json error responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

DESCRIPTIONS = {
    400: "Malformed request (header, cursor, idempotency key)",
    401: "Missing or invalid bearer token",
    403: "Your role on this node is too weak",
    404: "Not found, or not readable by you",
    409: "Conflict with the current state (name taken, cycle, request in flight)",
    410: "Gone (expired or revoked)",
    412: "If-Match does not match the current version",
    413: "A size limit was exceeded",
    422: "Invalid input; the body names the field",
    503: "Not ready: the database does not answer or its schema is not current",
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
