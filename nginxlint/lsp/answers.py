"""What the language server tells an editor about one open file, in plain
data: no protocol types here, so it is tested without a client.

A file is linted inside the tree it belongs to (trees.py: the nginx.conf
whose includes read it, as `check --staged` finds it; else alone, as
`nginxlint check FILE` lints it), with the project config nearest to it
and every open editor buffer's unsaved text in place of the disk's. Only
bytes not seen before are parsed (parses.py). Fixes are `fix`'s own,
proved by the re-lint (nginx -t is left to `fix` on the command line: the
editor must not wait for it).
"""
from __future__ import annotations

import dataclasses
import gc
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..cli_options import check_options
from ..commands.check import CheckOptions, lint_paths, prepare
from ..commands.explain import explain_text
from ..commands.fix.run import fix_paths
from ..commands.project_config import ProjectConfig, find_config_for, load_config
from ..commands.staged import ENTRY_NAME, tree_root
from ..findings.records import Finding
from ..policy.engine import Memo
from ..policy.model import PolicySet
from ..policy.units import Kept
from ..reading.loader import Config
from ..reading.overlay import OverlayProbe
from ..reading.tree import walk
from ..semantics.effective import Effective
from .parses import ParsesInMemory
from .trees import candidate_entries, reaches

# A tree is cyclic (each Node knows its parent) and lint_paths keeps the
# collector off while it builds one, so a tree's garbage waits for a full
# collection; a command exits first, a session of keystrokes does not (and
# lint_paths may hand its objects to the oldest generation, which a full
# pass alone visits). The server asks for one (tidy) after publishing, at
# most every this many lints: 25-70 ms on the reference tree, ~250 ms at
# 100 sites, off the path from a keystroke to its diagnostics.
COLLECT_EVERY = 20


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


@dataclass(frozen=True)
class Lint:
    """One lint of the tree a file belongs to (`entry`, or the file alone when None)."""

    config: Config
    findings: tuple[Finding, ...]
    entry: str | None
    tree: str  # the path linted: `entry`, or the open file itself (perhaps an nginx.conf)
    options: CheckOptions  # as it was linted (an entry's root), for the fixes

    def located_in(self, path: str) -> list[Finding]:
        real = os.path.realpath(path)
        return [f for f in self.findings if os.path.realpath(f.file) == real]

    def read(self, path: str) -> bool:
        return reaches(self.config.files, os.path.realpath(path))


