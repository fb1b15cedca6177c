"""Built-in checks written in code, for what the policy language cannot say.

A rule names one with `python: NAME` (see policies/security.yaml); the
engine calls it once per loaded tree, with every block of the tree (root
first, in file order, so checks need not walk it again), and turns its
failures into findings exactly as for YAML rules. Each check's rule docs say
why it needs code.
"""
from __future__ import annotations

from collections.abc import Callable

from ..policy.assertions import Failure
from ..reading.loader import Config
from ..reading.tree import Node
from . import backup_files, duplicate_servers, header_injection, public_resolver, regex_backtracking, ssrf_upstream, weak_origin_regex

CHECKS: dict[str, Callable[[Config, Node, list[Node]], list[Failure]]] = {
    "header-injection": header_injection.check,
    "duplicate-server": duplicate_servers.check,
    "backup-file-included": backup_files.check,
    "ssrf-upstream": ssrf_upstream.check,
    "weak-origin-regex": weak_origin_regex.check,
    "public-resolver": public_resolver.check,
    "regex-backtracking": regex_backtracking.check,
}


def run(name: str, config: Config, root: Node, blocks: list[Node]) -> list[Failure]:
    return CHECKS[name](config, root, blocks)
