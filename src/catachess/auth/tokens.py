"""Opaque bearer tokens: 256 random bits handed out once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from starlette.requests import HTTPConnection


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(request: HTTPConnection) -> str | None:
    """The token of the request's `Authorization: Bearer ...` header, None without one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
