"""Run every rule over every block of the loaded trees; produce findings.

Two sources, one kind of record: the problems the loader met while reading
(SYN…, INC…, by their rule ids), and the rules, each judged per tree: on
the effective configuration of each selected block, on each selected
statement as written, or, for what the language cannot say, by a check in
code (checks/, which also holds what nginx -t rejects). Every verdict is a
Failure; this module alone turns Failures into Findings.

One finding per cause: a rule's Failures are grouped by the line they point
at, so a server-level line inherited by five locations is one finding at
that line, with the five locations in `related` (Related.affected), and a
rule never reports one line twice (different facts about one line are
joined into one message). A server that lacks a directive its http block
could set lacks it because the http block does: that finding moves to the
http block, so one missing http-level line is one finding.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .. import checks
from ..checks.view import TreeView
from ..findings.records import Failure, Finding, Related, also_reaches, applies_to
from ..reading.loader import Config
from ..reading.tree import Node
from ..semantics import directives
from ..semantics.dataflow import DataFlow
from ..semantics.effective import Effective
from ..semantics.servers import ServerFacts, describe_location, display_name, enclosing_server
from ..semantics.variable_names import Elsewhere
from ..semantics.variables import MapIndex
from .model import PolicySet, Rule
from .scope import Scope
from .selectors import Selector
from .units import Kept, Record, Units


class _Fields(dict):
    """Message placeholders; an unknown one is left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Placed(NamedTuple):
    """One Failure (or input problem) with its message filled and the line it
    is reported at, before Failures of one cause are grouped into a Finding.
    A tuple: one is made per failure, and a frozen dataclass costs three times as much."""

    rule: Rule
    file: str
    line: int
    message: str
    server: str | None = None
    location: str | None = None
    related: tuple[Related, ...] = ()
    block: tuple[str, int] | None = None  # the server or location it applies to: file, line

    def stored(self) -> Record:
        """As the result cache keeps it (units.Kept)."""
        return (self.rule.id, self.file, self.line, self.message, self.server, self.location,
                tuple((r.file, r.line, r.message, r.affected) for r in self.related), self.block)

    @classmethod
    def restored(cls, record: Record, rules: dict[str, Rule]) -> _Placed:
        rule, file, line, message, server, location, related, block = record
        return cls(rules[rule], file, line, message, server, location,
                   tuple(Related(*r) for r in related), tuple(block) if block is not None else None)


@dataclass
class Memo:
    """An incremental run's state: what an earlier run kept (in), what this
    one keeps for the next (out). See units.py."""

    earlier: Kept | None
    kept: Kept | None = None
    reused: int = 0  # units (servers, upstreams) whose earlier verdicts this run reused


def lint(config: Config, policies: PolicySet, version: str,
         wanted: Callable[[str], bool] = lambda rule_id: True, declared_directives: tuple[str, ...] = (),
         memo: Memo | None = None) -> list[Finding]:
    """Findings of every rule `wanted` (by id) on the loaded trees, one per
    cause. `declared_directives`: names the project's own modules define.
    With a `memo`, verdicts on the servers and upstreams whose lines and
    context are as the earlier run saw them are reused (units.py), and this
    run's are kept in it. Verdicts come in one order whatever was reused:
    by tree, rule, then where their block stands in the configuration."""
    placed: list[_Placed] = []
    for problem in config.problems:
        rule = policies.rule(problem.rule)
        if wanted(rule.id):
            placed.append(_Placed(rule, problem.file, problem.line, problem.message))
    units = Units(config, memo.earlier if memo is not None else None, keeping=memo is not None)
    position = {rule.id: index for index, rule in enumerate(policies.rules)}
    rules = {rule.id: rule for rule in policies.rules}
    judged: list[tuple[tuple[int, int, int], _Placed]] = []  # ((tree, rule, place), verdict): one order for every run
    trees = {id(root): index for index, root in enumerate(config.roots)}
    fresh: dict[Node, list[Record]] = {}
    named: dict[Node | None, tuple[str | None, str]] = {}  # server -> how findings name it (_place)
    for v in verdicts(config, policies, version, wanted, declared_directives, units):
        unit = units.unit_of(v.target)
        if not units.linted(unit):
            continue  # a reused server reached from another (duplicate names, sockets): its verdicts stand
        one = _place(v.rule, v.failure, v.target, v.scope, policies, named)
        judged.append(((trees[id(v.scope.root)], position[v.rule.id], units.place(v.target)), one))
        if unit is not None and units.keeping:
            fresh.setdefault(unit, []).append(one.stored())
    for unit, records in units.reused.items():
        where = (units.tree[unit], units.place(unit))
        judged.extend(((where[0], position[r[0]], where[1]), _Placed.restored(r, rules)) for r in records)
    judged.sort(key=lambda pair: pair[0])
    placed.extend(one for _, one in judged)
    if memo is not None:
        memo.kept, memo.reused = units.keep(fresh), len(units.reused)
    causes: dict[tuple[str, str, int], list[_Placed]] = {}
    for one in placed:
        causes.setdefault((one.rule.id, one.file, one.line), []).append(one)
    return sorted((_finding(group) for group in causes.values()), key=Finding.sort_key)


