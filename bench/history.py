"""Version history: read cost against history length, bytes per edit, cost of writing it.

(a) Reading version n (random n) of a 500-move chapter with 100 versions vs one with
    10,000 versions: median latency of GET …/versions/{n} and the ratio (target: flat,
    ≤ 50 ms), and the SQL statements of one read (target ≤ 3).
(b) Bytes stored per edit on the 500-move chapter (deltas and the snapshots amortized),
    next to the size of the chapter itself (what a snapshot per edit would cost).
(c) POST …/moves on the 500-move chapter with history and with its two calls stubbed out,
    alternating rounds (target ≤ 1.3×).

The 10,000 versions are written through the studies service (the same code the HTTP
routes call: lock, If-Match, tree edit, event, history), 50 edits per transaction.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import uuid
from typing import Any

import chess
from sqlalchemy import event, text

from bench.common import app_client, median_seconds, register, throwaway_database
from bench.pgn import long_chapter
from catachess.auth.models import User
from catachess.history import recording
from catachess.studies import moves
from catachess.studies.service import limits_from

ROUNDS = 5


async def fill_versions(
    app: Any, user_id: str, study_id: str, chapter_id: str, count: int, rng: random.Random
) -> None:
    """`count` more versions: comments, NAGs, and moves added then deleted again."""
    sessions = app.state.sessionmaker
    limits = limits_from(app.state.settings)
    study, chapter = uuid.UUID(study_id), uuid.UUID(chapter_id)
    done = 0
    tree: dict[str, Any] | None = None
    while done < count:
        async with sessions() as session:
            user = await session.get(User, uuid.UUID(user_id))
            assert user is not None
            if tree is None:
                tree = (await moves._open(session, user, study, chapter, None)).tree  # type: ignore[assignment]
            assert tree is not None
            for _ in range(min(50, count - done)):
                target = rng.choice(list(tree["nodes"]))
                kind = rng.random()
                if kind < 0.6:
                    edited = await moves.comment(
                        session,
                        user,
                        study,
                        chapter,
                        None,
                        move_id=target,
                        text=f"idea {done} {rng.random():.6f}",
                        limits=limits,
                    )
                elif kind < 0.8:
                    edited = await moves.nags(
                        session,
                        user,
                        study,
                        chapter,
                        None,
                        move_id=target,
                        values=[rng.randint(1, 6)],
                    )
                else:
                    legal = list(chess.Board(tree["nodes"][target]["fen"]).legal_moves)
                    if not legal:
                        continue
                    edited = await moves.add(
                        session,
                        user,
                        study,
                        chapter,
                        None,
                        after=target,
                        move=rng.choice(legal).uci(),
                        limits=limits,
                    )
                    if not edited.changed:
                        continue  # the move was there already: no version
                    if done + 1 < count:
                        done += 1
                        assert edited.move is not None
                        edited = await moves.delete(
                            session, user, study, chapter, None, move_id=edited.move["id"]
                        )
                done += 1
                tree = edited.chapter.tree
            await session.commit()


async def stored_bytes(app: Any, chapter_id: str) -> tuple[int, int, int, int, int]:
    """(versions, delta bytes, snapshot bytes, snapshots, tree JSON bytes) of a chapter."""
    async with app.state.engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT count(*), coalesce(sum(octet_length(delta)), 0), "
                    "coalesce(sum(octet_length(snapshot)), 0), count(snapshot), "
                    "(SELECT octet_length(tree::text) FROM chapters WHERE id = :c) "
                    "FROM chapter_versions WHERE chapter_id = :c"
                ),
                {"c": chapter_id},
            )
        ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4])


async def main() -> None:
    rng = random.Random(14)
    pgn = long_chapter(rng)
    with throwaway_database() as url:
        async with app_client(url) as client:
            app: Any = client._transport.app  # type: ignore[attr-defined]
            headers = await register(client, "bench")
            me = (await client.get("/users/me", headers=headers)).json()
            ws = (
                await client.post(
                    "/nodes", json={"kind": "workspace", "name": "bench"}, headers=headers
                )
            ).json()
            chapters = {}
            for name, versions in (("short", 100), ("long", 10_000)):
                created = await client.post(
                    "/studies",
                    json={"name": name, "parent_id": ws["id"], "pgn": pgn},
                    headers=headers,
                )
                study = created.json()["studies"][0]
                chapter_url = f"/studies/{study['id']}/chapters/{study['chapters'][0]['id']}"
                await fill_versions(
                    app, me["id"], study["id"], study["chapters"][0]["id"], versions - 1, rng
                )
                read = await client.get(chapter_url, headers=headers)
                chapters[name] = (study["id"], study["chapters"][0]["id"], read.json()["version"])

            async def read_random(name: str) -> None:
                study_id, chapter_id, versions = chapters[name]
                number = rng.randint(1, versions)
                response = await client.get(
                    f"/studies/{study_id}/chapters/{chapter_id}/versions/{number}",
                    headers=headers,
                )
                assert response.status_code == 200, response.text

            short = await median_seconds(lambda: read_random("short"), 100)
            long = await median_seconds(lambda: read_random("long"), 100)

            statements: list[str] = []

            def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                statements.append(statement)

            sync_engine = app.state.engine.sync_engine
            event.listen(sync_engine, "before_cursor_execute", record)
            await read_random("long")
            event.remove(sync_engine, "before_cursor_execute", record)

            versions, delta_bytes, snapshot_bytes, snapshots, tree_bytes = await stored_bytes(
                app, chapters["long"][1]
            )

            study_id, chapter_id, _ = chapters["short"]
            url_moves = f"/studies/{study_id}/chapters/{chapter_id}/moves"
            tree = (
                await client.get(f"/studies/{study_id}/chapters/{chapter_id}", headers=headers)
            ).json()["tree"]
            ids = list(tree["nodes"])

            async def add_move() -> None:
                target = rng.choice(ids)
                board = chess.Board(tree["nodes"][target]["fen"])
                legal = list(board.legal_moves)
                if not legal:
                    return
                response = await client.post(
                    url_moves,
                    json={"after": target, "move": rng.choice(legal).uci()},
                    headers=headers,
                )
                assert response.status_code in (200, 201), response.text

            async def no_record(*_args: Any, **_kwargs: Any) -> None:
                return None

            real_capture, real_record = recording.capture, recording.record_change
            with_history: list[float] = []
            without: list[float] = []
            for _ in range(ROUNDS):
                with_history.append(await median_seconds(add_move, 30))
                recording.capture = lambda _chapter: b""  # type: ignore[assignment]
                recording.record_change = no_record  # type: ignore[assignment]
                try:
                    without.append(await median_seconds(add_move, 30))
                finally:
                    recording.capture, recording.record_change = real_capture, real_record

    print("reading version n (random n) of a 500-move chapter, median of 100 reads")
    print(
        f"  100 versions: {short * 1000:6.2f} ms   10,000 versions: {long * 1000:6.2f} ms   "
        f"ratio {long / short:.2f}x (target: flat, ≤ 50 ms)"
    )
    app_statements = [s for s in statements if "api_tokens" not in s]
    print(
        f"  SQL statements per read: {len(statements)} "
        f"({len(app_statements)} besides the bearer-token lookup; target ≤ 3)"
    )
    print(f"storage of {versions:,} versions of the 500-move chapter")
    per_edit = (delta_bytes + snapshot_bytes) / versions
    print(
        f"  deltas {delta_bytes / max(versions - snapshots, 1):.0f} B per edit on average; "
        f"{snapshots} snapshots of {snapshot_bytes / max(snapshots, 1):,.0f} B; "
        f"all in: {per_edit:.0f} B per edit"
    )
    print(
        f"  the chapter's tree is {tree_bytes:,} B of JSON: a copy per edit would be "
        f"{tree_bytes / per_edit:.0f}x more"
    )
    plain, written = statistics.median(without), statistics.median(with_history)
    print("POST …/moves on the 500-move chapter, median per round, rounds alternating")
    print(
        f"  without history {plain * 1000:5.2f} ms, with history {written * 1000:5.2f} ms, "
        f"ratio {written / plain:.2f}x (target ≤ 1.3x)"
    )


if __name__ == "__main__":
    asyncio.run(main())
