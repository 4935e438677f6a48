"""Where command output goes: Rich consoles for the `catachess` commands."""

from __future__ import annotations

import sys

from rich.console import Console

# In a pipe or a file Rich assumes 80 columns and folds or cuts table cells; output
# read by scripts and `grep` keeps whole lines instead.
_PIPE_WIDTH = 4096


def stdout_console() -> Console:
    """A console on stdout: the terminal's width, or unbounded lines in a pipe."""
    return Console() if sys.stdout.isatty() else Console(width=_PIPE_WIDTH)


def stderr_console() -> Console:
    """A console on stderr (progress, errors): the terminal's width, or whole lines."""
    if sys.stderr.isatty():
        return Console(stderr=True)
    return Console(stderr=True, width=_PIPE_WIDTH)
