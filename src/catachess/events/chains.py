"""Causation trees of one correlation id, and their terminal and Mermaid renderings (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.tree import Tree

from catachess.events.models import Event


@dataclass
class ChainEntry:
    event: Event
    children: list[ChainEntry] = field(default_factory=list)


def build_tree(events: Sequence[Event]) -> list[ChainEntry]:
    """Nest events under their causes; an event whose cause is absent becomes a root.

    `events` come in log order, so roots and children keep that order.
    """
    entries = {event.event_id: ChainEntry(event) for event in events}
    roots: list[ChainEntry] = []
    for event in events:
        parent = entries.get(event.causation_id) if event.causation_id else None
        if parent is not None and parent.event.event_id != event.event_id:
            parent.children.append(entries[event.event_id])
        else:
            roots.append(entries[event.event_id])
    return roots


def depth(roots: Sequence[ChainEntry]) -> int:
    return max((1 + depth(entry.children) for entry in roots), default=0)


def _short(value: uuid.UUID | None) -> str:
    return str(value)[:8] if value else "system"


def label(event: Event) -> str:
    return (
        f"{event.event_type} · {event.target_type} {_short(event.target_id)} · "
        f"by {_short(event.actor_id)} · {event.timestamp:%Y-%m-%d %H:%M:%S}Z"
    )


def to_rich(correlation_id: str, roots: Sequence[ChainEntry]) -> Tree:
    """A Rich tree: one line per event, children indented under their cause."""
    tree = Tree(f"[bold]correlation {correlation_id}[/]")

    def add(branch: Tree, entry: ChainEntry) -> None:
        event = entry.event
        node = branch.add(
            f"[cyan]{event.event_type}[/] {event.target_type} {_short(event.target_id)} "
            f"[dim]by {_short(event.actor_id)} at {event.timestamp:%H:%M:%S} "
            f"· {event.event_id}[/]"
        )
        for child in entry.children:
            add(node, child)

    for root in roots:
        add(tree, root)
    return tree


def to_mermaid(roots: Sequence[ChainEntry]) -> str:
    """A Mermaid flowchart: cause --> effect."""
    lines = ["flowchart TD"]
    ids: dict[uuid.UUID, str] = {}

    def visit(entry: ChainEntry, parent: str | None) -> None:
        node = ids.setdefault(entry.event.event_id, f"e{len(ids) + 1}")
        text = label(entry.event).replace('"', "#quot;").replace(" · ", "<br/>")
        lines.append(f'    {node}["{text}"]')
        if parent is not None:
            lines.append(f"    {parent} --> {node}")
        for child in entry.children:
            visit(child, node)

    for root in roots:
        visit(root, None)
    return "\n".join(lines) + "\n"
