"""The API fuzz gate: schemathesis generates requests for every operation in the OpenAPI
schema and sends them to the app on real PostgreSQL, authenticated, with path parameters
often pointing at real seeded rows so requests get past the 404 and reach the logic.

Every response must be free of 5xx, match the declared schema and content type, and every
error must be application/problem+json. New endpoints are covered automatically; give
their path parameters real values in `seeded_values` when they name a new kind of row.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catachess.app import create_app
from catachess.config import Settings
from catachess.openapi import Problem

# ~20 operations today; the parameterless ones exhaust after a few cases, so this gives
# well over MIN_TOTAL_CASES. Raise FUZZ_CASES_PER_OPERATION for a deeper local run.
CASES_PER_OPERATION = int(os.environ.get("FUZZ_CASES_PER_OPERATION", "90"))
# The gate replays the same cases on every run; FUZZ_RANDOM=1 explores new ones locally.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") != "1"
MIN_TOTAL_CASES = 1_000
PASSWORD = "fuzzing password"
SEED_PGN = '[Event "Fuzz"]\n\n1. e4 c5 (1... e5 2. Nf3 {main} Nc6) 2. Nf3 d6 $1 3. d4 *\n'


def problem_json_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error is application/problem+json with the fields of catachess.openapi.Problem."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type == "application/problem+json", f"error with {content_type!r}"
    body = Problem.model_validate_json(response.content)
    assert body.status == response.status_code, "problem status differs from the HTTP status"
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,  # every status an endpoint answers is declared in its responses
    response_schema_conformance,
    content_type_conformance,
    problem_json_errors,
]


@dataclass
class Seed:
    """Real rows the fuzzer's path parameters can point at, and the caller's token."""

    headers: dict[str, str]
    values: dict[str, list[str]] = field(default_factory=dict)

    def choices(self, name: str) -> list[str]:
        # parent_id and unknown *_id names (new endpoints) get real node ids to try.
        return self.values.get(name) or self.values["node_id"]


def register(client: asgi.ASGIClient, name: str) -> tuple[str, dict[str, str]]:
    email = f"{name}@fuzz.example"
    body = {"email": email, "password": PASSWORD, "display_name": name}
    user = client.post("/auth/register", json=body)
    assert user.status_code == 201, user.text
    login = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    return user.json()["id"], {"Authorization": f"Bearer {login.json()['access_token']}"}


def seeded_values(client: asgi.ASGIClient) -> Seed:
    """An owner with a workspace/folder/study, a second user sharing it, a share link."""
    owner_id, headers = register(client, "owner")
    friend_id, _ = register(client, "friend")
    nodes: dict[str, str] = {}
    parent: str | None = None
    for kind in ("workspace", "folder", "study"):
        body = {"kind": kind, "name": f"fuzz {kind}", "parent_id": parent}
        created = client.post("/nodes", json=body, headers=headers)
        assert created.status_code == 201, created.text
        nodes[kind] = parent = created.json()["id"]
    shared = client.post(
        f"/nodes/{nodes['folder']}/shares",
        json={"user_id": friend_id, "role": "viewer"},
        headers=headers,
    )
    assert shared.status_code == 201, shared.text
    link = client.post(
        f"/nodes/{nodes['workspace']}/share-links", json={"role": "viewer"}, headers=headers
    )
    assert link.status_code == 201, link.text
    study = client.post(
        "/studies",
        json={"name": "fuzz games", "parent_id": nodes["folder"], "pgn": SEED_PGN},
        headers=headers,
    )
    assert study.status_code == 201, study.text
    study_id = study.json()["studies"][0]["id"]
    chapter_id = study.json()["studies"][0]["chapters"][0]["id"]
    chapter = client.get(f"/studies/{study_id}/chapters/{chapter_id}", headers=headers).json()
    move_ids = list(chapter["tree"]["nodes"])
    thread = client.post(
        "/discussions",
        json={
            "study_id": study_id,
            "chapter_id": chapter_id,
            "move_id": move_ids[0],
            "title": "fuzz",
            "body": "why this move?",
        },
        headers=headers,
    )
    assert thread.status_code == 201, thread.text
    export = client.post("/exports", json={"node_id": nodes["folder"]}, headers=headers)
    assert export.status_code == 201, export.text
    events = client.get("/events", params={"target_id": study_id}, headers=headers).json()
    return Seed(
        headers=headers,
        values={
            "node_id": [*nodes.values(), study_id],
            "study_id": [study_id, nodes["study"]],
            "chapter_id": [chapter_id],
            "move_id": move_ids[:3],
            "thread_id": [thread.json()["id"]],
            "post_id": [post["id"] for post in thread.json()["posts"]],
            "export_id": [export.json()["id"]],
            "event_id": [event["event_id"] for event in events["items"][:2]],
            "correlation_id": [event["correlation_id"] for event in events["items"][:2]],
            "user_id": [owner_id, friend_id],
            "link_id": [link.json()["id"]],
            "token": [link.json()["token"]],
        },
    )


@pytest.fixture
def fuzzed_app(settings: Settings) -> Iterator[tuple[schemathesis.BaseSchema, Seed]]:
    app = create_app(settings, migrate_on_start=False)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    try:
        with asgi.get_client(app) as client:
            seed = seeded_values(client)
        yield schema, seed
    finally:
        # schemathesis keeps the app's lifespan (engine, pool) running until told otherwise.
        asgi.shutdown_lifespans()


def point_at_real_rows(case: Any, seed: Seed, rng: random.Random) -> None:
    """Replace generated ids (path parameters, `*_id` body fields) with seeded ones."""
    for name in list(case.path_parameters or {}):
        case.path_parameters[name] = rng.choice(seed.choices(name))
    if isinstance(case.body, dict):
        for name in [key for key in case.body if key.endswith("_id")]:
            if name in ("parent_id", "study_id") or name in seed.values:
                case.body[name] = rng.choice(seed.choices(name))


def fuzz(operation: Any, seed: Seed) -> int:
    """Run one operation's generated cases; returns how many were sent."""
    sent = 0
    strategy = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=CASES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,  # a gate, not a lottery
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        nonlocal sent
        # Hypothesis favours "simple" draws (False, 0), which would leave most requests
        # unauthenticated or aimed at random ids; a drawn Random spreads them evenly.
        rng = data.draw(st.randoms(use_true_random=False), label="choices")
        if rng.random() < 0.7:
            point_at_real_rows(case, seed, rng)
        # Logging out would revoke the seeded token for every operation after it.
        if rng.random() < 0.9 and operation.path != "/auth/logout":
            case.headers = {**(case.headers or {}), **seed.headers}
        response = case.call()
        sent += 1
        case.validate_response(response, checks=CHECKS)

    check()
    return sent


def test_every_operation_survives_generated_requests(
    fuzzed_app: tuple[schemathesis.BaseSchema, Seed],
) -> None:
    schema, seed = fuzzed_app
    total = 0
    failures: list[str] = []
    # Event streams never end by themselves; tests/live drives them (errors included).
    operations = [
        op
        for op in (r.ok() for r in schema.get_all_operations())
        if not op.path.endswith("/stream")
    ]
    assert len(operations) >= 15, "the schema lost its operations"
    for operation in operations:
        try:
            total += fuzz(operation, seed)
        except (Exception, FailureGroup) as error:  # collect every operation's failures
            failures.append(f"== {operation.label}\n{error}")
    assert not failures, "\n\n".join(failures)
    assert total >= MIN_TOTAL_CASES, f"only {total} cases were generated"
    print(f"fuzzed {len(operations)} operations with {total} cases")
