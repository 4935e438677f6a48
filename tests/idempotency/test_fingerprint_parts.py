"""A request's fingerprint hashes `request.url.path` and `request.url.query`; the claim
reads them from the scope without building the URL (idempotency.http.path_and_query).
Both must agree on every path and query, or a retry after a deploy would be refused as
another request (422)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import URL

from catachess.idempotency.http import path_and_query

TRICKY = "/?#\\\t\r\n%&=; éü€/ \x00\x7f"
paths = st.text(alphabet=st.sampled_from(TRICKY + "ab"), max_size=20).map(lambda p: "/" + p)
queries = st.text(alphabet=st.sampled_from(TRICKY + "ab"), max_size=20).map(str.encode)
hosts = st.sampled_from([None, b"example.org", b"example.org:8443", b"[::1]:80", b"bad host"])


@given(paths, queries, hosts)
def test_the_scope_gives_what_the_url_gives(path: str, query: bytes, host: bytes | None) -> None:
    scope = {
        "type": "http",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "path": path,
        "query_string": query,
        "headers": [(b"host", host)] if host is not None else [],
    }
    url = URL(scope=scope)
    assert path_and_query(scope) == (url.path, url.query)


def test_a_path_that_looks_like_a_host_is_read_as_starlette_reads_it() -> None:
    scope = {"type": "http", "path": "//evil/x", "query_string": b"a=1", "headers": []}
    url = URL(scope=scope)
    assert path_and_query(scope) == (url.path, url.query) == ("/%2Fevil/x", "a=1")
