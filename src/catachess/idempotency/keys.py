"""Pure helpers: reading the key headers, fingerprinting a request, deriving lock keys."""

from __future__ import annotations

import hashlib
import uuid

import orjson
from starlette.datastructures import Headers

from catachess.idempotency.errors import InvalidIdempotencyKey

KEY_HEADER = "idempotency-key"
# The seed's header name, kept as an alias for its clients.
ALIAS_HEADER = "x-idempotency-key"
MAX_KEY_LENGTH = 255


def key_from(headers: Headers) -> str | None:
    """The request's idempotency key, None without one; 400 when malformed or contradictory.

    A key is 1-255 printable ASCII characters (0x20-0x7E). The IETF draft sends it as a
    structured-field string ("..."); the quotes are removed, so `"abc"` and `abc` are
    the same key.
    """
    values = [
        _unquote(value) for name in (KEY_HEADER, ALIAS_HEADER) for value in headers.getlist(name)
    ]
    if not values:
        return None
    if len(set(values)) > 1:
        raise InvalidIdempotencyKey(
            "Idempotency-Key and X-Idempotency-Key carry different values; send one key",
            field="Idempotency-Key",
        )
    key = values[0]
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(
            f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters, this one has {len(key)}",
            field="Idempotency-Key",
        )
    if not all(" " <= char <= "~" for char in key):
        raise InvalidIdempotencyKey(
            "an idempotency key is printable ASCII only (0x20-0x7E)", field="Idempotency-Key"
        )
    return key


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def canonical_body(body: bytes) -> bytes:
    """JSON re-serialised with sorted keys and no whitespace; other bodies unchanged."""
    if not body:
        return b""
    try:
        return b"json:" + orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        return b"raw:" + body


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """sha256 hex of method, path, query (parameter order ignored) and canonical body."""
    digest = hashlib.sha256()
    digest.update(method.upper().encode())
    digest.update(b"\n")
    digest.update(path.encode())
    digest.update(b"?")
    digest.update("&".join(sorted(query.split("&"))).encode() if query else b"")
    digest.update(b"\n")
    digest.update(canonical_body(body))
    return digest.hexdigest()


def auto_key(fingerprint: str) -> str:
    """The derived key of an unkeyed write: its fingerprint (the scope adds the user)."""
    return f"auto:{fingerprint}"


def scope_digest(user_id: uuid.UUID, operation: str, key: str) -> bytes:
    """sha256 of the full (user, operation, key) triple: names locks and cache entries."""
    return hashlib.sha256(f"{user_id}\n{operation}\n{key}".encode()).digest()


def lock_key(digest: bytes) -> int:
    """A signed 64-bit key for pg_try_advisory_xact_lock.

    A collision with another key (or another lock user) is a 2^-64 event whose only
    effect is a spurious 409 that the client retries.
    """
    return int.from_bytes(digest[:8], "big", signed=True)
