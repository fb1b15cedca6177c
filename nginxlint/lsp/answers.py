"""What the language server tells an editor about one open file, in plain
data: no protocol types here, so it is tested without a client.

A file is linted as `nginxlint check FILE` would lint it (the project
config nearest to it, the file as a fragment or a whole config by its
content), with the editor's unsaved text in place of the disk's. Fixes are
`fix`'s own, proved by the re-lint (nginx -t is left to `fix` on the
command line: the editor must not wait for it).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..cli_options import check_options
from ..commands.check import CheckOptions, lint_paths, prepare
from ..commands.explain import explain_text
from ..commands.fix.run import fix_paths
from ..commands.project_config import ProjectConfig, find_config_for, load_config
from ..findings.records import Finding
from ..policy.model import PolicySet
from ..reading.loader import Config
from ..reading.overlay import OverlayProbe
from ..reading.tree import walk
from ..semantics.effective import Effective


@dataclass(frozen=True)
class Edit:
    """Replace the whole text of `path` with `text` (fixes), or insert
    `text` at the start of `line` (suppressions)."""

    path: str
    text: str
    line: int | None = None


@dataclass(frozen=True)
class Action:
    title: str
    finding: Finding
    edits: tuple[Edit, ...]


class Workspace:
    """The settings and policies for the files of one editor session, read
    once per project config (a change to that file needs a restart)."""

    def __init__(self) -> None:
        self._prepared: dict[str | None, tuple[CheckOptions, PolicySet]] = {}

    def settings(self, path: str) -> tuple[CheckOptions, PolicySet]:
        config = find_config_for((path,), Path(os.path.dirname(path)))
        key = str(config) if config else None
        if key not in self._prepared:
            options = check_options(load_config(config) if config else ProjectConfig(), (), ())
            self._prepared[key] = (options, prepare(options))
        return self._prepared[key]

    def lint(self, path: str, text: str) -> tuple[Config, list[Finding]]:
        """The findings located in `path`, linted with `text` as its content."""
        options, policies = self.settings(path)
        real = os.path.realpath(path)
        config, result = lint_paths([path], options, policies, OverlayProbe({real: text.encode()}))
        return config, [f for f in result.findings if os.path.realpath(f.file) == real]

    def actions(self, path: str, text: str, lines: range) -> list[Action]:
        """For each finding on `lines`: its fix (when its rule has one that
        can be made here), and a suppression comment above its line."""
        options, policies = self.settings(path)
        real = os.path.realpath(path)
        _, findings = self.lint(path, text)
        actions = []
        for finding in (f for f in findings if f.line in lines):
            rule = policies.rule(finding.rule)
            if rule is not None and rule.fix is not None:
                outcome = fix_paths([path], options, policies, True, {real: text.encode()},
                                    lambda f, one=finding: (f.rule, f.line, f.file) == (one.rule, one.line, one.file))
                if outcome.changed == [real]:
                    unsafe = " (unsafe)" if rule.fix.unsafe else ""
                    actions.append(Action(f"Fix {finding.rule}: {outcome.applied[0].description}{unsafe}", finding,
                                          (Edit(path, outcome.fixed[real].decode("utf-8", "replace")),)))
            indent = re.match(r"[ \t]*", _line(text, finding.line))[0]
            actions.append(Action(f"Suppress {finding.rule} here", finding,
                                  (Edit(path, f"{indent}# nginxlint: disable={finding.rule}{_eol(text)}", finding.line),)))
        return actions

    def hover(self, path: str, text: str, line: int) -> str | None:
        """The directive on `line` with its value in force and where it comes
        from, and the explanation of each finding there."""
        _, policies = self.settings(path)
        config, findings = self.lint(path, text)
        real = os.path.realpath(path)
        parts = []
        node = next((n for root in config.roots for n in walk(root) if n.line == line and os.path.realpath(n.file) == real), None)
        if node is not None:
            level = node if node.children is not None else Effective.parent_level(node)
            setting = Effective(self.settings(path)[0].nginx_version).get(level, node.name) if level is not None else None
            if setting is not None:
                parts.append(f"{node.name}: {setting.value} ({setting.origin()})")
        for finding in (f for f in findings if f.line == line):
            rule = policies.rule(finding.rule)
            parts.append(f"{finding.rule}: {finding.message}\n\n" + (explain_text(rule, policies) if rule else ""))
        return "\n\n".join(parts) or None


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 1 <= number <= len(lines) else ""


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
