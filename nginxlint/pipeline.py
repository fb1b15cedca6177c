"""The phases of one `check` run, named: load policies, load configs, lint.

Policies are validated before any config is read, so a broken policy fails
fast and alone (exit 2) instead of after a long parse.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field

from .findings import LintResult
from .loader import load
from .policy.engine import lint
from .policy.load import load_policies
from .policy.model import PolicySet

# nginx before 1.29.7 (proxy_http_version 1.0 by default); 1.28 is the last
# stable line with those defaults.
DEFAULT_NGINX_VERSION = "1.28"


@dataclass
class CheckOptions:
    policies: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    nginx_version: str = DEFAULT_NGINX_VERSION
    root: str | None = None
    context: str | None = None


def prepare(options: CheckOptions) -> PolicySet:
    """Load and validate every policy (raises PolicyError)."""
    return load_policies(options.policies, options.params)


def check(paths: list[str], options: CheckOptions, policies: PolicySet) -> LintResult:
    # The tree is millions of small objects that live until the end: the
    # cyclic collector would walk them over and over for nothing.
    gc.disable()
    try:
        config = load(paths, options.root, options.context)
        findings = lint(config, policies, options.nginx_version)
    finally:
        gc.enable()
    return LintResult(tuple(findings), tuple(config.errors), len(config.files))
