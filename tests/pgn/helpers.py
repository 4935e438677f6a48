"""Shared helpers of the pgn tests: the corpus and id-free views of a tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catachess.pgn import MoveTree, ParsedGame, parse_pgn

CORPUS = Path(__file__).parent.parent / "data" / "pgn"
GOOD_FILES = sorted(path.name for path in CORPUS.glob("*.pgn") if not path.name.startswith("bad_"))


def corpus_text(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def parse_file(name: str) -> list[ParsedGame]:
    return parse_pgn(corpus_text(name))


def only_game(name: str) -> ParsedGame:
    [game] = parse_file(name)
    return game


def shape_of(tree: MoveTree) -> dict[str, Any]:
    """The tree without ids: equal for two trees with the same moves and annotations."""
    nodes = tree["nodes"]

    def line(children: list[str]) -> list[dict[str, Any]]:
        return [
            {
                key: value
                for key, value in nodes[child].items()
                if key not in ("id", "parent", "children")
            }
            | {"children": line(nodes[child]["children"])}
            for child in children
        ]

    return {
        "fen": tree["fen"],
        "chess960": tree["chess960"],
        "comment": tree["comment"],
        "children": line(tree["children"]),
    }


def sans(tree: MoveTree, path: list[int]) -> list[str]:
    """SANs along a path of child indexes from the start, e.g. [0, 0, 1] (third ply's
    first variation)."""
    result = []
    children = tree["children"]
    for index in path:
        node = tree["nodes"][children[index]]
        result.append(node["san"])
        children = node["children"]
    return result


def node_at(tree: MoveTree, path: list[int]) -> Any:
    children = tree["children"]
    node = None
    for index in path:
        node = tree["nodes"][children[index]]
        children = node["children"]
    return node


def check_links(tree: MoveTree) -> None:
    """Every node is reachable exactly once and its parent link points back."""
    seen = set()
    stack: list[tuple[str | None, str]] = [(None, child) for child in tree["children"]]
    while stack:
        parent, node_id = stack.pop()
        assert node_id not in seen
        seen.add(node_id)
        node = tree["nodes"][node_id]
        assert node["id"] == node_id
        assert node["parent"] == parent
        stack.extend((node_id, child) for child in node["children"])
    assert seen == set(tree["nodes"])
