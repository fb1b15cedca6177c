"""Human-readable report: findings grouped by file, one table per file that
fits the terminal, and a summary line.

Each row is one cause: its line, rule, severity, how many blocks (servers,
locations) it applies to, and its message, wrapped to the width the
terminal leaves for it (never narrower than MIN_MESSAGE; piped output gets
$COLUMNS or shutil's fallback, 80). Related places follow the message; a
long list of affected blocks is cut to the first few (every one is in
--format json). The columns are laid out here, not by tabulate: only
exact widths let the message column take what is left of the line."""
from __future__ import annotations

import textwrap
from itertools import groupby

from ..findings.baseline import describe
from ..findings.records import Finding, LintResult
from . import terminal_width

HEADERS = ("line", "rule", "severity", "affects", "message")
ALIGN = (">", "<", "<", ">")  # the columns before the message
GAP = "  "
MIN_MESSAGE = 40  # narrower is harder to read than a line the terminal wraps
AFFECTED_SHOWN = 3


def render(result: LintResult) -> str:
    lines = []
    width = terminal_width()
    for file, group in groupby(result.findings, key=lambda f: f.file):
        lines += [file, *_table(list(group), width), ""]
    counts = result.counts()
    summary = (f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} "
               f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info) "
               f"in {result.files} file{'s' if result.files != 1 else ''}")
    if result.errors:
        summary += f"; {len(result.errors)} input error{'s' if len(result.errors) != 1 else ''}"
    lines.append(summary)
    if result.baseline is not None:
        lines += describe(result.baseline)
    return "\n".join(lines) + "\n"


def _table(findings: list[Finding], width: int) -> list[str]:
    cells = [(str(f.line), f.rule, f.severity, _affects(f)) for f in findings]
    widths = [max(len(HEADERS[i]), *(len(row[i]) for row in cells)) for i in range(len(ALIGN))]
    lead = sum(widths) + len(GAP) * len(widths)
    message_width = max(MIN_MESSAGE, width - lead)

    def row(values) -> str:
        return GAP.join(f"{value:{align}{w}}" for value, align, w in zip(values, ALIGN, widths)) + GAP

    messages = [_message(finding, message_width) for finding in findings]
    rule = "-" * max(len(line) for message in messages for line in message)
    lines = [row(HEADERS[:-1]) + HEADERS[-1], row("-" * w for w in widths) + rule]
    for values, message in zip(cells, messages):
        lines.append(row(values) + message[0])
        lines += [" " * lead + more for more in message[1:]]
    return [line.rstrip() for line in lines]


def _affects(finding: Finding) -> str:
    """How many servers or locations the finding's cause applies to; "-"
    when it is about no block (an input problem, a top-level line)."""
    if finding.affected:
        return str(len(finding.affected))
    return "1" if finding.server is not None or finding.location is not None else "-"


def _message(finding: Finding, width: int) -> list[str]:
    """The message and its related places, wrapped; a place in the same
    file is named by its line (the file heads the table)."""
    explaining = [r for r in finding.related if not r.affected]
    affected = finding.affected
    notes = [f"↳ {'line ' if r.file == finding.file else r.file + ':'}{r.line}: {r.message}"
             for r in explaining + list(affected[:AFFECTED_SHOWN])]
    if len(affected) > AFFECTED_SHOWN:
        notes.append(f"↳ and {len(affected) - AFFECTED_SHOWN} more (every one in --format json)")
    wrapped = textwrap.wrap(finding.message, width, break_on_hyphens=False) or [""]
    for note in notes:
        wrapped += textwrap.wrap(note, width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
    return wrapped
