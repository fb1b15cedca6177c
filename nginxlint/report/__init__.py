"""Output formats: one small module each, all with `render(result) -> str`.

A run imports only the module of the format it writes (a one-file `check`
is mostly start-up time): FORMATS holds each format's renderer by name, the
module loaded on the first call."""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ..findings.records import LintResult


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
