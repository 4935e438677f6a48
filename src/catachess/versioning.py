"""Optimistic concurrency: versions as ETags and If-Match checks (412 on stale)."""

from __future__ import annotations

from catachess.errors import PreconditionFailed


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Pass when If-Match is absent, `*`, or lists the current version's ETag."""
    if if_match is None or if_match.strip() == "*":
        return
    candidates = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if etag(version) not in candidates:
        raise PreconditionFailed(
            f"If-Match {if_match} does not match the current version {etag(version)}; "
            "reload and retry",
            current_etag=etag(version),
        )
