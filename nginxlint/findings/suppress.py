"""Inline suppressions, written in the nginx config itself:

    proxy_request_buffering on;  # nginxlint: disable=WS007 -- uploads are small
    # nginxlint: disable=WS008,WS009 -- the app pings every 30 s
    location /ws/ { … }          # the comment line before a block covers the block
    # nginxlint: disable-file=HDR001

A comment covers the directive that starts on its own line, else the one on
the next line (the whole block, for a block), or the whole file. Rule ids
may be prefixes (`WS`). A suppression that suppresses nothing is reported
(NLS001), so stale ones surface; a comment that starts with `nginxlint:` but
cannot be read is reported too (NLS002), never ignored silently.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..policy.model import PolicySet, Rule
from ..reading.loader import Config
from ..reading.tree import walk
from .records import Finding

_MARKER = re.compile(r"^\s*nginxlint\s*:(.*)$")
_FORM = re.compile(r"^\s*(disable|disable-file)\s*=\s*([A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*)\s*(?:--\s*(.*))?$")
USAGE = "expected '# nginxlint: disable=RULE[,RULE] -- reason' or '# nginxlint: disable-file=RULE'"


@dataclass
class Suppression:
    file: str
    line: int
    rules: tuple[str, ...]
    start: int  # first and last line covered
    end: int
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> str | None:
        """The rule (prefix) of this suppression that silences `finding`, if any."""
        if finding.file == self.file and self.start <= finding.line <= self.end:
            return next((r for r in self.rules if finding.rule.startswith(r)), None)
        return None


def apply(findings: list[Finding], config: Config, policies: PolicySet,
          wanted: Callable[[str], bool]) -> list[Finding]:
    """Drop suppressed findings; add NLS001/NLS002 for stale or unreadable comments."""
    suppressions, extra = _collect(config, policies)
    kept = []
    for finding in findings:
        hits = [(s, r) for s in suppressions if (r := s.covers(finding))]
        for suppression, rule in hits:
            suppression.used.add(rule)
        if not hits:
            kept.append(finding)
    stale = policies.rule("NLS001")
    for suppression in suppressions:
        for rule in suppression.rules:
            if rule not in suppression.used and any(wanted(r.id) for r in policies.rules if r.id.startswith(rule)):
                extra.append(_finding(stale, suppression.file, suppression.line,
                                      f"suppression of {rule} matches no finding; remove it"))
    return kept + [f for f in extra if wanted(f.rule)]


def _collect(config: Config, policies: PolicySet) -> tuple[list[Suppression], list[Finding]]:
    addressed = {file: {line: text for line, text in comments.items() if _MARKER.match(text)}
                 for file, comments in config.comments.items()}
    addressed = {file: comments for file, comments in addressed.items() if comments}
    if not addressed:
        return [], []
    spans: dict[tuple[str, int], tuple[int, int]] = {}
    for root in config.roots:
        for node in walk(root):
            if node.file in addressed:
                spans.setdefault((node.file, node.line), (node.line, node.end_line or node.line))
    malformed = policies.rule("NLS002")
    ids = [rule.id for rule in policies.rules]
    suppressions, problems = [], []
    for file, comments in addressed.items():
        for line, text in sorted(comments.items()):
            form = _FORM.match(_MARKER.match(text).group(1))
            if not form:
                problems.append(_finding(malformed, file, line, f"unreadable nginxlint comment: {USAGE}"))
                continue
            rules = tuple(r.strip().upper() for r in form.group(2).split(","))
            unknown = [r for r in rules if not any(i.startswith(r) for i in ids)]
            if unknown:
                problems.append(_finding(malformed, file, line, f"nginxlint comment names no rule: {', '.join(unknown)}"))
                continue
            if form.group(1) == "disable-file":
                start, end = 1, 1 << 31
            else:
                start, end = spans.get((file, line)) or spans.get((file, line + 1)) or (line, line)
            suppressions.append(Suppression(file, line, rules, start, end))
    return suppressions, problems


def _finding(rule: Rule, file: str, line: int, message: str) -> Finding:
    return Finding(rule.id, rule.name, rule.severity, message, file, line)
