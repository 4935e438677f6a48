"""Two server processes on one database behave as one system (issue 7).

A bounded mixed workload goes through both processes at once (asyncio.gather over one
client per process). Each member's story runs concurrently with the others': an account
registered on both processes at once and used on the other one; a workspace whose keyed
create is sent to both and retried on each; folders and studies created alternating
processes, each keyed retry replayed by the other process; If-Match renames racing
across them; crossing moves; trash on one and restore on the other; concurrent trash and
restore of one node; event reads from either process in the middle of all that.

Then the database must show no duplicate effect, exactly the events the successful
writes announced, one version order per target, every outbox delivery done exactly once
by one of the two processes, and the idempotency metrics of both processes adding up
to what the clients saw.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Actor
from tests.nodes.trash.helpers import assert_tree_consistent, rows
from tests.ops.cluster import (
    Cluster,
    Json,
    keyed_once,
    keyed_raced,
    log_problems,
    outcome,
    outcomes,
    replayed,
)
from tests.ops.invariants import (
    assert_delivered_exactly_once,
    assert_events_match_the_answers,
    assert_no_duplicate_effects,
    assert_one_order_per_target,
)
from tests.servers import Server, running_servers
from tests.studies.helpers import games

MEMBERS = 3  # concurrent stories, one workspace each
FOLDERS = 2  # per workspace, each holding one study (two: enough to cross-move)
RACES = 2  # rounds of concurrent trash/restore per folder
GAMES = 2  # chapters per study
COPIES = 4  # concurrent sends of one keyed create (alternating processes)
DELIVERY_DEADLINE = 20.0  # seconds for the relays to empty the outbox
TIMEOUT = 30.0  # seconds per request: a stuck request fails the test, never hangs it
PASSWORD = "correct horse battery"
SERVERS_ENV = {"EVENT_RELAY": "true", "EVENT_RELAY_INTERVAL": "0.2", "MAINTENANCE_INTERVAL": "1"}


@dataclass
class History:
    """A target's events as readers on either process saw them: the list may only grow
    at its end (nothing vanishes or moves), and versions strictly increase along it."""

    cluster: Cluster
    actor: Actor
    node_id: str
    seen: list[str] = field(default_factory=list)

    async def read(self, server: int) -> list[Json]:
        params = {"target_id": self.node_id, "order": "asc", "limit": 200}
        page = await self.cluster.call(server, "GET", "/events", self.actor, params=params)
        assert page.status_code == 200, page.text
        assert page.json()["next_cursor"] is None
        items: list[Json] = page.json()["items"]
        ids = [event["event_id"] for event in items]
        assert ids[: len(self.seen)] == self.seen, "an event vanished or moved"
        versions = [event["version"] for event in items]
        assert versions == sorted(set(versions)), versions
        self.seen = ids
        return items


async def an_account(cluster: Cluster, n: int) -> tuple[Actor, int]:
    """Registered on both processes at once (one wins), logged in on the other one;
    returns the member and the process that registered them."""
    body = {"email": f"member{n}@example.com", "password": PASSWORD, "display_name": f"m{n}"}
    both = await asyncio.gather(
        cluster.call(n, "POST", "/auth/register", json=body),
        cluster.call(n + 1, "POST", "/auth/register", json=body),
    )
    assert outcomes(*both) == ["201", "409 email_taken"]
    home = n if both[0].status_code == 201 else n + 1
    credentials = {"email": body["email"], "password": PASSWORD}
    login = await cluster.call(home + 1, "POST", "/auth/login", json=credentials)
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    actor = Actor(
        id=login.json()["user"]["id"],
        email=body["email"],
        token=token,
        headers={"Authorization": f"Bearer {token}"},
    )
    me = await cluster.call(home, "GET", "/users/me", actor)  # a token of the other process
    assert me.status_code == 200 and me.json()["id"] == actor.id
    return actor, home


async def a_branch(
    cluster: Cluster, actor: Actor, workspace: Json, server: int, j: int
) -> tuple[Json, Json]:
    """A folder created on one process and a study imported into it on the other."""
    folder = await keyed_once(
        cluster,
        server,
        "POST",
        "/nodes",
        actor,
        {"kind": "folder", "name": f"Folder {j}", "parent_id": workspace["id"]},
    )
    body = {"name": f"Study {j}", "parent_id": folder.json()["id"], "pgn": games(GAMES)}
    imported = await keyed_once(cluster, server + 1, "POST", "/studies", actor, body)
    [study] = imported.json()["studies"]
    assert len(study["chapters"]) == GAMES
    return folder.json(), study


async def renames_race(cluster: Cluster, history: History, name: str, server: int) -> None:
    """Two renames with the same If-Match on the two processes: one 200, one 412."""
    path = f"/nodes/{history.node_id}"
    current = await cluster.call(server, "GET", path, history.actor)
    assert current.status_code == 200, current.text
    tag = current.headers["etag"]
    *both, _ = await asyncio.gather(
        *(
            cluster.call(
                s, "PATCH", path, history.actor, json={"name": f"{name} {s % 2}"}, if_match=tag
            )
            for s in (server, server + 1)
        ),
        history.read(server),
    )
    assert outcomes(*both) == ["200", "412 precondition_failed"]


async def crossing_moves(
    cluster: Cluster, actor: Actor, workspace: Json, folders: list[History], server: int
) -> None:
    """A under B on one process while B goes under A on the other: one move, one 409."""
    a, b = folders
    moves = await asyncio.gather(
        cluster.call(server, "PATCH", f"/nodes/{a.node_id}", actor, json={"parent_id": b.node_id}),
        cluster.call(
            server + 1, "PATCH", f"/nodes/{b.node_id}", actor, json={"parent_id": a.node_id}
        ),
        a.read(server + 1),
        b.read(server),
    )
    assert outcomes(*moves[:2]) == ["200", "409 move_cycle"]
    moved = a if moves[0].status_code == 200 else b
    back = await cluster.call(
        server, "PATCH", f"/nodes/{moved.node_id}", actor, json={"parent_id": workspace["id"]}
    )
    assert back.status_code == 200, back.text


async def trash_here_restore_there(cluster: Cluster, history: History, server: int) -> None:
    """Trash on one process (its keyed retry replays on the other), restore on the other."""
    path, actor = f"/nodes/{history.node_id}", history.actor
    trashed = await keyed_once(cluster, server, "DELETE", path, actor)
    # Committed before the answer: the other process sees it at once.
    assert (await cluster.call(server + 1, "GET", path, actor)).status_code == 404
    last = (await history.read(server + 1))[-1]
    assert (last["event_type"], last["version"]) == ("node.trashed", trashed.json()["version"])
    restored = await keyed_once(cluster, server + 1, "POST", f"{path}/restore", actor)
    back = await cluster.call(server, "GET", path, actor)
    assert back.status_code == 200 and back.headers["etag"] == restored.headers["etag"]


async def trash_and_restore_race(cluster: Cluster, history: History, server: int) -> None:
    """Concurrent trash/restore of one node across processes: one wins, the other gets a
    clear 409, and a reader in the middle sees one history."""
    path, actor = f"/nodes/{history.node_id}", history.actor
    for round_ in range(RACES):
        a, b = server + round_, server + round_ + 1  # alternate who sends first
        *both, _ = await asyncio.gather(
            cluster.call(a, "DELETE", path, actor),
            cluster.call(b, "DELETE", path, actor),
            history.read(a),
        )
        assert outcomes(*both) == ["200", "409 already_in_trash"]
        *both, _ = await asyncio.gather(
            cluster.call(a, "POST", f"{path}/restore", actor),
            cluster.call(b, "POST", f"{path}/restore", actor),
            history.read(b),
        )
        assert outcomes(*both) == ["200", "409 not_in_trash"]
        trashed, restored, _ = await asyncio.gather(
            cluster.call(a, "DELETE", path, actor),
            cluster.call(b, "POST", f"{path}/restore", actor),
            history.read(a),
        )
        assert trashed.status_code == 200, trashed.text
        if outcome(restored) == "409 not_in_trash":  # the restore ran first: undo the trash
            restored = await cluster.call(b, "POST", f"{path}/restore", actor)
        assert restored.status_code == 200, restored.text


async def a_members_story(cluster: Cluster, n: int) -> tuple[Actor, Json]:
    """Everything one member does, step by step; each step is concurrent in itself."""
    actor, home = await an_account(cluster, n)
    body = {"kind": "workspace", "name": f"Club {n}"}
    workspace = (await keyed_raced(cluster, COPIES, "POST", "/nodes", actor, body)).json()
    tracked = History(cluster, actor, workspace["id"])
    *branches, _ = await asyncio.gather(
        *(a_branch(cluster, actor, workspace, home + j, j) for j in range(FOLDERS)),
        tracked.read(home + 1),
    )
    folders = [History(cluster, actor, folder["id"]) for folder, _ in branches]
    studies = [History(cluster, actor, study["id"]) for _, study in branches]
    await asyncio.gather(
        *(renames_race(cluster, h, f"Folder {j}", home + j) for j, h in enumerate(folders)),
        *(renames_race(cluster, h, f"Study {j}", home + j + 1) for j, h in enumerate(studies)),
    )
    await crossing_moves(cluster, actor, workspace, folders, home)
    await asyncio.gather(
        *(trash_here_restore_there(cluster, h, home + j) for j, h in enumerate(studies))
    )
    await asyncio.gather(
        *(trash_and_restore_race(cluster, h, home + j) for j, h in enumerate(folders))
    )
    return actor, workspace


async def outbox_drained(engine: AsyncEngine) -> None:
    """Poll until no delivery is pending (the relays of both processes work on it)."""
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while True:
        [pending] = await rows(
            engine,
            "SELECT count(*) AS n FROM event_deliveries "
            "WHERE delivered_at IS NULL AND dead_at IS NULL",
        )
        if pending["n"] == 0:
            return
        assert time.monotonic() < deadline, f"{pending['n']} deliveries still pending"
        await asyncio.sleep(0.05)  # polling other processes' progress


async def maintenance_ran(engine: AsyncEngine, servers: list[Server]) -> None:
    """The maintenance loops ran alongside the workload: outbox redelivery among their
    jobs, on one of these processes, and no job failed."""
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while not await rows(engine, "SELECT 1 FROM maintenance_runs WHERE job = 'event-redelivery'"):
        assert time.monotonic() < deadline, "no maintenance run recorded"
        await asyncio.sleep(0.05)  # polling other processes' progress
    runs = await rows(engine, "SELECT job, ran_on, error FROM maintenance_runs")
    pids = {str(server.pid) for server in servers}
    assert [
        run for run in runs if run["error"] or run["ran_on"].rsplit(":", 1)[1] not in pids
    ] == []


async def reads_agree(cluster: Cluster, actor: Actor, workspace: Json, engine: AsyncEngine) -> None:
    """Once delivered, both processes answer event, feed and chain reads alike, as logged."""
    nodes = await rows(
        engine, "SELECT id::text FROM nodes WHERE workspace_id = :w", w=workspace["id"]
    )
    for node in nodes:
        history = History(cluster, actor, node["id"])
        here, there = await history.read(0), await history.read(1)
        assert here == there
        logged = await rows(
            engine,
            "SELECT event_id::text FROM events WHERE target_id = :t ORDER BY seq",
            t=node["id"],
        )
        assert history.seen == [event["event_id"] for event in logged]
    path = f"/nodes/{workspace['id']}/activity"
    feeds = await asyncio.gather(
        *(cluster.call(s, "GET", path, actor, params={"limit": 200}) for s in (0, 1))
    )
    assert feeds[0].status_code == 200 and feeds[0].json() == feeds[1].json()
    created = next(
        a
        for a in cluster.answers
        if a.method == "POST"
        and a.path == "/nodes"
        and a.response.is_success
        and not replayed(a.response)
        and a.response.json()["id"] == workspace["id"]
    )
    correlation = created.response.headers["x-correlation-id"]
    chain = await cluster.call(created.server + 1, "GET", f"/events/chains/{correlation}", actor)
    assert chain.status_code == 200, chain.text
    [root] = chain.json()["roots"]
    assert root["event_type"] == "node.created"
    assert [child["event_type"] for child in root["children"]] == ["activity.recorded"]


async def metrics_add_up(cluster: Cluster, servers: list[Server]) -> None:
    """Each keyed request was counted once, by the process that answered it."""

    async def total(name: str) -> float:
        return sum([await server.metric(name) for server in servers])

    assert await total("catachess_idempotency_keyed_requests_total") == cluster.count(keyed=True)
    assert await total("catachess_idempotency_replays_total") == cluster.count(replays=True)
    conflicts = cluster.count(code="409 request_in_flight")
    assert await total("catachess_idempotency_conflicts_total") == conflicts


async def test_two_server_processes_behave_as_one_system(
    engine: AsyncEngine, database_url: str
) -> None:
    async with (
        running_servers(database_url, count=2, env=SERVERS_ENV) as servers,
        httpx.AsyncClient(base_url=servers[0].base_url, timeout=TIMEOUT) as one,
        httpx.AsyncClient(base_url=servers[1].base_url, timeout=TIMEOUT) as two,
    ):
        cluster = Cluster([one, two])
        members = await asyncio.gather(*(a_members_story(cluster, n) for n in range(MEMBERS)))
        await outbox_drained(engine)
        await maintenance_ran(engine, servers)
        for actor, workspace in members:
            await reads_agree(cluster, actor, workspace, engine)
        await metrics_add_up(cluster, servers)
    assert cluster.server_errors() == []
    assert {answer.server for answer in cluster.answers} == {0, 1}
    for server in servers:  # stopped gracefully, nothing logged as an error
        assert "Application shutdown complete." in server.log()
        assert log_problems(server.log()) == []
    await assert_tree_consistent(engine)
    await assert_no_duplicate_effects(cluster, engine)
    await assert_events_match_the_answers(cluster, engine)
    await assert_one_order_per_target(engine)
    await assert_delivered_exactly_once(engine)
