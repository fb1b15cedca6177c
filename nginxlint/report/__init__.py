"""Output formats: one small module each, all with `render(result) -> str`.

A run imports only the module of the format it writes (a one-file `check`
is mostly start-up time): FORMATS holds each format's renderer by name, the
module loaded on the first call."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from ..findings.records import InputError, LintResult


def _renderer(module: str) -> Callable[[LintResult], str]:
    def render(result: LintResult) -> str:
        return import_module(f"{__name__}.{module}").render(result)
    return render


FORMATS: dict[str, Callable[[LintResult], str]] = {
    "text": _renderer("text_report"),
    "json": _renderer("json_report"),
    "sarif": _renderer("sarif_report"),
    "github": _renderer("github_report"),
    "concise": _renderer("concise_report"),
}


def terminal_width() -> int:
    """The width text reports are laid out for: the terminal's, else $COLUMNS, else 80."""
    return shutil.get_terminal_size().columns


def rendering(output_format: str) -> str | None:
    """What a report of this format depends on besides the result: the key
    the result cache keeps a rendered copy under. None for github, whose
    rendering also appends to $GITHUB_STEP_SUMMARY: a kept copy of its text
    cannot stand for that."""
    if output_format == "github":
        return None
    return f"text {terminal_width()}" if output_format == "text" else output_format


@dataclass(frozen=True)
class Rendered:
    """A run as the command line ends it: the report's text, the input
    errors it prints after it, and the severities of its findings (the
    exit code compares them with --fail-on). All a result cache hit needs
    to give back, so a hit never decodes the findings themselves."""

    report: str
    errors: tuple[InputError, ...]
    severities: frozenset[str]
    baseline: object = None  # a findings.baseline.Outcome when a baseline was applied

    @classmethod
    def of(cls, result: LintResult, output_format: str) -> Rendered:
        return cls(FORMATS[output_format](result), result.errors, frozenset(f.severity for f in result.findings), result.baseline)
