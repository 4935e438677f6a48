"""The pgn package is pure: its tests need no database."""

import pytest


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Overrides the root fixture so no PostgreSQL is started for these tests."""
