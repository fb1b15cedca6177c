"""Statements as written, for checks that look at one directive at a time."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..reading.tree import Node


def statements(blocks: list[Node], names: Iterable[str]) -> Iterator[Node]:
    """Every statement named in `names`, wherever it is written (the engine
    passes every block of the tree, so this is each one once)."""
    wanted = frozenset(names)
    return (child for block in blocks for child in block.children if child.name in wanted)


def as_written(node: Node) -> str:
    """The statement's arguments as they would be written: an empty one as ""."""
    return " ".join(arg or '""' for arg in node.args)


def fields(node: Node) -> dict[str, str]:
    """The placeholders a message about one statement can use."""
    return {"directive": node.name, "actual": as_written(node), "origin": node.where()}
