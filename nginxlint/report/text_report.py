"""Human-readable table (tabulate) with a summary line.

tabulate (with wcwidth and importlib.metadata behind it) is imported only
when there is a table to draw: it was a tenth of a one-file run's start-up,
paid by every format."""
from __future__ import annotations

from ..findings.records import LintResult


def render(result: LintResult) -> str:
    lines = []
    if result.findings:
        from tabulate import tabulate

        rows = []
        for f in result.findings:
            message = f.message + "".join(f"\n  ↳ {r.file}:{r.line}: {r.message}" for r in f.related)
            rows.append((f.file, f.line, f.rule, f.severity, message))
        lines.append(tabulate(rows, headers=("file", "line", "rule", "severity", "message"), tablefmt="simple"))
    counts = result.counts()
    summary = (f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} "
               f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info) "
               f"in {result.files} file{'s' if result.files != 1 else ''}")
    if result.errors:
        summary += f"; {len(result.errors)} input error{'s' if len(result.errors) != 1 else ''}"
    lines.append(summary)
    return "\n".join(lines) + "\n"
