"""Folding, query parsing and snippets (pure)."""

import pytest

from catachess.search.text import Query, fold, parse_query, snippet_of


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Pure tests: no database."""


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Réti", "reti"),
        ("Michał Krasenkow", "michal krasenkow"),
        ("Ærøskøbing", "æroskobing"),
        ("Nepomniachtchi", "nepomniachtchi"),
        ("İstanbul", "istanbul"),
        ("Straße", "straße"),
        ("Ünzicker\x02", "unzicker "),
    ],
)
def test_fold_strips_accents_one_character_for_one(written: str, folded: str) -> None:
    assert fold(written) == folded
    assert len(fold(written)) == len(written)


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("nepo", Query("", "nepo")),
        ("Réti gamb", Query("reti", "gamb")),
        ('"ding liren" -carlsen', Query('"ding liren" -carlsen', None)),
        ('"ding lir', Query('"ding lir', None)),
        ("najdorf or drag", Query("najdorf or drag", None)),
        ("e4!", Query("e4!", None)),
    ],
)
def test_the_last_word_is_a_prefix_only_when_plainly_typed(typed: str, query: Query) -> None:
    assert parse_query(typed, prefix=True) == query
    assert parse_query(typed, prefix=False) == Query(fold(typed).strip(), None)


def test_snippet_shows_the_original_spelling_with_offsets() -> None:
    snippet = snippet_of("Le début Réti <b>est</b> joli", "debut \x02reti\x03 <b>est")
    assert snippet.text == "début Réti <b>est"
    assert snippet.highlights == [(6, 10)]
    assert snippet.html == "début <mark>Réti</mark> &lt;b&gt;est"