class Verdict(NamedTuple):
    """One rule's Failure on one target, with the scope it was judged in:
    what `fix` needs to plan an edit (the nodes), before lint() reduces it
    to a Finding (file, line, message). A tuple, as _Placed."""

    rule: Rule
    failure: Failure
    target: Node
    scope: Scope

    @property
    def cause(self) -> Node:
        return _cause(self.failure, self.target, self.scope)

    @property
    def line(self) -> int:
        """The line its Finding is reported at (what fix looks findings up by)."""
        return _line(self.failure, self.cause)


def verdicts(config: Config, policies: PolicySet, version: str, wanted: Callable[[str], bool],
             declared_directives: tuple[str, ...] = (), units: Units | None = None) -> Iterator[Verdict]:
    """Every Failure of every rule `wanted` on every tree, in rule order per
    tree. With `units`, rules run without the units whose verdicts it
    reuses; what compares servers (sockets, names, routing) still sees them
    all (ServerFacts, the router's maps are built before they are left out),
    and selectors judging the root, an http block or a line written directly
    in one run after, on the whole tree (Units.levels)."""
    effective = Effective(version)
    maps = MapIndex(config.maps)
    checked = [r for r in policies.rules if (r.select is not None or r.python) and wanted(r.id)]
    for root in config.roots:
        # Of the whole tree, also while units are left out of it.
        servers, root_maps = ServerFacts([root]), MapIndex(m for m in config.maps if m.top() is root)
        levels = units.levels(root) if units is not None else ()
        with units.pruned(root) if units is not None else contextlib.nullcontext(Elsewhere()) as elsewhere:
            scope = Scope(effective, maps, servers, root, frozenset(config.incomplete), root_maps)
            view = TreeView(root, scope.every_block, effective, maps, scope.servers,
                            tuple(g for g in config.globbed if g.root is root), DataFlow(maps), policies.values,
                            config.complete(root), declared_directives, elsewhere)
            selected: dict[Selector, list[Node]] = {}  # rules share selectors (named, or written alike): match once
            for rule in checked:
                if rule.python is not None:
                    for failure in checks.CHECKS[rule.python](view):
                        yield Verdict(rule, failure, failure.node, scope)
                    continue
                if rule.select not in selected:
                    targets = rule.select.targets(scope)
                    selected[rule.select] = [t for t in targets if not rule.select.at_level(t, levels)] if levels else targets
                yield from _judged(rule, selected[rule.select], scope)
        # The root and its http blocks, and what is written directly in them,
        # after the rest in every run, whether or not units were left out: the
        # verdicts lint() sorts stably come in one order. On the whole tree:
        # a second scope when units were left out of the first.
        if levels and units.reused:
            scope = Scope(effective, maps, servers, root, frozenset(config.incomplete), root_maps)
        for rule in checked if levels else ():
            if rule.python is None:
                yield from _judged(rule, rule.select.at_levels(levels, scope), scope)


