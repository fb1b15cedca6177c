"""`path:line:col: CODE message`, one finding per line: the form ruff, flake8
and compilers print, which editors and terminals turn into links. Findings
have no column, so it is 1. Nothing else is printed: input errors go to
stderr as for every format, and the exit code says whether a finding failed."""
from __future__ import annotations

from ..findings.records import LintResult


def render(result: LintResult) -> str:
    return "".join(f"{f.file}:{f.line}:1: {f.rule} {' '.join(f.message.split())}\n" for f in result.findings)
