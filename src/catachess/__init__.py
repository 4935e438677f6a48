"""catachess: a self-hostable server for chess-study workspaces."""

__version__ = "0.1.0"
