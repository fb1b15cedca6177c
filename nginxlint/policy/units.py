"""Reuse an earlier run's verdicts on the http servers and upstreams that did not change.

A pre-commit hook or an editor lints a whole tree after one file changed:
the parse cache spares re-parsing the other files, and this module spares
re-linting the blocks in them. The unit is an http-level `server` or
`upstream` block, with the files included in it. A rule's verdicts on the
blocks and statements of one unit depend on

- the unit's own lines (`key`: the digests of its file and of the files
  included in it, and where it stands);
- everything outside every unit: the main and http levels, what they
  include (inheritance, maps, log formats);
- what the other units show to it: a server's server-level directives
  (listen, server_name, ssl: sockets, default servers, names; routing),
  the variables it makes and the maps written in it, an upstream's lines,
  and whether a unit's directives are all stock ones (SYN006 judges only
  such configs).

The last two make the run's `context` digest. When it is what the earlier
run recorded, the units whose key is known keep their recorded verdicts
(unless one points into a changed file: a line it quotes may have moved),
and rules run on the tree with those units left out (`pruned`); what
compares servers with one another (duplicate names, shared sockets) still
sees them all through ServerFacts, built before they are left out, and its
verdicts on the servers left out are the recorded ones. When the context
changed, every unit is linted again.
"""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from ..reading.loader import Config
from ..reading.tree import Node, walk
from ..semantics.variable_names import Elsewhere, defined_names, stock_only

# What other units see of one (see the module doc); plain values, so the
# result cache can store it (marshal).
Summary = tuple
Record = tuple  # a verdict as engine._Placed.stored() writes it
Key = tuple  # units._key
UNIT_CONTEXTS = ("server", "http-upstream")  # the inner contexts of the blocks that are units


@dataclass
class Kept:
    """What a run keeps for the next: its context digest and, per unit
    key, the unit's summary and its verdicts."""

    context: str = ""
    units: dict[Key, tuple[Summary, tuple[Record, ...]]] = field(default_factory=dict)
    digests: dict[str, str | None] = field(default_factory=dict)  # the files read: shown path -> sha256


class Units:
    """The units of one run, which of them to lint, and the others'
    verdicts from `earlier`; `keeping`: work out what the next run may reuse
    (without it, every unit is linted and nothing is kept)."""

    def __init__(self, config: Config, earlier: Kept | None, keeping: bool):
        self.tree = {unit: index for index, root in enumerate(config.roots) for unit in _units(root)}
        self.ordinal = {unit: index for index, unit in enumerate(self.tree)}  # in configuration order
        self.keeping = keeping
        self.context = ""
        self.keys: dict[Node, Key | None] = {}
        self.summaries: dict[Node, Summary] = {}
        self.reused: dict[Node, tuple[Record, ...]] = {}
        if not keeping:
            return
        earlier = earlier or Kept()
        seen: dict[tuple[str, int], int] = {}
        for unit in self.ordinal:
            place = (unit.file, unit.line)
            seen[place] = seen.get(place, 0) + 1
            self.keys[unit] = _key(unit, seen[place], config)
            known = earlier.units.get(self.keys[unit])
            self.summaries[unit] = known[0] if known is not None else _summary(unit)
        self.context = _context(config, list(self.summaries.values()), self.ordinal)
        self._digests = config.digests
        if self.context != earlier.context:
            return
        changed = [f for f in config.digests.keys() | earlier.digests.keys() if config.digests.get(f) != earlier.digests.get(f)]
        for unit, key in self.keys.items():
            records = earlier.units[key][1] if key is not None and key in earlier.units else None
            if records is not None and not any(_names(record, file) for record in records for file in changed):
                self.reused[unit] = records

    def unit_of(self, node: Node) -> Node | None:
        """The unit `node` is in (or is); None outside every unit."""
        if node.server is not None:
            return node.server
        while node is not None and node not in self.ordinal:
            node = node.parent
        return node

    def linted(self, unit: Node | None) -> bool:
        """Are this run's verdicts on `unit` (None: outside every unit) the ones to report?"""
        return unit is None or unit not in self.reused

    @contextlib.contextmanager
    def pruned(self, root: Node) -> Iterator[Elsewhere]:
        """`root` with the reused units left out of their http blocks, for
        as long as the rules run; yields what those units add to
        whole-config answers (the variables they make)."""
        if not self.reused:
            yield Elsewhere()
            return
        with _without(root, self.reused):
            summaries = [self.summaries[unit] for unit in self.reused]
            yield Elsewhere(frozenset(n for s in summaries for n in s[1]), all(s[3] for s in summaries))

    def keep(self, records: dict[Node, list[Record]]) -> Kept | None:
        """What the next run may reuse: every unit's verdicts, this run's
        (`records`, by unit) or the reused ones. None when not keeping."""
        if not self.keeping:
            return None
        kept = Kept(self.context, digests=dict(self._digests))
        for unit, key in self.keys.items():
            if key is not None:
                verdicts = self.reused[unit] if unit in self.reused else tuple(records.get(unit, ()))
                kept.units[key] = (self.summaries[unit], verdicts)
        return kept


