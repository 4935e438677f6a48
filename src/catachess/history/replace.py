"""POST …/moves/{move_id}/replace: a new move in place of an old one, the rest replayed.

An edit of the move tree like the others in studies/moves.py (same lock, If-Match,
event and version), kept here because it exists for the history feature's users.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.events.types import ChapterMoveReplaced, EventType
from catachess.history.compare import label
from catachess.pgn import MoveNode, find_node, iter_subtree
from catachess.pgn.replace import replace_move
from catachess.studies.models import Chapter

# The studies domain's edit steps (lock + If-Match, then store + event + version).
from catachess.studies.moves import _apply, _open, _store


@dataclass
class Replacement:
    chapter: Chapter
    move: MoveNode
    old_label: str
    kept: list[dict[str, str]]  # {id, san, label} of each move replayed and kept
    cut: list[dict[str, str]]  # {id, san, label} of each move cut (as it was before)


async def replace(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
    move: str,
) -> Replacement:
    """Play `move` instead of `move_id`; moves after it are kept while they stay legal."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    tree = editing.tree
    node = _apply(find_node, tree, move_id)
    old_label = label(tree, node)
    # The moves that may be cut, named as they were before they disappear.
    before = {
        each["id"]: {"id": each["id"], "san": each["san"], "label": label(tree, each)}
        for each in iter_subtree(tree, move_id)
    }
    replaced = _apply(replace_move, tree, move_id, move)
    node = tree["nodes"][move_id]
    kept = [
        {"id": i, "san": tree["nodes"][i]["san"], "label": label(tree, tree["nodes"][i])}
        for i in replaced.kept
    ]
    cut = [before[i] for i in replaced.cut]
    new_label = label(tree, node)
    summary = (
        f"replaced {old_label} with {new_label}; kept {len(kept)} "
        f"move{'' if len(kept) == 1 else 's'} after it, cut {len(cut)}"
    )
    payload = ChapterMoveReplaced(
        study_id=study_id,
        move_id=move_id,
        old_san=replaced.old_san,
        new_san=node["san"],
        kept_move_ids=replaced.kept,
        cut_move_ids=replaced.cut,
    )
    await _store(session, editing, EventType.chapter_move_replaced, payload, summary=summary)
    return Replacement(editing.chapter, node, old_label, kept, cut)
