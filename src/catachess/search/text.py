"""Text folding and query building for search (pure: no SQL, no HTTP).

The embedded PostgreSQL has no `unaccent` extension, so accents are folded here, in
Python, on both sides: what is indexed and what is asked. The fold maps every character
to exactly one character ("Réti" -> "reti", "Michał" -> "michal"), so a position in the
folded text is the same position in the original, which lets a snippet highlighted on
the folded text be shown in the original spelling.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import escape

# Letters whose accent is not a combining mark (NFD leaves them whole).
_EXTRA = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "Ŀ": "l",
        "ŧ": "t",
        "Ŧ": "t",
    }
)

# Marks ts_headline puts around a hit; never present in folded text (fold blanks them).
START, STOP = "\x02", "\x03"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char < "\x80":
        return " " if char in (START, STOP, "\x00") else char.lower()
    base = unicodedata.normalize("NFD", char)[0].translate(_EXTRA)
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


def fold(value: str) -> str:
    """`value` lower-cased without accents, one character for each character."""
    if value.isascii():
        return value.lower().replace(START, " ").replace(STOP, " ")
    return "".join(_fold_char(char) for char in value)


_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Query:
    """What to hand PostgreSQL: a websearch query and an optional last word as a prefix."""

    websearch: str  # folded text for websearch_to_tsquery ("" for none)
    prefix: str | None  # folded word to match as a prefix (search-as-you-type)


def parse_query(q: str, *, prefix: bool) -> Query:
    """The folded query; with `prefix`, its last word matches any word starting with it."""
    folded = fold(q).strip()
    if not prefix:
        return Query(folded, None)
    words = list(_WORD.finditer(folded))
    if not words or words[-1].end() != len(folded):
        return Query(folded, None)
    last = words[-1]
    before = folded[: last.start()]
    # A negated word ("-berlin") or one inside an open quote stays as typed.
    if before.endswith("-") or before.count('"') % 2 or not (before == "" or before[-1].isspace()):
        return Query(folded, None)
    if before.split()[-1:] == ["or"]:  # "a or b": b stays an alternative, not a prefix
        return Query(folded, None)
    return Query(before.rstrip(), last.group())


@dataclass(frozen=True)
class Snippet:
    text: str  # a fragment of the original text
    highlights: list[tuple[int, int]]  # [start, end) offsets of the hits in `text`

    @property
    def html(self) -> str:
        parts: list[str] = []
        at = 0
        for start, end in self.highlights:
            parts += [
                escape(self.text[at:start]),
                "<mark>",
                escape(self.text[start:end]),
                "</mark>",
            ]
            at = end
        parts.append(escape(self.text[at:]))
        return "".join(parts)


def snippet_of(original: str, headline: str) -> Snippet:
    """The fragment ts_headline chose in the folded text, shown in the original spelling.

    `headline` is ts_headline's output over fold(original) with START/STOP around hits.
    """
    plain: list[str] = []
    highlights: list[tuple[int, int]] = []
    opened: int | None = None
    for char in headline:
        if char == START:
            opened = len(plain)
        elif char == STOP and opened is not None:
            highlights.append((opened, len(plain)))
            opened = None
        else:
            plain.append(char)
    fragment = "".join(plain)
    at = fold(original).find(fragment)
    text = original[at : at + len(fragment)] if at >= 0 else fragment
    return Snippet(text=text, highlights=highlights)