def _units(root: Node) -> list[Node]:
    """The units of one tree, in configuration order: the servers and
    upstreams of its http blocks."""
    return [c for block in _http_blocks(root) for c in block.children or () if c.inner in UNIT_CONTEXTS]


def _http_blocks(root: Node) -> list[Node]:
    return [root] if root.inner == "http" else [c for c in root.children or () if c.inner == "http"]


def _key(unit: Node, nth: int, config: Config) -> Key | None:
    """What a unit's lines are made of: where it stands (the nth unit at
    that file and line), and its file's and its included files' digests.
    None when a file's digest is unknown (read from standard input)."""
    files = (unit.file, *config.block_files.get(unit, ()))
    digests = tuple(config.digests.get(file) for file in files)
    if None in digests:
        return None
    return unit.file, unit.line, nth, files, digests


def _names(record: Record, file: str) -> bool:
    """Does a verdict point into `file` (its line, a related place, the
    block it applies to, or a place its message quotes)?"""
    _, at, _, message, _, _, related, block = record
    return at == file or file in message or any(r[0] == file for r in related) or (block is not None and block[0] == file)


def _summary(unit: Node) -> Summary:
    """What other units see of `unit` (the module doc): its own directives
    (not its blocks: a server's locations are its own), the variables it
    makes, the maps written in it, and whether its directives are all
    stock ones."""
    own = (unit.name, unit.args, tuple((c.name, c.args) for c in unit.children if c.children is None))
    maps = tuple((m.args, tuple((e.name, e.args) for e in m.children or ()))
                 for m in walk(unit) if m.name == "map")
    return own, tuple(sorted(defined_names(unit)["http"])), maps, stock_only(unit)


def _context(config: Config, summaries: list[Summary], units: Collection[Node]) -> str:
    """The digest of everything outside every unit, and of what each unit
    shows the others, in order. Without line numbers: a line moved by an
    edit moves only in the edited file, and a verdict pointing into that
    file is not reused (_names)."""
    complete = not any(p.rule in ("INC001", "INC003", "INC004") for p in config.problems)
    outside = []
    for root in config.roots:
        with _without(root, units):
            outside.append((root.inner, root.file, [
                (n.name, n.args, n.file, n.context, n.inner, len(n.children) if n.children is not None else -1, n in config.incomplete)
                for n in walk(root)]))
    return _digest((complete, outside, summaries))


@contextlib.contextmanager
def _without(root: Node, units: Collection[Node]) -> Iterator[None]:
    """`root` without those of `units` in its http blocks, until the block ends."""
    saved = [(block, block.children) for block in _http_blocks(root)]
    try:
        for block, children in saved:
            block.children = [c for c in children if c not in units]
        yield
    finally:
        for block, children in saved:
            block.children = children


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()
