"""Output formats: one small module each, all with `render(result) -> str`."""
from __future__ import annotations

from collections.abc import Callable

from ..findings.records import LintResult
from . import concise_report, github_report, json_report, sarif_report, text_report

FORMATS: dict[str, Callable[[LintResult], str]] = {
    "text": text_report.render,
    "json": json_report.render,
    "sarif": sarif_report.render,
    "github": github_report.render,
    "concise": concise_report.render,
}
