"""`--exclude GLOB` and `exclude:`: files a fleet does not want linted.

A file that matches is not read when nginxlint meets it in a folder (on the
command line) or through an include glob, and findings located in it are
dropped. A file named explicitly (a path on the command line, an include
without a glob) is still read, since nginx would load it and it shapes the
tree, but nothing is reported in it.

Patterns are matched against the path relative to a base folder: the
working directory for `--exclude`, the project config's folder for
`exclude:`. A pattern without `/` matches a file name in any folder
(`*.bak`); one with `/` matches the whole relative path, `*` and `?`
within one path segment, `**` across any number of them
(`sites-available/old-*`, `**/legacy/*`); an absolute pattern matches the
absolute path (`/etc/nginx/sites-enabled/*.orig`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property

from ..findings.records import Finding
from ..reading.probe import Probe


@dataclass(frozen=True)
class Exclude:
    patterns: tuple[tuple[str, str], ...] = ()  # (glob, the folder it is relative to)

    @cached_property
    def _compiled(self) -> tuple[tuple[re.Pattern, str | None], ...]:
        """Each pattern, with what it is matched against: None for a file
        name, "" for the absolute path, else the folder it is relative to."""
        return tuple((_translate(glob), None if "/" not in glob else "" if os.path.isabs(glob) else os.path.abspath(base))
                     for glob, base in self.patterns)

    def matches(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        for pattern, base in self._compiled:
            subject = os.path.basename(absolute) if base is None else os.path.relpath(absolute, base) if base else absolute
            if pattern.fullmatch(subject):
                return True
        return False

    def probe(self, probe: Probe) -> Probe:
        """`probe`, or one whose folder listings and glob results leave the excluded files out."""
        return _Excluding(self, probe) if self.patterns else probe

    def keep(self, findings: list[Finding]) -> list[Finding]:
        """The findings not located in an excluded file."""
        if not self.patterns:
            return findings
        verdicts: dict[str, bool] = {}
        return [f for f in findings if not verdicts.setdefault(f.file, f.file != "<stdin>" and self.matches(f.file))]


class _Excluding(Probe):
    """The loader's probe, with excluded files left out of what folders and
    globs list. The answers recorded (for the result cache) are the
    filesystem's own: the cache key holds the patterns."""

    def __init__(self, exclude: Exclude, inner: Probe) -> None:
        self.exclude, self.inner, self.answers = exclude, inner, inner.answers

    def _ask(self, question: str, path: str):
        answer = self.inner._ask(question, path)
        if question == "listdir" and isinstance(answer, tuple):
            return tuple(name for name in answer if not self.exclude.matches(os.path.join(path, name)))
        if question == "glob":
            return tuple(found for found in answer if not self.exclude.matches(found))
        return answer

    def source(self, path):
        return self.inner.source(path)

    def read(self, path, source):
        return self.inner.read(path, source)


def _translate(glob: str) -> re.Pattern:
    """A path glob as a regular expression: `**/` any folders, `*` and `?` within a segment, `[…]` a class."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and (end := glob.find("]", i + 2)) > 0:
            body = glob[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))
