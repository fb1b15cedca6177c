"""What `fix` prints: a unified diff per changed file (as `ruff --diff`),
then one line per fix made and per fix refused, with the reason."""
from __future__ import annotations

import difflib

from .run import Outcome


def unified_diff(outcome: Outcome) -> str:
    """The diff of every changed file, by the path findings name it. Lines
    keep their own endings, so a CRLF file shows CRLF lines."""
    out = []
    for real in outcome.changed:
        name = outcome.shown.get(real, real)
        before = outcome.original[real].decode("utf-8", "surrogateescape").splitlines(keepends=True)
        after = outcome.fixed[real].decode("utf-8", "surrogateescape").splitlines(keepends=True)
        for line in difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def summary(outcome: Outcome, written: bool) -> list[str]:
    verb = "fixed" if written else "would fix"
    lines = [f"{verb}: {a.finding.file}:{a.finding.line}: {a.finding.rule} ({a.description})" for a in outcome.applied]
    lines += [f"not fixed: {r.finding.file}:{r.finding.line}: {r.finding.rule}: {r.reason}" for r in outcome.refused]
    return lines
