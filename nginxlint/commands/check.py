"""The phases of one `check` run, named: load policies, load configs, lint.

Policies are validated before any config is read, so a broken policy fails
fast and alone (exit 2) instead of after a long parse.
"""
from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable

from ..findings import baseline, rejected, suppress
from ..findings.records import SEVERITIES, Finding, LintResult, Related
from ..policy.engine import Memo, lint
from ..policy.load import load_policies
from ..policy.model import PolicyError, PolicySet, Rule
from ..reading.layout import Layout
from ..reading.loader import Config, load
from ..reading.probe import Probe
from ..reading.tree import release
from .check_options import CheckOptions


def prepare(options: CheckOptions) -> PolicySet:
    """Load and validate every policy and the rule settings (raises PolicyError).
    Rules of a pack that is off stay in the set (rules and explain list
    them); `wanted` leaves them out of a run."""
    policies = load_policies(options.policies, options.params, options.packs)
    ids = [rule.id for rule in policies.rules]
    unknown = options.selection.unknown(ids)
    if unknown:
        raise PolicyError(options.source, None, f"select/ignore names no rule: {', '.join(unknown)}")
    off = [prefix for prefix in options.selection.select
           if not any(r.id.startswith(prefix) and policies.is_on(r) for r in policies.rules)]
    if off:  # --select WS008 alone would silently run nothing
        packs = sorted({r.pack for r in policies.rules if any(r.id.startswith(p) for p in off)})
        raise PolicyError(options.source, None, f"select names only rules of a pack that is off: {', '.join(off)}; "
                          f"turn it on with {' '.join('--pack ' + p for p in packs)}")
    for rule_id, severity in options.severity.items():
        rule = policies.rule(rule_id)
        if rule is None or severity not in SEVERITIES:
            raise PolicyError(options.source, None, f"severity override {rule_id}={severity}: "
                              + ("no such rule" if rule is None else f"use one of {', '.join(SEVERITIES)}"))
        policies.rules[policies.rules.index(rule)] = dataclasses.replace(rule, severity=severity)
    return policies


def check(paths: list[str], options: CheckOptions, policies: PolicySet, probe: Probe | None = None) -> LintResult:
    """The result alone: the trees are freed before it is returned, so the
    report is built in the memory they held."""
    config, result = lint_paths(paths, options, policies, probe)
    for root in config.roots:
        release(root)
    return result


def lint_paths(paths: list[str], options: CheckOptions, policies: PolicySet,
               probe: Probe | None = None, memo: Memo | None = None) -> tuple[Config, LintResult]:
    """Load and lint; the loaded trees too, for commands that look further
    (diff). `probe` records what the loader read, for the cache; `memo`
    carries verdicts on servers between runs (policy/units.py)."""
    # The tree is millions of small objects that live until the end: the
    # cyclic collector would walk them over and over for nothing.
    gc.disable()
    try:
        probe = options.exclude.probe(probe or Probe(options.parse_cache))
        layout = Layout(options.root, options.prefix, options.prefix_of, options.allow_outside)
        config = load(paths, context=options.context, probe=probe, include_path=options.include_path, layout=layout)
        findings = rejected.apply(lint(config, policies, options.nginx_version, wanted(options, policies), options.directives,
                                       memo))
        findings = through_links(findings, config.links)
        findings = sorted(suppress.apply(findings, config, policies, wanted(options, policies)), key=Finding.sort_key)
        findings = options.exclude.keep(findings)
    finally:
        # Hand the collector what this run made as old objects, without a
        # pass over them (freeze then unfreeze moves them all to the oldest
        # generation): re-enabled as it was, its next young pass would walk
        # the whole tree, and the one after that free it, about 0.15 CPU s on
        # a 1,000-site tree. Once the tree is garbage, a full pass frees it
        # in a long-lived process (the editor's); a command exits first.
        gc.freeze()
        gc.unfreeze()
        gc.enable()
    return config, LintResult(tuple(findings), tuple(config.errors), len(config.files), rules_run(options, policies))


def against_baseline(config: Config, result: LintResult, recorded: list[baseline.Entry] | None, baseline_file: str | None,
                     write: Callable[[str], None] | None = None) -> LintResult:
    """The result without the findings `recorded` (read from `baseline_file`)
    accounts for. `write`, when given, is handed the text of this run's own
    baseline (--write-baseline); without a baseline read, that one applies,
    so writing one reports nothing."""
    current = baseline.entries(result.findings, config)
    if write is not None:
        write(baseline.dumps(current))
    if recorded is None:
        recorded = current
    findings, outcome = baseline.apply(result.findings, current, recorded, baseline_file)
    return dataclasses.replace(result, findings=findings, baseline=outcome)


def through_links(findings: list[Finding], links: dict[str, str]) -> list[Finding]:
    """A finding in a file read through a symlink (sites-enabled/app ->
    sites-available/app) names the target, the file one edits; the link
    is added as related, at the same line (it shows the same text)."""
    if not links:
        return findings
    return [dataclasses.replace(f, related=(*f.related, Related(links[f.file], f.line, f"read through the symlink {links[f.file]}")))
            if f.file in links else f for f in findings]


def wanted(options: CheckOptions, policies: PolicySet) -> Callable[[str], bool]:
    """Does a run apply the rule of this id: its pack is on, and --select /
    --ignore keep it. (A pack that is off is left out here, where the rules
    of a run are chosen, rather than in the engine.)"""
    on = {rule.id for rule in policies.rules if policies.is_on(rule)}
    return lambda rule_id: rule_id in on and options.selection.wants(rule_id)


def rules_run(options: CheckOptions, policies: PolicySet) -> tuple[Rule, ...]:
    """The rules a run applies, for reporters that list them (SARIF)."""
    wants = wanted(options, policies)
    return tuple(rule for rule in policies.rules if wants(rule.id))
