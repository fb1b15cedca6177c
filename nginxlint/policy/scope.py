"""What selectors and assertions may look at while rules run on one tree:
the effective configuration, the maps, which sockets are TLS, the tree's
blocks and statements, and the few answers worth computing once per tree."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..findings.records import Related
from ..reading.tree import Node
from ..semantics.effective import LEVELS, Effective
from ..semantics.servers import ServerFacts
from ..semantics.variables import MapIndex, evaluate

if TYPE_CHECKING:
    from ..routing.route import Router

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, eq=False)
class Request:
    """A request rules model (a WebSocket handshake, an assertion's
    `request:`) as the variables it gives values to. A tree keeps what a
    value evaluates to for it (Scope.evaluated), by the request object
    itself: it lives as long as the policy that models it."""

    variables: dict[str, str]


@dataclass
class Scope:
    effective: Effective
    maps: MapIndex
    servers: ServerFacts  # the tree's http servers by socket: TLS, default servers
    root: Node
    incomplete: frozenset[Node] = frozenset()  # blocks missing an include (loader.Config.incomplete)
    root_maps: MapIndex | None = None  # the maps of this tree alone, for routing (else found by a walk)
    # Why a block is a WebSocket block (selectors/websocket.Reason, or None),
    # by (path pattern, block): every WebSocket rule asks it of every
    # location, through more than one selector and pack.
    websocket_answers: dict[tuple[re.Pattern | None, Node], object] = field(default_factory=dict)
    # What a header value evaluates to for a modelled request, by (value,
    # request): header rules and the WebSocket selector ask it of every
    # location they look at, and most send the same few values.
    evaluations: dict[tuple[str, Request], str | None] = field(default_factory=dict)
    # An outer list entry a block drops, as a finding's related place, by
    # (list, entry) (assertions/inherited.KeepsInherited).
    dropped_places: dict[tuple[str, Node], Related] = field(default_factory=dict)

    def known(self, block: Node) -> bool:
        """Is the effective configuration of `block` known? Not when an
        include inside it, or around it, could not be read."""
        return not self.incomplete or not any(n in self.incomplete for n in (block, *block.ancestors()))

    def settled(self, block: Node, names: tuple[str, ...] | None) -> bool:
        """Is the value of each directive of `names` in force in `block`
        beyond what a missing include could change? (None: every directive.)

        A missing include adds lines at its own level, where they may set a
        scalar or add to a list; below it, a level's own line of that name
        wins over (and its own list replaces) whatever the include set. So
        the value is settled when, walking up from `block`, a level writes
        it before any level with a missing include is met, or no such level
        is met at all (nginx's default, or an outer line no include can
        override). add_header / add_trailer with *_inherit other than `on`
        merge levels: settled only when nothing around is missing."""
        if not self.incomplete:
            return True
        if names is None:
            return self.known(block)
        return all(self._settled(block, name) for name in names)

    def _settled(self, block: Node, name: str) -> bool:
        switch = self.effective.get(block, name + "_inherit")
        if switch is not None and (switch.value.lower() != "on" or not self._settled(block, switch.directive)):
            return self.known(block)
        for level in (block, *block.ancestors()):
            if level in self.incomplete:
                return False
            if level.inner in LEVELS and self.effective.own(level, name):
                return True
        return True

    @cached_property
    def every_block(self) -> list[Node]:
        """The root and every block in it; statements as written are known
        even where an include is missing."""
        return self._read[0]

    @cached_property
    def blocks(self) -> list[Node]:
        """The blocks rules judge: all but those with a missing include of
        their own (their own lines are not all known). Below one, what each
        assertion reads must still be `settled`."""
        return [n for n in self.every_block if n not in self.incomplete]

    @cached_property
    def written(self) -> dict[str, list[Node]]:
        """Every statement of the tree by name, for rules that select
        statements: block by block in every_block's order, each block's in
        its own order."""
        return self._read[1]

    @cached_property
    def _read(self) -> tuple[list[Node], dict[str, list[Node]]]:
        """every_block and written, from one pass over the tree (the
        default packs ask both): blocks in file order, depth first."""
        blocks: list[Node] = []
        written: dict[str, list[Node]] = {}
        pending = [self.root] if self.root.children is not None else []
        while pending:
            block = pending.pop()
            blocks.append(block)
            inner = []
            for child in block.children:
                written.setdefault(child.name, []).append(child)
                if child.children is not None:
                    inner.append(child)
            pending.extend(reversed(inner))  # the first inner block is read next, before its siblings
        return blocks, written

    def evaluated(self, value: str, request: Request) -> str | None:
        """variables.evaluate() of `value` for `request`, through the maps."""
        key = (value, request)
        if key not in self.evaluations:
            self.evaluations[key] = evaluate(value, request.variables, self.maps)
        return self.evaluations[key]

    def writing(self, names: tuple[str, ...]) -> list[Node]:
        """The blocks rules judge that write one of `names` themselves
        (selectors/Blocks with `own:`), in tree order."""
        writers = {node.parent for name in names for node in self.written.get(name, ())}
        return [block for block in self.blocks if block in writers]

    @cached_property
    def router(self) -> Router:
        """nginx's choices of server and location for requests to this tree,
        for `serves:` selectors; built on first use."""
        from ..routing.route import Router

        return Router([self.root], self.servers, self.root_maps)

    @cached_property
    def tls_default_servers(self) -> frozenset[Node]:
        """The default server of each TLS address:port (semantics §6.4)."""
        return frozenset(self.servers.tls_default_servers())


def substitute(text: str, params: dict[str, str]) -> str:
    """Replace `{name}` by a parameter's value. Regex quantifiers such as
    `{2}` or `{1,3}` are not identifiers and stay as they are; `{name}` that
    is not a parameter stays too (messages fill those in later)."""
    return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), text)


def referenced_params(text: str) -> list[str]:
    return _PARAM.findall(text)
