"""What `fix` prints: a unified diff per changed file (as `ruff --diff`),
then one line per fix made and per fix refused, with the reason."""
from __future__ import annotations

import difflib

from .run import Outcome


def unified_diff(outcome: Outcome) -> str:
    """The diff of every changed file, by the path findings name it, in the
    order of those paths. Lines keep their own endings, so a CRLF file shows
    CRLF lines."""
    out = []
    for real in sorted(outcome.changed, key=lambda real: outcome.shown.get(real, real)):
        name = outcome.shown.get(real, real)
        before = outcome.original[real].decode("utf-8", "surrogateescape").splitlines(keepends=True)
        after = outcome.fixed[real].decode("utf-8", "surrogateescape").splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, f"a/{name.lstrip('/')}", f"b/{name.lstrip('/')}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def changed_lines(outcome: Outcome) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Per changed file, the lines the fixes replaced (numbered as in the
    original) and the lines they wrote (numbered as in the fixed file)."""
    before: dict[str, set[int]] = {}
    after: dict[str, set[int]] = {}
    for real in outcome.changed:
        old, new = outcome.original[real].splitlines(), outcome.fixed[real].splitlines()
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag != "equal":
                before.setdefault(real, set()).update(range(i1 + 1, i2 + 1))
                after.setdefault(real, set()).update(range(j1 + 1, j2 + 1))
    return before, after


def summary(outcome: Outcome, written: bool) -> list[str]:
    verb = "fixed" if written else "would fix"
    lines = [f"{verb}: {a.finding.file}:{a.finding.line}: {a.finding.rule} ({a.description})" for a in outcome.applied]
    lines += [f"not fixed: {r.finding.file}:{r.finding.line}: {r.finding.rule}: {r.reason}" for r in outcome.refused]
    return lines
