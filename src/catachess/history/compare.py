"""What changed between two states of a chapter, as data and in words (pure: no SQL).

`compare` gives the web app what it draws on the board (moves added and removed,
comments, NAGs, shapes and clocks changed); `describe` turns the same comparison into the
line a history list shows: "added 12... Nxe4 and 3 moves", "deleted the variation
14. Qb3", "changed the comment on 21. Rfe1".
"""

from __future__ import annotations

from typing import Any

from catachess.history.state import State
from catachess.pgn import MoveNode, MoveTree

NAG_SYMBOLS = {1: "!", 2: "?", 3: "!!", 4: "??", 5: "!?", 6: "?!"}
ANNOTATIONS = (
    ("comment", "comments"),
    ("starting_comment", "starting_comments"),
    ("nags", "nags"),
    ("shapes", "shapes"),
    ("clock", "clocks"),
)


def label(tree: MoveTree, node: MoveNode) -> str:
    """ "12. Nf3" or "12... Nf6", as PGN writes the move (read from the FEN before it)."""
    parent = node["parent"]
    before = tree["fen"] if parent is None else tree["nodes"][parent]["fen"]
    fields = before.split()
    number = fields[5] if len(fields) > 5 else "1"
    dots = "." if fields[1:2] == ["w"] else "..."
    return f"{number}{dots} {node['san']}"


def _move(tree: MoveTree, node: MoveNode) -> dict[str, Any]:
    return {
        "id": node["id"],
        "parent": node["parent"],
        "san": node["san"],
        "uci": node["uci"],
        "label": label(tree, node),
        "fen": node["fen"],
    }


def _roots(tree: MoveTree, ids: set[str]) -> list[MoveNode]:
    """The moves of `ids` whose parent is not in `ids` (where each added/removed line starts)."""
    nodes = tree["nodes"]
    return [nodes[i] for i in ids if nodes[i]["parent"] not in ids]


def _is_variation(tree: MoveTree, node: MoveNode) -> bool:
    parent = node["parent"]
    siblings = tree["children"] if parent is None else tree["nodes"][parent]["children"]
    return bool(siblings) and siblings[0] != node["id"]


def compare(old: State, new: State, changed: set[str] | None = None) -> dict[str, Any]:
    """Everything that differs between `old` and `new`, as lists the board can show.

    `changed` (the ids a delta names) limits the work to those moves on every edit.
    """
    old_tree, new_tree = old["tree"], new["tree"]
    old_nodes, new_nodes = old_tree["nodes"], new_tree["nodes"]
    if changed is None:
        changed = set(old_nodes) | set(new_nodes)
    added = {i for i in changed if i in new_nodes and i not in old_nodes}
    removed = {i for i in changed if i in old_nodes and i not in new_nodes}
    kept = [i for i in changed if i in new_nodes and i in old_nodes]
    result: dict[str, Any] = {
        "moves_added": [_move(new_tree, new_nodes[i]) for i in _in_order(new_tree, added)],
        "moves_removed": [_move(old_tree, old_nodes[i]) for i in _in_order(old_tree, removed)],
        "moves_replaced": [],
        "promoted": [],
        **{key: [] for _, key in ANNOTATIONS},
        "chapter": {},
    }
    for node_id in kept:
        before, after = old_nodes[node_id], new_nodes[node_id]
        if before == after:
            continue
        if before["uci"] != after["uci"] or before["san"] != after["san"]:
            result["moves_replaced"].append(
                {
                    "id": node_id,
                    "before": _move(old_tree, before),
                    "after": _move(new_tree, after),
                }
            )
        for field, key in ANNOTATIONS:
            if before[field] != after[field]:  # type: ignore[literal-required]
                result[key].append(
                    {
                        "move_id": node_id,
                        "label": label(new_tree, after),
                        "before": before[field],  # type: ignore[literal-required]
                        "after": after[field],  # type: ignore[literal-required]
                    }
                )
    result["promoted"] = _promoted(old_tree, new_tree, kept)
    if old_tree["comment"] != new_tree["comment"]:
        result["comments"].insert(
            0,
            {
                "move_id": None,
                "label": "before the first move",
                "before": old_tree["comment"],
                "after": new_tree["comment"],
            },
        )
    chapter: dict[str, Any] = result["chapter"]
    for field in ("name", "orientation", "headers"):
        if old[field] != new[field]:  # type: ignore[literal-required]
            chapter[field] = {"before": old[field], "after": new[field]}  # type: ignore[literal-required]
    if old_tree["fen"] != new_tree["fen"]:
        chapter["start_fen"] = {"before": old_tree["fen"], "after": new_tree["fen"]}
    return result


