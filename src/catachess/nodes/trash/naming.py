"""Deterministic names for a restored node whose old name a live sibling now has (pure)."""

from __future__ import annotations

MAX_NAME_LENGTH = 200  # nodes.name is String(200)
# Room for the longest suffix generated in practice, so every candidate starts with the
# stem and one prefix query finds every sibling a candidate could clash with.
SUFFIX_ROOM = len(" (restored 1000000)")


def search_stem(name: str) -> str:
    """The prefix shared by `name` and all its restored variants."""
    return name[: MAX_NAME_LENGTH - SUFFIX_ROOM]


def restored_name(name: str, taken: set[str]) -> str:
    """`name` if free, else "name (restored)", "name (restored 2)", … (case-insensitive).

    `taken` holds the lower-cased names of live siblings starting with search_stem(name).
    A name too long for a suffix is shortened so the result still fits the column.
    """
    if name.lower() not in taken:
        return name
    number = 1
    while True:
        suffix = " (restored)" if number == 1 else f" (restored {number})"
        candidate = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
        number += 1
