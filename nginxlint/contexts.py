"""The checks nginx makes while reading a config, before it runs anything:
is each directive allowed where it stands, with that many arguments, as a
block or not. Each failure is a problem nginx -t would also report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from . import directives
from .tree import Node, walk


@dataclass(frozen=True, slots=True)
class ContextProblem:
    node: Node
    message: str


def check_contexts(root: Node) -> Iterator[ContextProblem]:
    for node in walk(root):
        if node.context is None or not directives.is_known(node.name):
            continue  # inside a data block, or a third-party directive
        spec = directives.spec_for(node.name, node.context)
        if spec is None:
            yield ContextProblem(node, f'"{node.name}" directive is not allowed here (in {node.context})')
        elif not directives.arity_ok(spec.arity, len(node.args)):
            yield ContextProblem(node, f'invalid number of arguments in "{node.name}" directive')
        elif spec.block and not node.is_block:
            yield ContextProblem(node, f'directive "{node.name}" has no opening "{{"')
        elif node.is_block and not spec.block and node.name != "include":
            yield ContextProblem(node, f'directive "{node.name}" is not terminated by ";"')