def _in_order(tree: MoveTree, ids: set[str]) -> list[str]:
    """`ids` in tree order within each line (parents before children, main line first),
    lines by the ply they start at; only the lines of `ids` are walked."""
    nodes, ordered = tree["nodes"], []
    for root in sorted(_roots(tree, ids), key=lambda node: (_ply(tree, node), node["id"])):
        stack = [root["id"]]
        while stack:
            node_id = stack.pop()
            if node_id in ids:
                ordered.append(node_id)
            stack.extend(reversed(nodes[node_id]["children"]))
    return ordered


def _ply(tree: MoveTree, node: MoveNode) -> int:
    fields = label(tree, node).split(" ")[0]
    return int(fields.rstrip(".")) * 2 + fields.endswith("...")


def _promoted(old_tree: MoveTree, new_tree: MoveTree, kept: list[str]) -> list[dict[str, Any]]:
    """Moves that became the first child where another one was first before."""
    promoted = []
    pairs: list[tuple[list[str], list[str]]] = [(old_tree["children"], new_tree["children"])]
    pairs += [(old_tree["nodes"][i]["children"], new_tree["nodes"][i]["children"]) for i in kept]
    for before, after in pairs:
        if after and before and after[0] != before[0] and after[0] in before:
            node = new_tree["nodes"][after[0]]
            promoted.append({"move_id": node["id"], "label": label(new_tree, node)})
    return promoted


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _annotation_words(change: dict[str, Any], what: str) -> str:
    where = change["label"]
    if what == "comment":
        if change["move_id"] is None:
            return "changed the comment before the first move"
        if not change["before"]:
            return f"added a comment on {where}"
        if not change["after"]:
            return f"removed the comment on {where}"
        return f"changed the comment on {where}"
    if what == "nags":
        symbols = " ".join(NAG_SYMBOLS.get(n, f"${n}") for n in change["after"])
        return f"marked {where} {symbols}" if symbols else f"removed the NAGs of {where}"
    if what == "shapes":
        return f"changed the arrows and circles on {where}"
    if what == "clock":
        return f"changed the clock on {where}"
    return f"changed the comment before {where}"


def created_words(name: str, moves: int) -> str:
    """The summary of a chapter's first version."""
    return f"created the chapter “{name}” ({_count(moves, 'move')})"


def describe(old: State | None, new: State, changed: set[str] | None = None) -> str:
    """One line a person reads, naming the moves that changed (`changed`: as in compare)."""
    if old is None:
        return created_words(new["name"], len(new["tree"]["nodes"]))
    found = compare(old, new, changed)
    parts: list[str] = []
    chapter = found["chapter"]
    if "name" in chapter:
        parts.append(f"renamed the chapter from “{old['name']}” to “{new['name']}”")
    if "orientation" in chapter:
        parts.append(f"turned the board to {new['orientation']}")
    for replaced in found["moves_replaced"]:
        parts.append(f"replaced {replaced['before']['label']} with {replaced['after']['label']}")
    removed_ids = {move["id"] for move in found["moves_removed"]}
    if "start_fen" in chapter:
        parts.append(f"changed the start position ({_count(len(removed_ids), 'move')} removed)")
    elif removed_ids:
        parts.append(_removed_words(old["tree"], removed_ids))
    added_ids = {move["id"] for move in found["moves_added"]}
    if added_ids:
        parts.append(_added_words(new["tree"], added_ids))
    for promoted in found["promoted"]:
        parts.append(f"promoted the variation {promoted['label']}")
    for field, key in ANNOTATIONS:
        changes = found[key]
        if len(changes) > 2:
            parts.append(f"changed the {key.replace('_', ' ')} of {_count(len(changes), 'move')}")
        else:
            parts.extend(_annotation_words(change, field) for change in changes)
    if "headers" in chapter and "start_fen" not in chapter:
        parts.append("changed the PGN headers")
    if not parts:
        return "no change"
    return "; ".join(parts)


def _added_words(tree: MoveTree, ids: set[str]) -> str:
    roots = _roots(tree, ids)
    if len(roots) != 1:
        return f"added {_count(len(ids), 'move')}"
    more = len(ids) - 1
    return f"added {label(tree, roots[0])}" + (f" and {_count(more, 'move')}" if more else "")


def _removed_words(tree: MoveTree, ids: set[str]) -> str:
    roots = _roots(tree, ids)
    if len(roots) != 1:
        return f"deleted {_count(len(ids), 'move')}"
    root, more = roots[0], len(ids) - 1
    if _is_variation(tree, root):
        return f"deleted the variation {label(tree, root)}" + (
            f" ({_count(len(ids), 'move')})" if more else ""
        )
    return f"deleted {label(tree, root)}" + (
        f" and the {_count(more, 'move')} after it" if more else ""
    )
