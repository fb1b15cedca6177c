"""Which reported findings a fix can remove, and the edits that do it.

A finding is fixable when its rule declares a `fix:` (safe, or unsafe with
--unsafe-fixes) and every failure behind it (the engine's Verdicts whose
cause is the finding's line) yields changes this run may write: in a file
inside the linted tree, made by whole-line edits (edits.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...findings.records import Finding, LintResult
from ...policy.engine import Verdict
from ...policy.fixes import Rename
from .edits import LineEdit, Unfixable, line_edit


@dataclass(frozen=True)
class Candidate:
    """One finding and the edits (per file) that fix it."""

    finding: Finding
    description: str
    edits: tuple[tuple[str, LineEdit], ...]


@dataclass(frozen=True)
class Refusal:
    finding: Finding
    reason: str


def plan(result: LintResult, verdicts: list[Verdict], unsafe: bool, read: Callable[[str], list[bytes]],
         writable: Callable[[str], bool]) -> tuple[list[Candidate], list[Refusal]]:
    """Candidates for the reported findings that have a fix, in report order;
    refusals for those whose fix cannot be made (or needs --unsafe-fixes)."""
    by_cause: dict[tuple[str, str, int], list[Verdict]] = {}
    for verdict in verdicts:
        if verdict.rule.fix is not None:
            by_cause.setdefault((verdict.rule.id, verdict.cause.file, verdict.line), []).append(verdict)
    candidates, refusals = [], []
    for finding in result.findings:
        group = by_cause.get((finding.rule, finding.file, finding.line))
        if not group:
            continue
        fix = group[0].rule.fix
        if fix.unsafe and not unsafe:
            refusals.append(Refusal(finding, "unsafe fix (a judgement call): apply it with --unsafe-fixes"))
            continue
        try:
            edits = _edits(group, read, writable)
        except Unfixable as exc:
            refusals.append(Refusal(finding, str(exc)))
            continue
        if edits:
            candidates.append(Candidate(finding, _described(group, fix.describe), edits))
    return candidates, refusals


def _edits(group: list[Verdict], read: Callable[[str], list[bytes]], writable: Callable[[str], bool]) -> tuple:
    changes = []
    for verdict in group:
        for change in verdict.rule.fix.changes(verdict.failure, verdict.target, verdict.cause, verdict.scope):
            if change not in changes:
                changes.append(change)
    edits = []
    for change in changes:
        file, edit = line_edit(change, read)
        if not writable(file):
            raise Unfixable(f"{file} is outside the linted tree: not edited")
        if (file, edit) not in edits:
            edits.append((file, edit))
    return tuple(edits)


def _described(group: list[Verdict], general: str) -> str:
    """What the fix does, with the name a rename gives (SYN005: the directive meant)."""
    names = {c.name for v in group for c in v.rule.fix.changes(v.failure, v.target, v.cause, v.scope) if isinstance(c, Rename)}
    return f"rename to {', '.join(sorted(names))}" if names else general
