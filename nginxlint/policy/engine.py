"""Run every rule over every block of the loaded trees; produce findings.

Two sources, one kind of record: the problems the loader met while reading
(SYN…, INC…, by their rule ids), and the rules, each judged per tree: on
the effective configuration of each selected block, on each selected
statement as written, or, for what the language cannot say, by a check in
code (checks/, which also holds what nginx -t rejects). Every verdict is a
Failure; this module alone turns Failures into Findings.
"""
from __future__ import annotations

from collections.abc import Callable

from .. import checks
from ..checks.view import TreeView
from ..findings.records import Failure, Finding
from ..reading.loader import Config
from ..reading.tree import Node
from ..semantics.effective import Effective
from ..semantics.servers import ServerFacts, describe_location, display_name, enclosing_server
from ..semantics.variables import MapIndex
from .model import PolicySet, Rule
from .scope import Scope


class _Fields(dict):
    """Message placeholders; an unknown one is left as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def lint(config: Config, policies: PolicySet, version: str,
         wanted: Callable[[str], bool] = lambda rule_id: True) -> list[Finding]:
    """Findings of every rule `wanted` (by id) on the loaded trees."""
    findings: list[Finding] = []
    for problem in config.problems:
        rule = policies.rule(problem.rule)
        if wanted(rule.id):
            findings.append(Finding(rule.id, rule.name, rule.severity, problem.message, problem.file, problem.line))
    effective = Effective(version)
    maps = MapIndex(config.roots)
    checked = [r for r in policies.rules if (r.select is not None or r.python) and wanted(r.id)]
    for root in config.roots:
        scope = Scope(effective, maps, ServerFacts([root]), root, frozenset(config.incomplete))
        view = TreeView(root, scope.every_block, effective, maps, scope.servers,
                        tuple(g for g in config.globbed if g.root is root))
        selected: dict[int, list[Node]] = {}  # rules of a pack share named selectors: match once
        for rule in checked:
            if rule.python is not None:
                failures = [(f, f.node) for f in checks.CHECKS[rule.python](view)]
            else:
                if id(rule.select) not in selected:
                    selected[id(rule.select)] = rule.select.targets(scope)
                statement = rule.select.selects_statements
                failures = [(f, target) for target in selected[id(rule.select)] for f in rule.check.failures(target, scope, statement)]
            findings.extend(_from_failure(rule, failure, target, policies) for failure, target in failures)
    unique = {(f.rule, f.file, f.line, f.message, f.server, f.location): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)


def _from_failure(rule: Rule, failure: Failure, block: Node, policies: PolicySet) -> Finding:
    host = enclosing_server(block)
    server, location = display_name(host), describe_location(block)
    fields = _Fields(policies.values)
    # An unnamed server is named by where it is, so messages never start with a blank.
    shown = server or (f"the server at {host.where()}" if host is not None else "")
    fields.update(failure.fields, server=shown, location=location or "")
    message = (failure.message or rule.message).format_map(fields)
    return Finding(rule.id, rule.name, rule.severity, message, failure.node.file, max(failure.node.line, 1),
                   server, location, failure.related)
