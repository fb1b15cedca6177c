"""Reuse an earlier run's verdicts on the http servers and upstreams that did not change.

A pre-commit hook or an editor lints a whole tree after one file changed:
the parse cache spares re-parsing the other files, and this module spares
re-linting the blocks in them. The unit is an http-level `server` or
`upstream` block, with the files included in it. A rule's verdicts on the
blocks and statements of one unit depend on

- the unit's own lines (`key`: the digests of its file and of the files
  included in it, and where it stands);
- everything outside every unit, in order, with each unit's place in it:
  the main and http levels and what they include (inheritance, maps, log
  formats defined before a use, which of two servers comes first), and
  whether each tree is complete (a missing include anywhere turns the
  whole-config checks off);
- what the other units of its tree show to it: a server's server-level
  directives (listen, server_name, ssl: sockets, default servers, names;
  routing), the variables it makes and the maps written in it, an
  upstream's lines, and whether a unit's directives are all stock ones
  (SYN006 judges only such configs).

The last two make the run's `context`. When it is what the earlier run
recorded, the units whose key is known keep their recorded verdicts (unless
one points into a changed file: a line it quotes may have moved), and rules
run on the tree with those units left out (`pruned`). What looks across
units still sees them all: ServerFacts and the router are built before they
are left out (their verdicts on a unit left out are dropped: the recorded
ones stand), and a selector judging the root or an http block, or a
statement written directly in one (`contains:` below it), runs apart on the
whole tree (`levels`; engine.verdicts). When the context changed, every
unit is linted again. tests/test_incremental_*.py hold this to a run from
scratch, edit by edit.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from ..reading.loader import Config
from ..reading.tree import Node, walk
from ..semantics.servers import http_blocks
from ..semantics.variable_names import Elsewhere, defined_names, stock_only

# What other units see of one (see the module doc); plain values, so the
# result cache can store it (marshal).
Summary = tuple
Record = tuple  # a verdict as engine._Placed.stored() writes it
Key = tuple  # units._key
UNIT_CONTEXTS = ("server", "http-upstream")  # the inner contexts of the blocks that are units


@dataclass
class Kept:
    """What a run keeps for the next: its context and, per unit key, the
    unit's summary and its verdicts."""

    context: tuple = ()  # (digest of what lies outside every unit, every unit's summary in order)
    units: dict[Key, tuple[Summary, tuple[Record, ...]]] = field(default_factory=dict)
    digests: dict[str, str | None] = field(default_factory=dict)  # the files read: shown path -> sha256


class Units:
    """The units of one run, which of them to lint, and the others'
    verdicts from `earlier`; `keeping`: work out what the next run may reuse
    (without it, every unit is linted and nothing is kept)."""

    def __init__(self, config: Config, earlier: Kept | None, keeping: bool):
        self.tree = {unit: index for index, root in enumerate(config.roots) for unit in _units(root)}
        self.ordinal = {unit: index for index, unit in enumerate(self.tree)}  # in configuration order
        self._places = {block: index for index, block in enumerate(b for root in config.roots for b in _placed(root))}
        self.keeping = keeping
        self._roots = config.roots
        self.context: tuple = ()
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
        self.context = (_outside(config, self.ordinal), tuple(self.summaries.values()))
        self._digests = config.digests
        if self.context != earlier.context:
            return
        changed = [f for f in config.digests.keys() | earlier.digests.keys() if config.digests.get(f) != earlier.digests.get(f)]
        for unit, key in self.keys.items():
            records = earlier.units[key][1] if key is not None and key in earlier.units else None
            if records is not None and not any(_names(record, file) for record in records for file in changed):
                self.reused[unit] = records

    @classmethod
    def judging(cls, config: Config, files: frozenset[str]) -> Units:
        """Units for running rules on the servers and upstreams written in
        `files` (real paths), or including one, alone: the others are left
        out as if reused (fix plans an editor's fixes in one file)."""
        units = cls(config, None, keeping=False)
        real: dict[str, str] = {}
        for unit in units.ordinal:
            written = (unit.file, *config.block_files.get(unit, ()))
            if not any(real.setdefault(f, os.path.realpath(f)) in files for f in written):
                units.reused[unit] = ()
                units.summaries[unit] = _summary(unit)
        return units

    @staticmethod
    def levels(root: Node) -> tuple[Node, ...]:
        """The blocks whose children `pruned` changes (the http blocks) and
        the root around them, in configuration order: a rule that looks
        into one of these from it, or from a statement written directly in
        it, sees every unit only outside `pruned`."""
        return tuple(dict.fromkeys((root, *http_blocks(root))))

    def place(self, node: Node) -> int:
        """Where `node` stands in configuration order, to the block written at
        its tree's top level or in an http block that holds it (units among
        the rest): verdicts merged from two runs are put in the order one
        run's come in. -1 for a root."""
        while node is not None and node not in self._places:
            node = node.parent
        return -1 if node is None else self._places[node]

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
            index = next(i for i, r in enumerate(self._roots) if r is root)
            summaries = [self.summaries[unit] for unit in self.reused if self.tree[unit] == index]
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


def _placed(root: Node) -> Iterator[Node]:
    """The blocks written at the top of a tree and in its http blocks, in configuration order."""
    for top in root.children or ():
        yield top
        if top.inner == "http" and root.inner != "http":
            yield from top.children or ()


def _units(root: Node) -> list[Node]:
    """The units of one tree, in configuration order: the servers and
    upstreams of its http blocks."""
    return [c for block in http_blocks(root) for c in block.children or () if c.inner in UNIT_CONTEXTS]


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
    return own, tuple(sorted(defined_names(unit)["http"])), maps, stock_only(list(walk(unit)))


def _outside(config: Config, units: Collection[Node]) -> str:
    """The digest of everything outside every unit, each unit's place among
    it (its file; what it shows the others is compared apart), and whether
    each tree is complete (no include missing: whole-config checks run).
    Without line numbers: a line moved by an edit moves only in the edited
    file, and a verdict pointing into that file is not reused (_names)."""
    outside = []
    for root in config.roots:
        with _without(root, units, stand_ins=True):
            outside.append((root.inner, root.file, config.complete(root), [
                (n.name, n.args, n.file, n.context, n.inner, len(n.children) if n.children is not None else -1, n in config.incomplete)
                for n in walk(root)]))
    return hashlib.sha256(repr(outside).encode("utf-8", "surrogatepass")).hexdigest()


@contextlib.contextmanager
def _without(root: Node, units: Collection[Node], stand_ins: bool = False) -> Iterator[None]:
    """`root` without those of `units` in its http blocks, or with each
    replaced by a childless stand-in naming its file (`stand_ins`: where
    it stands counts), until the block ends."""
    saved = [(block, block.children) for block in http_blocks(root)]
    try:
        for block, children in saved:
            block.children = ([Node("unit", (), c.file, 0, c.context, block) if c in units else c for c in children]
                              if stand_ins else [c for c in children if c not in units])
        yield
    finally:
        for block, children in saved:
            block.children = children

