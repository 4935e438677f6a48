"""What python-chess reads past without a word, found so that an import can refuse it.

python-chess skips malformed tag lines and any movetext it cannot tokenise, and ignores
a ')' without '(' (an unclosed '(' or '{' quietly swallows the rest). These checks look
at one game's raw lines; they interpret no move (python-chess alone reads moves).
"""

from __future__ import annotations

import re

import chess.pgn

from catachess.pgn.errors import PgnError

# Longest token quoted back in an error message; the line number locates the rest.
_MAX_TOKEN_CHARS = 40


def quote(token: str) -> str:
    """The first line of `token`, shortened, for an error message."""
    token = token.strip().split("\n", 1)[0].rstrip()
    return token if len(token) <= _MAX_TOKEN_CHARS else token[:_MAX_TOKEN_CHARS] + "..."


# Characters no stored text may hold: PostgreSQL text and JSONB refuse NUL, and a lone
# surrogate (which a JSON body can smuggle in as "\ud800") is not encodable as UTF-8.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_characters(lines: list[str], first_line: int, number: int) -> PgnError | None:
    """The first character that cannot be stored (NUL, a lone surrogate)."""
    for index, line in enumerate(lines):
        found = UNSTORABLE.search(line)
        if found:
            token = f"U+{ord(found.group()):04X}"
            return PgnError(
                f"invalid character {token}",
                code="invalid_character",
                game_number=number,
                line=first_line + index,
                token=token,
            )
    return None


def check_tags(lines: list[str], first_line: int, number: int) -> PgnError | None:
    """A tag line python-chess cannot read (it skips those silently)."""
    for index, line in enumerate(lines):
        line = line.lstrip("\ufeff")
        if line.startswith("[") and not chess.pgn.TAG_REGEX.match(line):
            return PgnError(
                f'broken tag "{quote(line)}"',
                code="broken_tag",
                game_number=number,
                line=first_line + index,
                token=quote(line),
            )
    return None


# The movetext as tokens: python-chess's own token pattern (MOVETEXT_REGEX) plus what it
# skips on purpose (comments, escape lines) and what PGN writers put between moves (move
# numbers, "e.p.", "1/2", the stray dots of "1 .d4"); `other` takes any remaining run of
# non-space characters, so only whitespace goes unmatched. What lands in `other` is text
# python-chess would drop without a word; we refuse it instead. This pass interprets
# nothing: moves are still read and checked by python-chess alone.
_MOVETEXT_TOKEN = re.compile(
    r"""
    (?P<comment>\{[^}]*\}?)
    |(?P<rest>;[^\n]*)
    |(?P<escape>^%[^\n]*)
    |(?P<open>\()
    |(?P<close>\))
    |(?P<known>"""
    + chess.pgn.MOVETEXT_REGEX.pattern
    + r""")
    |(?P<skipped>1/2|\d+\.*|e\.p\.|\.+)
    |(?P<other>[^\s(){;]+)
    """,
    re.VERBOSE | re.MULTILINE,
)
# Left-over punctuation (check signs, "+-", "=") carries nothing python-chess keeps;
# letters, digits, brackets and quotes mean real text was lost.
_GARBAGE = re.compile(r"[A-Za-z0-9{}\[\]\"]")


def check_movetext(lines: list[str], first_line: int, number: int) -> PgnError | None:
    """The first unbalanced parenthesis, unterminated comment or stray text."""
    text = "".join(lines)
    found = _first_movetext_problem(text)
    if found is None:
        return None
    offset, code, message, token = found
    line = first_line + text.count("\n", 0, offset)
    return PgnError(message, code=code, game_number=number, line=line, token=quote(token))


def _first_movetext_problem(text: str) -> tuple[int, str, str, str] | None:
    """(offset, code, message, token) of the first problem in a game's movetext."""
    opened: list[int] = []
    for match in _MOVETEXT_TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "known" or kind == "skipped":
            continue
        token = match.group()
        if kind == "open":
            opened.append(match.start())
        elif kind == "close" and opened:
            opened.pop()
        elif kind == "close":
            return match.start(), "unbalanced_parentheses", "')' without '('", token
        elif kind == "comment" and not token.endswith("}"):
            return match.start(), "unterminated_comment", "'{' never closed", token
        elif kind == "other" and _GARBAGE.search(token):
            what = "tag in movetext (no blank line before it?)" if token[0] == "[" else "text"
            return match.start(), "garbage", f'unexpected {what} "{quote(token)}"', token
    if opened:
        return opened[-1], "unbalanced_parentheses", "'(' never closed", "("
    return None
