"""Driving several server processes as one system: a client per process, a journal of
every answer, and what the answers say the event log must hold.

    cluster = Cluster([client_a, client_b])
    created = await cluster.call(0, "POST", "/nodes", alice, json=..., key=new_key())
    expected_events(cluster.answers)  # Counter of (event_type, target_id, version)

`server` numbers wrap around (`server + 1` is "the other process" of two), so a workload
alternates processes with plain arithmetic.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories import Actor

Json = dict[str, Any]
EventKey = tuple[str, str, int | None]  # (event_type, target_id, version)


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def replayed(response: httpx.Response) -> bool:
    return response.headers.get("idempotent-replayed") == "true"


def outcome(response: httpx.Response) -> str:
    """'200', or '409 not_in_trash' for a problem: what a test compares across a race."""
    if response.status_code < 400:
        return str(response.status_code)
    return f"{response.status_code} {response.json().get('code')}"


def outcomes(*responses: httpx.Response) -> list[str]:
    return sorted(outcome(response) for response in responses)


@dataclass(frozen=True)
class Answer:
    server: int
    method: str
    path: str
    request: Json | None
    key: str | None
    response: httpx.Response

    def describe(self) -> str:
        return (
            f"{self.method} {self.path} on server {self.server}: "
            f"{self.response.status_code} {self.response.text[:300]}"
        )


@dataclass
class Cluster:
    """One HTTP client per server process; every request and its answer is journaled."""

    clients: list[httpx.AsyncClient]
    answers: list[Answer] = field(default_factory=list)

    async def call(
        self,
        server: int,
        method: str,
        path: str,
        actor: Actor | None = None,
        *,
        json: Json | None = None,
        params: Json | None = None,
        key: str | None = None,
        if_match: str | None = None,
    ) -> httpx.Response:
        """Send one request to process `server` (modulo the number of processes)."""
        index = server % len(self.clients)
        headers = dict(actor.headers) if actor is not None else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        if if_match is not None:
            headers["If-Match"] = if_match
        response = await self.clients[index].request(
            method, path, headers=headers, json=json, params=params
        )
        self.answers.append(Answer(index, method, path, json, key, response))
        return response

    def server_errors(self) -> list[str]:
        return [a.describe() for a in self.answers if a.response.status_code >= 500]

    def count(self, *, keyed: bool = False, replays: bool = False, code: str = "") -> int:
        """Answers of keyed requests, of replays, or with a problem code."""
        return sum(
            1
            for a in self.answers
            if (not keyed or a.key is not None)
            and (not replays or replayed(a.response))
            and (not code or (a.response.status_code >= 400 and outcome(a.response) == code))
        )


async def keyed_once(
    cluster: Cluster, server: int, method: str, path: str, actor: Actor, body: Json | None = None
) -> httpx.Response:
    """A keyed write on `server`, then its retry on the other process: replayed, not rerun."""
    key = new_key()
    done = await cluster.call(server, method, path, actor, json=body, key=key)
    assert done.status_code in (200, 201) and not replayed(done), done.text
    retry = await cluster.call(server + 1, method, path, actor, json=body, key=key)
    assert retry.status_code == done.status_code and replayed(retry), retry.text
    assert retry.content == done.content
    for header in ("location", "etag"):
        assert retry.headers.get(header) == done.headers.get(header)
    return done


async def keyed_raced(
    cluster: Cluster, copies: int, method: str, path: str, actor: Actor, body: Json
) -> httpx.Response:
    """The same keyed write sent `copies` times at once, alternating processes, then
    retried on each: one runs, the others are replays of it or 409 while it runs."""
    key = new_key()
    race = await asyncio.gather(
        *(cluster.call(n, method, path, actor, json=body, key=key) for n in range(copies))
    )
    first = [r for r in race if r.is_success and not replayed(r)]
    assert len(first) == 1, [outcome(r) for r in race]
    for answer in race:
        if answer.is_success:
            assert answer.content == first[0].content
        else:
            assert outcome(answer) == "409 request_in_flight", answer.text
            assert "retry-after" in answer.headers
    retries = await asyncio.gather(
        *(cluster.call(n, method, path, actor, json=body, key=key) for n in range(2))
    )
    for retry in retries:
        assert retry.status_code == first[0].status_code and replayed(retry), retry.text
        assert retry.content == first[0].content
    return first[0]


NODE_PATH = re.compile(r"^/nodes/[0-9a-f-]{36}")


def expected_events(answers: list[Answer]) -> Counter[EventKey]:
    """The events the successful, first-run writes of the journal say they recorded.

    A replayed answer re-executed nothing and a failed write left nothing, so neither
    adds an event. A write this function does not know fails the test rather than being
    skipped: the comparison with the log must cover every write of the workload.
    """
    expected: Counter[EventKey] = Counter()
    for answer in answers:
        response = answer.response
        if answer.method == "GET" or not response.is_success or replayed(response):
            continue
        body: Any = response.json()
        request = answer.request or {}
        match answer.method, NODE_PATH.sub("/nodes/{id}", answer.path):
            case "POST", "/auth/register":
                expected[("user.registered", body["id"], None)] += 1
            case "POST", "/auth/login":
                expected[("user.logged_in", body["user"]["id"], None)] += 1
            case "POST", "/nodes":
                expected[("node.created", body["id"], body["version"])] += 1
            case "POST", "/studies":
                for study in body["studies"]:
                    expected[("node.created", study["id"], study["version"])] += 1
                    for chapter in study["chapters"]:
                        added = ("study.chapter_added", chapter["id"], chapter["version"])
                        expected[added] += 1
            case "PATCH", "/nodes/{id}" if request.keys() == {"name"}:
                expected[("node.renamed", body["id"], body["version"])] += 1
            case "PATCH", "/nodes/{id}" if request.keys() == {"parent_id"}:
                expected[("node.moved", body["id"], body["version"])] += 1
            case "DELETE", "/nodes/{id}":
                expected[("node.trashed", body["id"], body["version"])] += 1
            case "POST", "/nodes/{id}/restore":
                node = body["node"]
                expected[("node.restored", node["id"], node["version"])] += 1
            case _:
                raise AssertionError(f"no expected event known for {answer.describe()}")
    return expected


def log_problems(log: str) -> list[str]:
    """Lines of a server's JSON log at error level or carrying a traceback."""
    found = []
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            if "Traceback" in line:
                found.append(line)
            continue
        if isinstance(entry, dict) and (
            entry.get("level") in {"error", "critical"} or "exception" in entry
        ):
            found.append(line[:2000])
    return found