class Workspace:
    """The settings and policies for the files of one editor session, read
    once per project config (a change to that file needs a restart); the
    files parsed so far (`parses`: a lint parses only bytes it has not seen);
    which tree each file belongs to; and the last lint, which hover and code
    actions on the same text reuse. Not thread-safe: the server calls it
    from one thread."""

    def __init__(self) -> None:
        self._prepared: dict[str | None, tuple[CheckOptions, PolicySet, list[str]]] = {}
        self.parses = ParsesInMemory()
        # real path -> (its entry or None, the other buffers when that was found out)
        self._trees: dict[str, tuple[str | None, frozenset]] = {}
        self._last: tuple[tuple, Lint] | None = None
        # What each tree's last lint kept (policy/units.py): a keystroke re-lints
        # the servers of the file typed in, not the whole tree.
        self._kept: dict[tuple[str, str], tuple[PolicySet, Kept | None]] = {}
        self._lints = 0
        self._collected_at = 0
        self._fixes: tuple[Lint | None, dict[Finding, Action | None]] = (None, {})  # the proved fixes of one lint

    def settings(self, path: str) -> tuple[CheckOptions, PolicySet, list[str]]:
        """The options, policies and configured `entry:` files for `path`."""
        config = find_config_for((path,), Path(os.path.dirname(path)))
        key = str(config) if config else None
        if key not in self._prepared:
            project = load_config(config) if config else ProjectConfig()
            options = dataclasses.replace(check_options(project, (), ()), parse_cache=self.parses)
            self._prepared[key] = (options, prepare(options), list(project.values.get("entry", [])))
        return self._prepared[key]

    def forget_trees(self) -> None:
        """Find each file's tree anew at its next lint (files changed on disk)."""
        self._trees.clear()

    def tree_of(self, path: str) -> str | None:
        """The entry of the tree `path` was last linted in (None: alone, or not linted yet)."""
        known = self._trees.get(os.path.realpath(path))
        return known[0] if known else None

    def lint(self, path: str, buffers: dict[str, str]) -> Lint:
        """`path` linted inside the tree it belongs to (trees.py), every open
        file read from `buffers` (path -> the editor's text; `path`'s own
        among them) instead of the disk."""
        options, policies, configured = self.settings(path)
        real = os.path.realpath(path)
        overlay = {os.path.realpath(p): text.encode() for p, text in buffers.items()}
        others = frozenset((p, hash(data)) for p, data in overlay.items() if p != real)
        known = self._trees.get(real)
        if known is not None and known[1] == others:
            lint = self._lint_in(known[0], path, options, policies, overlay)
            if known[0] is None or lint.read(path):
                return lint
        for entry in candidate_entries(path, configured):
            lint = self._lint_in(entry, path, options, policies, overlay)
            if lint.read(path):
                self._trees[real] = (entry, others)
                return lint
        self._trees[real] = (None, others)
        return self._lint_in(None, path, options, policies, overlay)

    def _lint_in(self, entry: str | None, path: str, options: CheckOptions, policies: PolicySet,
                 overlay: dict[str, bytes]) -> Lint:
        key = (entry or path, id(options), frozenset((p, hash(data)) for p, data in overlay.items()))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        tree = entry or path
        # An nginx.conf open alone is the entry of its own tree (and of the sites that find it so).
        options = _in_tree(options, tree if entry or os.path.basename(path) == ENTRY_NAME else None)
        kept_for = (tree, repr(options))  # verdicts hold for the same options and policies only
        earlier = self._kept.get(kept_for)
        memo = Memo(earlier[1] if earlier is not None and earlier[0] is policies else None)
        config, result = lint_paths([tree], options, policies, OverlayProbe(overlay, self.parses), memo)
        self._kept[kept_for] = (policies, memo.kept)
        self.parses.fit(len(config.files))
        lint = Lint(config, result.findings, entry, tree, options)
        self._last = (key, lint)
        self._lints += 1
        return lint

    def tidy(self) -> None:
        """Free the trees of earlier lints (a full collection) once COLLECT_EVERY lints have made some."""
        if self._lints - self._collected_at >= COLLECT_EVERY:
            self._collected_at = self._lints
            gc.collect()

    def actions(self, path: str, buffers: dict[str, str], lines: range) -> list[Action]:
        """For each finding on `lines`: its fix (when its rule has one that
        can be made here), and a suppression comment above its line."""
        _, policies, _ = self.settings(path)
        real = os.path.realpath(path)
        text = buffers[path]
        lint = self.lint(path, buffers)
        if self._fixes[0] is not lint:  # editors ask again at every cursor move: one proof per finding and text
            self._fixes = (lint, {})
        fixes = self._fixes[1]
        actions = []
        for finding in (f for f in lint.located_in(path) if f.line in lines):
            rule = policies.rule(finding.rule)
            if rule is not None and rule.fix is not None and finding not in fixes:
                unsaved = {os.path.realpath(p): t.encode() for p, t in buffers.items()}
                outcome = fix_paths([lint.tree], lint.options, policies, True, unsaved,
                                    lambda f, one=finding: (f.rule, f.line, f.file) == (one.rule, one.line, one.file))
                fixes[finding] = None
                if outcome.changed == [real]:
                    unsafe = " (unsafe)" if rule.fix.unsafe else ""
                    fixes[finding] = Action(f"Fix {finding.rule}: {outcome.applied[0].description}{unsafe}", finding,
                                            (Edit(path, outcome.fixed[real].decode("utf-8", "replace")),))
            if fixes.get(finding) is not None:
                actions.append(fixes[finding])
            indent = re.match(r"[ \t]*", _line(text, finding.line))[0]
            actions.append(Action(f"Suppress {finding.rule} here", finding,
                                  (Edit(path, f"{indent}# nginxlint: disable={finding.rule}{_eol(text)}", finding.line),)))
        return actions

    def hover(self, path: str, buffers: dict[str, str], line: int) -> str | None:
        """The directive on `line` with its value in force (in the file's
        tree: an http-level line of nginx.conf counts) and where it comes
        from, and the explanation of each finding there."""
        options, policies, _ = self.settings(path)
        lint = self.lint(path, buffers)
        real = os.path.realpath(path)
        parts = []
        node = next((n for root in lint.config.roots for n in walk(root) if n.line == line and os.path.realpath(n.file) == real),
                    None)
        if node is not None:
            level = node if node.children is not None else Effective.parent_level(node)
            setting = Effective(options.nginx_version).get(level, node.name) if level is not None else None
            if setting is not None:
                parts.append(f"{node.name}: {setting.value} ({setting.origin()})")
        for finding in (f for f in lint.located_in(path) if f.line == line):
            rule = policies.rule(finding.rule)
            parts.append(f"{finding.rule}: {finding.message}\n\n" + (explain_text(rule, policies) if rule else ""))
        return "\n\n".join(parts) or None


def _in_tree(options: CheckOptions, entry: str | None) -> CheckOptions:
    """The options to lint `entry` with: an entry at DIR/etc/nginx/… reads its absolute includes below DIR."""
    root = tree_root(entry) if entry is not None and options.root is None else None
    return dataclasses.replace(options, root=root) if root else options


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 1 <= number <= len(lines) else ""


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"
