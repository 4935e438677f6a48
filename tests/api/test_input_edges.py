"""Inputs found by review that once reached PostgreSQL or Python unchecked (500s):
each must be a 4xx problem now."""

import base64

import httpx
import orjson
import pytest

from tests.factories import a_study, a_user, a_workspace

OVERFLOWING = "0001-01-01T00:00:00+14:00"


def cursor(*key: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (
            "/nodes/{ws}/children",
            {"cursor": cursor("a\x00", "00000000-0000-4000-8000-000000000001")},
        ),
        ("/events", {"cursor": cursor(2**63)}),
        ("/nodes/{ws}/activity", {"cursor": cursor(2**63)}),
        ("/events", {"correlation_id": "a\x00"}),
        ("/events", {"since": OVERFLOWING}),
        ("/events", {"until": "9999-12-31T23:59:59-14:00"}),
        ("/trash", {"cursor": cursor(OVERFLOWING, "00000000-0000-4000-8000-000000000001")}),
        (
            "/discussions",
            {
                "target_id": "{study}",
                "cursor": cursor(True, OVERFLOWING, "00000000-0000-4000-8000-000000000001"),
            },
        ),
    ],
)
async def test_junk_in_query_parameters_is_a_4xx(
    client: httpx.AsyncClient, path: str, params: dict[str, object]
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = await a_study(client, alice, ws)
    ids = {"ws": ws["id"], "study": study["id"]}
    params = {k: str(v).format(**ids) for k, v in params.items()}
    response = await client.get(path.format(**ids), params=params, headers=alice.headers)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_impossible_clock_stays_in_the_comment(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = (
        '[Event "x"]\n\n1. e4 { [%clk '
        + "9" * 400
        + ":00:00] } e5 { [%clk 0:00:"
        + "9" * 400
        + "] } *\n"
    )
    created = await client.post(
        "/studies",
        json={"name": "Clocks", "parent_id": ws["id"], "pgn": pgn},
        headers=alice.headers,
    )
    assert created.status_code == 201, created.text
    study = created.json()["studies"][0]
    chapter = await client.get(
        f"/studies/{study['id']}/chapters/{study['chapters'][0]['id']}", headers=alice.headers
    )
    nodes = list(chapter.json()["tree"]["nodes"].values())
    assert all(node["clock"] is None for node in nodes)
    assert all("[%clk" in node["comment"] for node in nodes)


async def test_malformed_json_names_line_and_column(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    response = await client.post(
        "/nodes",
        content=b'{"kind": "workspace",\n  "name": }',
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["line"], error["column"]) == ("body", 2, 11)
    assert "line 2, column 11" in response.json()["detail"]


async def test_finding_11_an_out_of_range_datetime_in_a_body_is_a_422(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    for value in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        response = await client.post(
            f"/nodes/{ws['id']}/share-links",
            json={"role": "viewer", "expires_at": value},
            headers=alice.headers,
        )
        assert response.status_code == 422, response.text
        assert "expires_at" in response.json()["detail"]
