"""Built-in checks written in code, for what the policy language cannot say.

A rule names one with `python: NAME` (see policies/security.yaml and
data/input_rules.yaml); the engine calls it once per loaded tree with a
read-only TreeView (view.py) and turns the Failures it returns into
findings exactly as for YAML rules. Each check's rule docs say why it needs
code. This table is the whole registry: a new check is a module and a line.
"""
from __future__ import annotations

from collections.abc import Callable

from ..findings.records import Failure
from . import (
    backup_files,
    duplicate_servers,
    header_injection,
    nginx_t,
    public_resolver,
    regex_backtracking,
    ssrf_upstream,
    weak_origin_regex,
)
from .view import TreeView

CHECKS: dict[str, Callable[[TreeView], list[Failure]]] = {
    "directive-placement": nginx_t.placement,
    "block-structure": nginx_t.structure,
    "invalid-value": nginx_t.values,
    "unknown-directive": nginx_t.names,
    "listen-ssl-without-certificate": nginx_t.certificates,
    "listen-conflict": nginx_t.listen_conflicts,
    "no-events-section": nginx_t.events,
    "unknown-variable": nginx_t.variables,
    "invalid-regex": nginx_t.regexes,
    "header-injection": header_injection.check,
    "duplicate-server": duplicate_servers.check,
    "backup-file-included": backup_files.check,
    "ssrf-upstream": ssrf_upstream.check,
    "weak-origin-regex": weak_origin_regex.check,
    "public-resolver": public_resolver.check,
    "regex-backtracking": regex_backtracking.check,
}
