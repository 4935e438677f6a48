"""Editing a chapter's PGN tags: what a player may change, checked by PGN's own rules.

The Seven Tag Roster stays (its tags can be changed, never removed); FEN, SetUp and
Variant describe the chapter's start position, which the move tree decides, so they
are not edited by hand. Tag names follow python-chess's TAG_NAME_REGEX.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import chess.pgn

SEVEN_TAG_ROSTER = ("Event", "Site", "Date", "Round", "White", "Black", "Result")
MANAGED = frozenset({"FEN", "SetUp", "Variant"})
RESULTS = frozenset({"1-0", "0-1", "1/2-1/2", "*"})
DATE = re.compile(r"^[0-9?]{4}\.[0-9?]{2}\.[0-9?]{2}\Z")
VALUE_LENGTH = 255
MAX_TAGS = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class HeaderError(ValueError):
    """A tag change refused, naming the tag."""

    def __init__(self, tag: str, message: str) -> None:
        super().__init__(message)
        self.tag = tag


@dataclass(frozen=True)
class HeaderEdit:
    headers: list[list[str]]  # the new ordered [tag, value] pairs
    set: dict[str, str]  # tags added or changed
    removed: list[str]


def edit_headers(current: list[list[str]], changes: Mapping[str, str | None]) -> HeaderEdit:
    """Apply `changes` (a value sets a tag, None removes it) to the ordered tags.

    A changed tag keeps its place; a new one goes after the others.
    """
    tags = {tag: value for tag, value in current}
    changed: dict[str, str] = {}
    removed: list[str] = []
    for tag, value in changes.items():
        _check(tag, value)
        if value is None:
            if tag in tags:
                del tags[tag]
                removed.append(tag)
        elif tags.get(tag) != value:
            tags[tag] = value
            changed[tag] = value
    if len(tags) > MAX_TAGS:
        raise HeaderError("headers", f"a chapter holds at most {MAX_TAGS} tags")
    return HeaderEdit(
        headers=[[tag, value] for tag, value in tags.items()], set=changed, removed=removed
    )


def _check(tag: str, value: str | None) -> None:
    if not chess.pgn.TAG_NAME_REGEX.match(tag):
        raise HeaderError(tag, f"{tag!r} is not a PGN tag name (letters, digits, _+#=:-)")
    if tag in MANAGED:
        raise HeaderError(tag, f"{tag} follows the chapter's start position; it is not edited")
    if value is None:
        if tag in SEVEN_TAG_ROSTER:
            raise HeaderError(tag, f"{tag} is in the Seven Tag Roster: set it to '?', not null")
        return
    if len(value) > VALUE_LENGTH:
        raise HeaderError(tag, f"{tag} is longer than {VALUE_LENGTH} characters")
    if _CONTROL.search(value):
        raise HeaderError(tag, f"{tag} contains a line break or another control character")
    if tag == "Result" and value not in RESULTS:
        raise HeaderError(tag, "Result is one of 1-0, 0-1, 1/2-1/2 and *")
    if tag == "Date" and not DATE.match(value):
        raise HeaderError(tag, "Date is YYYY.MM.DD, with ? for what is unknown (2024.??.??)")
