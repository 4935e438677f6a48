"""Free text that PostgreSQL can store: no NUL characters, no lone surrogates.

PostgreSQL's text types refuse NUL, and UTF-8 has no encoding for a lone surrogate (JSON
lets a client send "\\ud800"); either would fail the INSERT with a 500. This makes it a
422 naming the field instead.
"""

from __future__ import annotations

from pydantic import AfterValidator


def storable(value: str) -> str:
    """`value` unchanged, or ValueError if PostgreSQL could not store it."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


Storable = AfterValidator(storable)
