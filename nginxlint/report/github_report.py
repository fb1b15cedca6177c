"""GitHub Actions workflow commands: one annotation per finding, and a
Markdown summary table appended to $GITHUB_STEP_SUMMARY when it is set."""
from __future__ import annotations

import os

from ..findings.records import LintResult

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """Escape a command's message (GitHub's escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a command property value (GitHub's escapeProperty)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult) -> str:
    lines = []
    for f in result.findings:
        properties = ",".join([f"file={_property(f.file)}", f"line={f.line}", f"title={_property(f'{f.rule} {f.name}')}"])
        message = f.message + "".join(f"\n{r.file}:{r.line}: {r.message}" for r in f.related)
        lines.append(f"::{COMMANDS[f.severity]} {properties}::{_data(message)}")
    for error in result.errors:
        properties = f"file={_property(error.file)}" + (f",line={error.line}" if error.line else "")
        lines.append(f"::error {properties},title=nginxlint input error::{_data(error.message)}")
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as summary:
            summary.write(_summary(result))
    return "".join(line + "\n" for line in lines)


def _summary(result: LintResult) -> str:
    counts = result.counts()
    text = (f"### nginxlint: {len(result.findings)} findings "
            f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info) in {result.files} files\n\n")
    if result.findings:
        text += "| file | line | rule | severity | message |\n| --- | --- | --- | --- | --- |\n"
        for f in result.findings:
            cells = (f.file, str(f.line), f.rule, f.severity, f.message)
            text += "| " + " | ".join(" ".join(c.replace("|", "\\|").split()) for c in cells) + " |\n"
    return text + "\n"
