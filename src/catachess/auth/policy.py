"""What a password must be: 8 to 1,024 characters, not only whitespace, not a common one.

The upper bound keeps Argon2's input (and the request) small; Argon2 itself accepts any
length. The common-password list ships with the package (common_passwords.txt: well-known
entries of public breach top lists and their usual variants) and is compared ignoring
case, since "Password1" is as guessable as "password1".
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator

MIN_LENGTH = 8
MAX_LENGTH = 1024


@lru_cache
def common_passwords() -> frozenset[str]:
    text = resources.files("catachess.auth").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_password(password: str) -> str:
    """`password` unchanged, or ValueError saying what is wrong with it."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValueError(f"must have {MIN_LENGTH} to {MAX_LENGTH} characters")
    if not password.strip():
        raise ValueError("must not be only whitespace")
    if "\x00" in password:
        raise ValueError("must not contain NUL characters")
    if password.lower() in common_passwords():
        raise ValueError("is one of the most common passwords; choose another")
    return password


NewPassword = Annotated[str, AfterValidator(check_password)]
