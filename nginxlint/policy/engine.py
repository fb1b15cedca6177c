"""Run every rule over every block of the loaded trees; produce findings.

Input problems (SYN…, INC…) come first, as findings with the same metadata
as policy rules; then context checks; then the policy rules: on the
effective configuration of each selected block, on each selected statement
as written, or, for the few rules the language cannot say, a built-in check
in code (checks/).
"""
from __future__ import annotations

from collections.abc import Callable

from .. import checks
from ..findings.records import Finding, Related
from ..reading.loader import Config
from ..reading.tree import Node
from ..semantics.effective import Effective
from ..semantics.placement import check_contexts
from ..semantics.servers import TlsIndex, describe_location, display_name, enclosing_server
from ..semantics.structure import check_structure
from ..semantics.variables import MapIndex
from .assertions import Failure
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
    context_rule, structure_rule = policies.rule("SYN002"), policies.rule("SYN003")
    effective = Effective(version)
    maps = MapIndex(config.roots)
    checked = [r for r in policies.rules if (r.select is not None or r.python) and wanted(r.id)]
    for root in config.roots:
        for rule, problems in ((context_rule, check_contexts(root, version)), (structure_rule, check_structure(root))):
            if wanted(rule.id):
                findings.extend(_finding(rule, problem.node, problem.message, ()) for problem in problems)
        scope = Scope(effective, maps, TlsIndex(root), root, frozenset(config.incomplete))
        selected: dict[int, list[Node]] = {}  # rules of a pack share named selectors: match once
        for rule in checked:
            if rule.python is not None:
                failures = [(f, f.node) for f in checks.run(rule.python, config, root, scope.every_block)]
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


def _finding(rule: Rule, node: Node, message: str, related: tuple[Related, ...]) -> Finding:
    return Finding(rule.id, rule.name, rule.severity, message, node.file, max(node.line, 1),
                   display_name(enclosing_server(node)) if node.parent else None,
                   describe_location(node) if node.parent else None, related)
