"""What selectors and assertions may look at while rules run on one tree:
the effective configuration, the maps, which sockets are TLS, the tree's
blocks and statements, and the few answers worth computing once per tree."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..reading.tree import Node, walk
from ..semantics.effective import Effective
from ..semantics.servers import ServerFacts
from ..semantics.variables import MapIndex

if TYPE_CHECKING:
    from ..routing.route import Router

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Scope:
    effective: Effective
    maps: MapIndex
    servers: ServerFacts  # the tree's http servers by socket: TLS, default servers
    root: Node
    incomplete: frozenset[Node] = frozenset()  # blocks missing an include (loader.Config.incomplete)
    # Why a block is a WebSocket block (selectors/websocket.Reason, or None),
    # by (path pattern, block id): every WebSocket rule asks it of every
    # location, through more than one selector and pack.
    websocket_answers: dict[tuple[re.Pattern | None, int], object] = field(default_factory=dict)

    def known(self, block: Node) -> bool:
        """Is the effective configuration of `block` known? Not when an
        include inside it, or around it, could not be read."""
        return not self.incomplete or not any(n in self.incomplete for n in (block, *block.ancestors()))

    @cached_property
    def every_block(self) -> list[Node]:
        """The root and every block in it; statements as written are known
        even where an include is missing."""
        return [n for n in _with_root(self.root) if n.children is not None]

    @cached_property
    def blocks(self) -> list[Node]:
        """The blocks whose effective configuration is known: the ones rules judge."""
        return [n for n in self.every_block if self.known(n)]

    @cached_property
    def written(self) -> dict[str, list[Node]]:
        """Every statement of the tree by name, for rules that select statements."""
        found: dict[str, list[Node]] = {}
        for block in self.every_block:
            for child in block.children:
                found.setdefault(child.name, []).append(child)
        return found

    @cached_property
    def router(self) -> Router:
        """nginx's choices of server and location for requests to this tree,
        for `serves:` selectors; built on first use."""
        from ..routing.route import Router

        return Router([self.root])

    @cached_property
    def tls_default_servers(self) -> frozenset[Node]:
        """The default server of each TLS address:port (semantics §6.4)."""
        return frozenset(self.servers.tls_default_servers())


def _with_root(root: Node) -> Iterator[Node]:
    yield root
    yield from walk(root)


def substitute(text: str, params: dict[str, str]) -> str:
    """Replace `{name}` by a parameter's value. Regex quantifiers such as
    `{2}` or `{1,3}` are not identifiers and stay as they are; `{name}` that
    is not a parameter stays too (messages fill those in later)."""
    return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), text)


def referenced_params(text: str) -> list[str]:
    return _PARAM.findall(text)
