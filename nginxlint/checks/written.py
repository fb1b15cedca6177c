"""Statements as written, for checks that look at one directive at a time."""
from __future__ import annotations

from ..reading.tree import Node


def as_written(node: Node) -> str:
    """The statement's arguments as they would be written: an empty one as ""."""
    return " ".join(arg or '""' for arg in node.args)


def fields(node: Node) -> dict[str, str]:
    """The placeholders a message about one statement can use."""
    return {"directive": node.name, "actual": as_written(node), "origin": node.where()}
