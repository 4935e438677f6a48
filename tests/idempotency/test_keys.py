"""Reading keys and fingerprinting requests (pure functions)."""

import pytest
from starlette.datastructures import Headers

from catachess.idempotency.errors import InvalidIdempotencyKey
from catachess.idempotency.keys import key_from, request_fingerprint


def test_key_is_read_from_either_header() -> None:
    assert key_from(Headers({"Idempotency-Key": "abc"})) == "abc"
    assert key_from(Headers({"X-Idempotency-Key": "abc"})) == "abc"
    assert key_from(Headers({"Idempotency-Key": "abc", "X-Idempotency-Key": "abc"})) == "abc"
    assert key_from(Headers({})) is None


def test_structured_field_string_key_is_unquoted() -> None:
    assert key_from(Headers({"Idempotency-Key": '"8e03978e"'})) == "8e03978e"
    assert key_from(Headers({"Idempotency-Key": '"a\\"b"'})) == 'a"b'


def test_key_of_255_printable_characters_is_accepted() -> None:
    key = "".join(chr(32 + i % 95) for i in range(255))
    assert key_from(Headers({"Idempotency-Key": key})) == key


@pytest.mark.parametrize(
    "headers",
    [
        {"Idempotency-Key": ""},
        {"Idempotency-Key": "k" * 256},
        {"Idempotency-Key": "clé"},
        {"Idempotency-Key": "tab\there"},
        {"Idempotency-Key": "a", "X-Idempotency-Key": "b"},
    ],
    ids=["empty", "256 chars", "non-ascii", "control char", "headers disagree"],
)
def test_malformed_keys_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidIdempotencyKey):
        key_from(Headers(headers))


def test_fingerprint_ignores_json_key_order_and_whitespace() -> None:
    compact = request_fingerprint("POST", "/nodes", "", b'{"kind":"workspace","name":"W"}')
    spaced = request_fingerprint("POST", "/nodes", "", b'{ "name": "W",\n  "kind": "workspace" }')
    assert compact == spaced


def test_fingerprint_ignores_query_parameter_order() -> None:
    assert request_fingerprint("POST", "/x", "a=1&b=2", b"") == request_fingerprint(
        "POST", "/x", "b=2&a=1", b""
    )


def test_fingerprint_differs_by_method_path_query_and_body() -> None:
    base = request_fingerprint("POST", "/nodes", "", b'{"name":"W"}')
    assert base != request_fingerprint("PUT", "/nodes", "", b'{"name":"W"}')
    assert base != request_fingerprint("POST", "/nodes/1", "", b'{"name":"W"}')
    assert base != request_fingerprint("POST", "/nodes", "x=1", b'{"name":"W"}')
    assert base != request_fingerprint("POST", "/nodes", "", b'{"name":"V"}')
    assert base != request_fingerprint("POST", "/nodes", "", b'{"name":"W","x":null}')


def test_non_json_bodies_are_fingerprinted_raw() -> None:
    pgn = b'[Event "?"]\n\n1. e4 *'
    assert request_fingerprint("POST", "/x", "", pgn) == request_fingerprint("POST", "/x", "", pgn)
    assert request_fingerprint("POST", "/x", "", pgn) != request_fingerprint(
        "POST", "/x", "", pgn + b" "
    )
