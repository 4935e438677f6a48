"""NAGs as players write them: numbers ($1..$255) and the symbols of annotated games.

The glyphs are those Lichess draws for each NAG (and python-chess reads `!`, `?`, `!!`,
`??`, `!?`, `?!` as NAGs 1-6); a NAG without a common glyph is shown as `$n`.
"""

from __future__ import annotations

from collections.abc import Iterable

GLYPHS: dict[int, str] = {
    1: "!",
    2: "?",
    3: "!!",
    4: "??",
    5: "!?",
    6: "?!",
    7: "□",
    10: "=",
    13: "∞",
    14: "⩲",
    15: "⩱",
    16: "±",
    17: "∓",
    18: "+−",
    19: "−+",
    22: "⨀",
    23: "⨀",
    32: "⟳",
    33: "⟳",
    36: "→",
    37: "→",
    40: "↑",
    41: "↑",
    132: "⇆",
    133: "⇆",
    138: "⊕",
    139: "⊕",
    140: "∆",
    146: "N",
}

# What people type for a glyph: the glyph itself, and its ASCII spellings.
_TYPED: dict[str, int] = {
    **{glyph: nag for nag, glyph in reversed(GLYPHS.items())},
    "+-": 18,
    "-+": 19,
    "+/-": 16,
    "-/+": 17,
    "+/=": 14,
    "=/+": 15,
    "+=": 14,
    "=+": 15,
    "=/∞": 13,
    "inf": 13,
    "∞": 13,
}


def glyph_of(nag: int) -> str:
    """The symbol of a NAG, or "$n" when it has none."""
    return GLYPHS.get(nag, f"${nag}")


def glyphs_of(nags: Iterable[int]) -> list[str]:
    """The symbols of NAGs, in their order."""
    return [glyph_of(nag) for nag in nags]


def nag_of(value: object) -> int | None:
    """The NAG a number, "$n", "n" or a symbol stands for; None when it stands for none."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if isinstance(value, int):
        return value
    text = value.strip()
    if text in _TYPED:
        return _TYPED[text]
    digits = text[1:] if text.startswith("$") else text
    if digits.isascii() and digits.isdigit() and len(digits) <= 3:
        return int(digits)
    return None
