"""Selectors: which blocks (or statements) a rule looks at.

A selector is a mapping; every key present must hold for a block to be
selected. `KEYS` is the language: one entry per key, each a class that
reads its key from the policy and answers for a block. Two keys change what
is selected rather than filter it: `directive:` selects the statements of
those names (the other keys describe the block they stand in) and `serves:`
the one block that serves a request; without them, every block of the
`kind:` given is a candidate.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ...findings.records import Related
from ...reading.tree import Node
from ..compiling import Compiler, mapping
from ..scope import Scope
from ..yamlload import Map, Seq
from .conditions import KINDS, Condition, Contains, Handshake, Has, Kind, Loopback, Modifier, Negated, Own, Path, Proxies, ServerName, Tls, Whole
from .serves import Serves, ServesPrefix
from .websocket import Websocket


@dataclass(frozen=True)
class Statements:
    """`directive:` (with `args:`) selects every written statement of those
    names, wherever it stands; the other keys describe the block it is
    written in."""

    key: ClassVar[str] = "directive"
    companions: ClassVar[tuple[str, ...]] = ("args",)
    names: tuple[str, ...]
    args: re.Pattern | None

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Statements:
        names = compiler.directives(select[cls.key], select.line_of(cls.key), cls.key)
        args = select.get("args")
        return cls(names, None if args is None else compiler.regex(args, select.line_of("args"), "args"))

    def targets(self, matches: Callable[[Node, Scope], bool], scope: Scope) -> list[Node]:
        judged: dict[int, bool] = {}  # block -> does it satisfy the selector (asked once per block)
        found = []
        for name in self.names:
            for node in scope.written.get(name, ()):
                if self.args is not None and not self.args.search(" ".join(node.args)):
                    continue
                level = node.parent
                if id(level) not in judged:
                    judged[id(level)] = matches(level, scope)
                if judged[id(level)]:
                    found.append(node)
        return found

    def at_levels(self, matches: Callable[[Node, Scope], bool], levels: tuple[Node, ...], scope: Scope) -> list[Node]:
        """targets(), of the statements written directly in `levels`."""
        return [node for level in levels if matches(level, scope) for node in level.children or ()
                if node.name in self.names and (self.args is None or self.args.search(" ".join(node.args)))]

    def at_level(self, node: Node, levels: tuple[Node, ...]) -> bool:
        return node.parent in levels


class NotSelector:
    """`not: {…}`: the block fails at least one of the keys inside."""

    key: ClassVar[str] = "not"

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Condition:
        inner = mapping(select[cls.key], select.line_of(cls.key), compiler, "not")
        if not inner:
            raise compiler.error(select.line_of(cls.key), "not needs at least one selector key")
        return Negated(All(tuple(_conditions(inner, compiler, inside_not=True, inside="not"))))


class AnySelector:
    """`any: [{…}, {…}]`: the block meets every key of at least one mapping
    (one rule for one defect seen from two sides, as SEC004's Host line where
    it is applied and in a snippet applied elsewhere)."""

    key: ClassVar[str] = "any"

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Condition:
        line = select.line_of(cls.key)
        items = select[cls.key]
        if not isinstance(items, Seq) or not items:
            raise compiler.error(line, "any needs a list of selector mappings")
        branches = [mapping(item, line, compiler, "each any branch") for item in items]
        if any(not branch for branch in branches):
            raise compiler.error(line, "each any branch needs at least one selector key")
        return AnyOf(tuple(All(tuple(_conditions(branch, compiler, inside_not=True, inside="any"))) for branch in branches))


@dataclass(frozen=True)
class AnyOf:
    branches: tuple[All, ...]

    def holds(self, block: Node, scope: Scope) -> bool:
        for branch in self.branches:  # noqa: SIM110 (a loop, as in All.holds)
            if branch.holds(block, scope):
                return True
        return False


@dataclass(frozen=True)
class All:
    conditions: tuple[Condition, ...]

    def holds(self, block: Node, scope: Scope) -> bool:
        # A loop, not all() over a generator: this runs for every block of
        # every selector, and most blocks fail the first (cheapest) condition.
        for condition in self.conditions:  # noqa: SIM110
            if not condition.holds(block, scope):
                return False
        return True


# The selector keys, in the order blocks are asked (cheap facts first).
KEYS = {cls.key: cls for cls in (Kind, Statements, Serves, Tls, Whole, Handshake, Loopback, ServerName, Modifier, Path,
                                 ServesPrefix, Own, Has, Contains, Proxies, NotSelector, AnySelector, Websocket)}
SOURCES = (Statements, Serves)  # keys that choose what is selected
COMPANIONS = {companion: cls.key for cls in KEYS.values() for companion in getattr(cls, "companions", ())}


@dataclass(frozen=True)
class Blocks:
    """No `directive:` or `serves:`: every block the conditions accept.
    `kinds` (the selector's `kind:`) and `owns` (its `own:`), conditions
    too, pass over most of the tree's blocks without asking the conditions
    of each: a block that writes none of `owns` is not even looked at."""

    kinds: frozenset[str] | None = None
    owns: tuple[str, ...] | None = None

    def targets(self, matches: Callable[[Node, Scope], bool], scope: Scope) -> list[Node]:
        kinds = self.kinds
        blocks = scope.blocks if self.owns is None else scope.writing(self.owns)
        if kinds is None:
            return [b for b in blocks if matches(b, scope)]
        return [b for b in blocks if b.inner in kinds and matches(b, scope)]

    def at_levels(self, matches: Callable[[Node, Scope], bool], levels: tuple[Node, ...], scope: Scope) -> list[Node]:
        """targets(), among `levels` themselves."""
        return [b for b in levels if b not in scope.incomplete and matches(b, scope)]

    def at_level(self, node: Node, levels: tuple[Node, ...]) -> bool:
        return node in levels


@dataclass(frozen=True)
class Selector:
    source: Blocks | Statements | Serves
    condition: All
    line: int = field(compare=False)  # where it is written; equal selectors match the same blocks

    @property
    def selects_statements(self) -> bool:
        return isinstance(self.source, Statements)

    def targets(self, scope: Scope) -> list[Node]:
        return self.source.targets(self.condition.holds, scope)

    # A tree linted with some servers left out (policy/units.py) has them
    # missing below its root and http blocks, the "levels": a selector
    # judging a level (`contains:` below it, a statement written in it)
    # would see a part of the tree. The engine picks such targets apart,
    # on the whole tree.
    def at_levels(self, levels: tuple[Node, ...], scope: Scope) -> list[Node]:
        """targets(scope) among `levels` (blocks) or written directly in them (statements)."""
        return self.source.at_levels(self.condition.holds, levels, scope)

    def at_level(self, target: Node, levels: tuple[Node, ...]) -> bool:
        """Is `target` one at_levels() would give?"""
        return self.source.at_level(target, levels)

    @property
    def explains(self) -> bool:
        """Does a key of this selector say why it chose a block (`reason`)?"""
        return any(hasattr(c, "reason") for c in self.condition.conditions)

    def reasons(self, block: Node, scope: Scope) -> tuple[Related, ...]:
        """Why the keys that can say it chose `block` (what made a location
        a WebSocket one), for a finding's related places."""
        found = (c.reason(block, scope) for c in self.condition.conditions if hasattr(c, "reason"))
        return tuple(r for r in found if r is not None)


def compile_selector(select: object, compiler: Compiler) -> Selector | None:
    """The selector, or None with its errors recorded in `compiler`."""
    select = compiler.collect(lambda: mapping(select, None, compiler, "select"))
    if select is None:
        return None
    before = len(compiler.errors)
    sources = [compiler.collect(lambda cls=cls: cls.from_yaml(select, compiler)) for cls in SOURCES if cls.key in select]
    conditions = _conditions(select, compiler, inside_not=False)
    if len(sources) > 1:
        compiler.errors.append(compiler.error(select.line_of("directive"), "directive and serves cannot be combined"))
    elif not sources and "kind" not in select:
        compiler.errors.append(compiler.error(select.line, "select needs a kind (" + ", ".join(KINDS) + "), a directive or serves"))
    if len(compiler.errors) > before:
        return None
    kinds = next((c.kinds for c in conditions if isinstance(c, Kind)), None)
    owns = next((c.names for c in conditions if isinstance(c, Own)), None)
    return Selector(sources[0] if sources else Blocks(kinds, owns), All(tuple(conditions)), select.line)


def _conditions(select: Map, compiler: Compiler, inside_not: bool, inside: str = "not") -> list[Condition]:
    """The conditions of a selector mapping, in KEYS order; every unknown or
    misplaced key is an error at its line."""
    for key in select:
        line = select.line_of(key)
        if key in COMPANIONS and COMPANIONS[key] not in select:
            compiler.errors.append(compiler.error(line, f"{key} needs {COMPANIONS[key]}: it qualifies it"))
        elif key not in KEYS and key not in COMPANIONS:
            compiler.errors.append(compiler.error(line, f"unknown selector key {key!r}; known: {', '.join(KEYS)}"))
        elif inside_not and KEYS.get(key) in SOURCES:
            compiler.errors.append(compiler.error(line, f"{key} cannot stand inside {inside}: it chooses what is selected"))
    found = (compiler.collect(lambda cls=cls: cls.from_yaml(select, compiler))
             for key, cls in KEYS.items() if key in select and cls not in SOURCES)
    return [c for c in found if c is not None]
