"""What a Python check may read about one loaded tree, and nothing more.

Checks see the configuration as nginx would load it and the answers the
semantic model already knows (effective values, maps, sockets and servers,
what include globs loaded); they return `Failure`s, which the engine turns
into findings like any YAML rule's. They never see the loader's or the
engine's own structures, so either can change without touching a check.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from ..reading.loader import GlobbedFile
from ..reading.tree import Node, walk
from ..semantics.dataflow import DataFlow
from ..semantics.effective import Effective
from ..semantics.regex_sites import RegexSite, sites_among
from ..semantics.servers import ServerFacts
from ..semantics.variable_names import Elsewhere
from ..semantics.variables import MapIndex


@dataclass(frozen=True)
class TreeView:
    root: Node
    blocks: Sequence[Node]  # the root and every block in it, in file order
    effective: Effective  # for the nginx version the run judges (effective.version_text)
    maps: MapIndex
    servers: ServerFacts  # the tree's http servers by socket: default server, TLS
    globbed: tuple[GlobbedFile, ...]  # files an include glob (or a folder given) loaded into this tree
    flow: DataFlow  # where each variable gets its value: set, map, captures
    params: Mapping[str, str]  # parameter values in force (--param, params:), for a check that takes one
    complete: bool = True  # every include of the run was read (no INC001/INC003/INC004): no block misses one
    declared_directives: tuple[str, ...] = ()  # names or globs the project config says its modules define
    # Servers left out of `root` because an earlier run's verdicts on them
    # still hold (policy/units.py): what they add to whole-config answers.
    elsewhere: Elsewhere = Elsewhere()

    @property
    def whole(self) -> bool:
        """A main config (nginx.conf) with every include read: what nginx
        checks of the configuration as a whole can be judged."""
        return self.root.inner == "main" and self.complete

    def flag(self, name: str) -> bool:
        """A `flag` parameter's value: a check's switch, declared in its rule's pack."""
        return self.params.get(name) == "true"  # undeclared (a pack without it): off

    def statements(self, *names: str) -> Iterator[Node]:
        """Every statement of those names, wherever it is written, each once."""
        wanted = frozenset(names)
        return (child for block in self.blocks for child in block.children if child.name in wanted)

    @cached_property
    def every_statement(self) -> tuple[Node, ...]:
        """Every statement below the root, depth first in file order (what
        walk(root) yields): the checks that judge each statement in turn
        share one walk of the tree."""
        return tuple(walk(self.root))

    @cached_property
    def regex_sites(self) -> tuple[RegexSite, ...]:
        """Where nginx compiles a regex in the tree: what invalid-regex
        judges and what names unknown-variable knows, found once."""
        return tuple(sites_among(self.every_statement))
