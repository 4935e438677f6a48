"""Writing versions: called by the studies domain in the transaction of each change.

Every change of a chapter gets one row, with the chapter's new version number: a
compressed snapshot of the whole state, or the delta from the version before. A new
snapshot is taken when the deltas since the last one add up to more bytes than that
snapshot (so snapshots cost at most as much as the deltas they follow: storage grows
with the changes, not with the chapter) or when the chain reaches MAX_CHAIN versions
(so reading any version replays a bounded number of small deltas).
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, cast

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from catachess import context, heavy
from catachess.db.base import utcnow
from catachess.history import repository
from catachess.history.compare import created_words, describe
from catachess.history.state import State, delta_between, encode, state_of
from catachess.pgn import MoveTree

# Deltas replayed at most to read one version (each is a few hundred bytes).
MAX_CHAIN = 200
SUMMARY_LENGTH = 500
# The tree of a state whose moves did not change (renames, reorders): compared, never stored.
EMPTY_TREE: dict[str, Any] = {
    "format": 1,
    "fen": "",
    "chess960": False,
    "comment": "",
    "children": [],
    "nodes": {},
}


def state_of_chapter(chapter: Any) -> State:
    return state_of(chapter.name, chapter.orientation, chapter.headers, chapter.tree)


def capture(chapter: Any) -> State:
    """The chapter's state before an edit changes it in place.

    A copy of each node dict and of every `children` list, sharing the rest: the edits
    of pgn/edit.py assign a node's fields (a new `nags` or `shapes` list, a new SAN) and
    change `children` lists in place, but never change a string, a NAG list or a shape
    in place. Half the cost of a deep copy, which matters on every edit of a long game;
    the property test of tests/history replays every kind of edit against it.
    """
    tree = chapter.tree
    nodes = {i: {**node, "children": list(node["children"])} for i, node in tree["nodes"].items()}
    copied = {**tree, "children": list(tree["children"]), "nodes": nodes}
    return state_of(
        chapter.name, chapter.orientation, [list(pair) for pair in chapter.headers], copied
    )


def _row(
    chapter: Any,
    version: int,
    kind: str,
    actor_id: uuid.UUID | None,
    summary: str,
    details: dict[str, Any],
    **blobs: Any,
) -> dict[str, Any]:
    return {
        "workspace_id": chapter.workspace_id,
        "study_id": chapter.study_id,
        "chapter_id": chapter.id,
        "version": version,
        "kind": kind,
        "actor_id": actor_id,
        "created_at": utcnow(),
        "correlation_id": context.correlation_id.get(),
        "summary": summary[:SUMMARY_LENGTH],
        "details": details,
        **blobs,
    }


def _snapshot_blobs(state: State) -> dict[str, Any]:
    return _blobs_of(encode(state))


def _blobs_of(snapshot: bytes) -> dict[str, Any]:
    return {
        "snapshot": snapshot,
        "delta": None,
        "chain_length": 0,
        "chain_bytes": 0,
        "base_bytes": len(snapshot),
    }


async def record_created(
    session: AsyncSession,
    chapters: Sequence[Any],
    *,
    actor_id: uuid.UUID,
    source: str,
    trees: Mapping[uuid.UUID, str] | None = None,
) -> None:
    """Version 1 of new chapters (imports, FEN chapters, extracted variations): snapshots.

    `trees`: chapters (by id) whose tree is at hand as JSON text (an import's, made in a
    worker process); the others' trees are encoded here. Compressing the snapshots of an
    import's long games takes seconds, so they are made in a worker thread
    (catachess.heavy; zlib lets go of the GIL), off the event loop."""
    known = trees or {}
    items = [
        (
            chapter.name,
            chapter.orientation,
            chapter.headers,
            known.get(chapter.id),
            None if chapter.id in known else chapter.tree,
        )
        for chapter in chapters
    ]
    blobs = await heavy.run_thread(_created, items)
    rows = [
        _row(
            chapter,
            chapter.version,
            "created",
            actor_id,
            created_words(chapter.name, chapter.node_count),
            {"source": source, "position": chapter.position},
            **made,
        )
        for chapter, made in zip(chapters, blobs, strict=True)
    ]
    await repository.insert_versions(session, rows)


def _created(
    items: list[tuple[str, str, list[list[str]], str | None, Any]],
) -> list[dict[str, Any]]:
    made = []
    for name, orientation, headers, tree_json, tree in items:
        tree_bytes = orjson.dumps(tree) if tree_json is None else tree_json.encode()
        made.append(_snapshot_of_json(name, orientation, headers, tree_bytes))
    return made


def _snapshot_of_json(
    name: str, orientation: str, headers: list[list[str]], tree_json: bytes
) -> dict[str, Any]:
    """`_snapshot_blobs` of a state whose tree is JSON already: the JSON of the state is
    written around it (exactly as orjson writes `state_of(...)`), not decoded and
    encoded again."""
    head = orjson.dumps({"name": name, "orientation": orientation, "headers": headers})
    return _blobs_of(zlib.compress(head[:-1] + b',"tree":' + tree_json + b"}", 6))


async def record_change(
    session: AsyncSession,
    chapter: Any,
    before: State,
    *,
    actor_id: uuid.UUID | None,
    kind: str,
    details: dict[str, Any] | None = None,
    summary: str | None = None,
) -> None:
    """The version a change of `chapter` produced (its `version` is already the new one).

    `before` is what `capture` took before the change. A chapter created before history
    existed gets its previous state recorded first, as a baseline to undo or restore to.
    """
    chain_end = await repository.get_chain_end(session, chapter.id, chapter.version - 1)
    rows = await change_rows(
        session,
        chapter,
        before,
        chain_end=chain_end,
        actor_id=actor_id,
        kind=kind,
        details=details,
        summary=summary,
    )
    await repository.insert_versions(session, rows)


async def change_rows(
    session: AsyncSession,
    chapter: Any,
    before: State,
    *,
    chain_end: repository.ChainEnd | None,
    actor_id: uuid.UUID | None,
    kind: str,
    details: dict[str, Any] | None = None,
    summary: str | None = None,
) -> list[dict[str, Any]]:
    """record_change's rows, not inserted: a caller that records the change's event next
    sends them in the event's statement (repository.versions_along). `chain_end`: that of
    the version before the change, read with the chapter
    (repository.get_chapter_and_chain_end) or alone (repository.get_chain_end)."""
    new = state_of_chapter(chapter)
    return await _write(
        session, chapter, before, new, actor_id, kind, details or {}, summary, chain_end
    )


async def record_meta_change(
    session: AsyncSession,
    chapter: Any,
    old_meta: dict[str, Any],
    *,
    actor_id: uuid.UUID,
    kind: str,
    details: dict[str, Any],
) -> None:
    """A version for a change of name, orientation or position (the tree is not loaded)."""
    tree = cast(MoveTree, EMPTY_TREE)
    old = state_of(old_meta["name"], old_meta["orientation"], [], tree)
    new = state_of(chapter.name, chapter.orientation, [], tree)
    summary = describe(old, new) if old != new else ""
    if "old_position" in details:
        moved = (
            f"moved the chapter from place {details['old_position'] + 1} "
            f"to {details['new_position'] + 1}"
        )
        summary = f"{summary}; {moved}" if summary else moved
    delta: dict[str, Any] = {}
    meta = {f: new[f] for f in ("name", "orientation") if old[f] != new[f]}
    if meta:
        delta["meta"] = meta
    previous = await repository.get_chain_end(session, chapter.id, chapter.version - 1)
    if previous is None:
        # No history yet: the baseline needs the whole state, tree included.
        full_new = await load_state(session, chapter)
        full_old = state_of(
            old_meta["name"], old_meta["orientation"], full_new["headers"], full_new["tree"]
        )
        rows = await _write(
            session, chapter, full_old, full_new, actor_id, kind, details, summary, None
        )
    else:
        rows = await _append_delta(
            session, chapter, previous, delta, actor_id, kind, details, summary, None
        )
    await repository.insert_versions(session, rows)


async def _write(
    session: AsyncSession,
    chapter: Any,
    old: State,
    new: State,
    actor_id: uuid.UUID | None,
    kind: str,
    details: dict[str, Any],
    summary: str | None,
    previous: repository.ChainEnd | None,
) -> list[dict[str, Any]]:
    """The rows of a change from `old` to `new` after the version whose chain end is
    `previous` (None: the chapter has no history yet, and a baseline comes first)."""
    delta = delta_between(old, new)
    changed = set(delta.get("set", ())) | set(delta.get("delete", ()))
    words = summary if summary is not None else describe(old, new, changed=changed)
    if previous is None:
        baseline = _row(
            chapter,
            chapter.version - 1,
            "baseline",
            None,
            "the chapter as it was before its history was recorded",
            {},
            **_snapshot_blobs(old),
        )
        previous = (0, 0, baseline["base_bytes"])
        rows = [baseline]
    else:
        rows = []
    return rows + await _append_delta(
        session, chapter, previous, dict(delta), actor_id, kind, details, words, new
    )


async def _append_delta(
    session: AsyncSession,
    chapter: Any,
    previous: Any,
    delta: dict[str, Any],
    actor_id: uuid.UUID | None,
    kind: str,
    details: dict[str, Any],
    summary: str,
    new: State | None,
) -> list[dict[str, Any]]:
    """The row of the version after `previous` (its chain's end): a delta, or a snapshot
    when one is due."""
    chain_length, chain_bytes, base_bytes = previous
    blob = encode(delta)
    due = chain_length + 1 >= MAX_CHAIN or chain_bytes + len(blob) > base_bytes
    if due and new is None:
        new = await load_state(session, chapter)
    if due and new is not None:
        blobs = _snapshot_blobs(new)
    else:
        blobs = {
            "snapshot": None,
            "delta": blob,
            "chain_length": chain_length + 1,
            "chain_bytes": chain_bytes + len(blob),
            "base_bytes": base_bytes,
        }
    return [_row(chapter, chapter.version, kind, actor_id, summary, details, **blobs)]


async def load_state(session: AsyncSession, chapter: Any) -> State:
    """The chapter's current state with its tree read from the database (not loaded yet)."""
    headers, tree = await repository.get_headers_and_tree(session, chapter.id)
    return state_of(chapter.name, chapter.orientation, headers, tree)


async def record_deleted(
    session: AsyncSession, chapter: Any, *, actor_id: uuid.UUID, archive: dict[str, Any] | None
) -> None:
    """A deletion marker (version + 1, the state stays that of the version before), with
    the chapter's discussions archived so that restoring it brings them back."""
    previous = await repository.get_chain_end(session, chapter.id, chapter.version)
    if previous is None:
        state = await load_state(session, chapter)
        baseline = _row(
            chapter,
            chapter.version,
            "baseline",
            None,
            "the chapter as it was before its history was recorded",
            {},
            **_snapshot_blobs(state),
        )
        await repository.insert_versions(session, [baseline])
        previous = (0, 0, baseline["base_bytes"])
    chain_length, chain_bytes, base_bytes = previous
    row = _row(
        chapter,
        chapter.version + 1,
        "deleted",
        actor_id,
        f"deleted the chapter “{chapter.name}”",
        {
            "name": chapter.name,
            "position": chapter.position,
            "node_count": chapter.node_count,
            "created_by": str(chapter.created_by),
            "created_at": chapter.created_at.isoformat(),
        },
        snapshot=None,
        delta=None,
        chain_length=chain_length,
        chain_bytes=chain_bytes,
        base_bytes=base_bytes,
        archive=None if archive is None else encode(archive),
    )
    await repository.insert_versions(session, [row])


async def record_snapshot(
    session: AsyncSession,
    chapter: Any,
    state: State,
    *,
    actor_id: uuid.UUID,
    kind: str,
    summary: str,
    details: dict[str, Any],
) -> None:
    """A version holding the whole state (a deleted chapter brought back)."""
    row = _row(chapter, chapter.version, kind, actor_id, summary, details, **_snapshot_blobs(state))
    await repository.insert_versions(session, [row])