def _judged(rule: Rule, targets: list[Node], scope: Scope) -> Iterator[Verdict]:
    failures, statement = rule.check.failures, rule.select.selects_statements
    for target in targets:
        for failure in failures(target, scope, statement):
            yield Verdict(rule, failure, target, scope)


def _place(rule: Rule, failure: Failure, target: Node, scope: Scope, policies: PolicySet,
           named: dict[Node | None, tuple[str | None, str]]) -> _Placed:
    """`named`: the servers named so far, kept for the run's other failures in them."""
    host = enclosing_server(target)
    if host not in named:
        server = display_name(host)
        # An unnamed server is named by where it is, so messages never start with a blank.
        named[host] = server, server or (f"the server at {host.where()}" if host is not None else "")
    server, shown = named[host]
    location = describe_location(target)
    fields = _Fields(policies.values)
    fields.update(failure.fields, server=shown, location=location or "")
    message = (failure.message or rule.message).format_map(fields)
    cause = _cause(failure, target, scope)
    block = target if target.inner in ("server", "location") else target.location or target.server
    return _Placed(rule, cause.file, _line(failure, cause), message, server, location, failure.related,
                   (block.file, block.line) if block is not None else None)


def _line(failure: Failure, cause: Node) -> int:
    """The failure's own line (what nginx -t names) when it is about the
    cause itself, else the cause's first line."""
    return max(failure.line if failure.line is not None and cause is failure.node else cause.line, 1)


def _cause(failure: Failure, target: Node, scope: Scope) -> Node:
    """The node one cause is reported at: the failure's, except for a server
    that writes nothing of the directive it fails on: the http block around
    it lacks the line too, and one line there covers every server, so the
    cause is the http block (SEC021: one finding for the config)."""
    node, directive = failure.node, failure.fields.get("directive")
    http = node.parent
    if (node is target and node.inner == "server" and directive and http is not None and http.name == "http"
            and directives.spec_for(directive, "http") is not None and not scope.effective.own(node, directive)):
        return http
    return node


def _finding(group: list[_Placed]) -> Finding:
    """One Finding for the Failures of one rule at one line. The message is
    the first affected block's (its different facts joined); every affected
    block is in `related` when there is more than one; server and location
    are the ones all of them share, else None (naming one of several would
    mislead whoever filters by them)."""
    first, rule = group[0], group[0].rule
    if len(group) == 1:  # most causes: one failure, nothing to merge
        return Finding(rule.id, rule.name, rule.severity, first.message, first.file, first.line,
                       first.server, first.location, first.related)
    blocks = {p.block: p for p in group}  # first of each affected block, in order
    message = _joined(list(dict.fromkeys(p.message for p in group if p.block == first.block)))
    related = tuple(dict.fromkeys(r for p in group for r in p.related))
    if len(blocks) > 1:
        noun = ("location" if all(p.location is not None for p in blocks.values())
                else "server" if all(p.location is None for p in blocks.values()) else "block")
        message += also_reaches(len(blocks) - 1, noun)
        related += tuple(Related(*p.block, applies_to(p.server, p.location), affected=True)
                         for p in blocks.values() if p.block is not None)
    server = first.server if all(p.server == first.server for p in group) else None
    location = first.location if all(p.location == first.location for p in group) else None
    return Finding(rule.id, rule.name, rule.severity, message, first.file, first.line, server, location, related)


def _joined(messages: list[str]) -> str:
    """Several facts about one line as one message, a prefix they share up
    to a ": " written once: "if (…): not anchored with ^…; not anchored with $…"."""
    if len(messages) == 1:
        return messages[0]
    shared = os.path.commonprefix(messages)
    cut = shared.rfind(": ") + 2 if ": " in shared else 0
    return messages[0][:cut] + "; ".join(m[cut:] for m in messages)
