"""Findings and input errors: the plain records every stage hands to the next."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: records do not load the tree module
    from ..reading.tree import Node

SEVERITIES = ("error", "warning", "info")  # most severe first


def severity_rank(severity: str) -> int:
    """0 for error, 1 for warning, 2 for info: lower is more severe."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a finding (e.g. a header it drops), or,
    with `affected`, a block the finding's one cause applies to (a server or
    location that inherits the line, or lacks what the finding asks for)."""

    file: str
    line: int
    message: str
    affected: bool = False


# How a grouped finding's message says how far its cause reaches; written
# and stripped here only (SARIF fingerprints leave it out, so one more
# affected location is not a new alert).
_REACH = re.compile(r" \(also \d+ other (?:location|server|block)s?\)$")


def also_reaches(others: int, noun: str) -> str:
    """" (also 2 other locations)": the suffix of a finding whose cause applies to more blocks."""
    return f" (also {others} other {noun}{'s' if others > 1 else ''})"


def without_reach(message: str) -> str:
    return _REACH.sub("", message)


def applies_to(server: str | None, location: str | None) -> str:
    """How an affected block is named in `related`, and matched by `diff`:
    "applies to location /ws/ (server a.example)", "applies to server a.example"."""
    named = f"server {server}" if server else "a server without server_name" if server is not None else None
    if location is not None:
        return f"applies to location {location}" + (f" ({named})" if named else "")
    return f"applies to {named}" if named else "applies here"


@dataclass(frozen=True, slots=True)
class Failure:
    """A rule's verdict on one node, before the engine makes it a Finding
    (fills the message, names server and location). Policy assertions and
    Python checks both return these."""

    node: Node
    fields: dict[str, str]  # message placeholders: actual, origin, directive...
    message: str | None  # a message template of its own, else the rule's
    related: tuple[Related, ...] = ()
    line: int | None = None  # where to report, when not the node's first line (what nginx -t names)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    severity: str
    message: str
    file: str
    line: int
    server: str | None = None
    location: str | None = None
    related: tuple[Related, ...] = ()

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.rule, self.message)

    @property
    def affected(self) -> tuple[Related, ...]:
        """The blocks this finding's cause applies to, when more than one
        (one block is named by `server` and `location`)."""
        return tuple(r for r in self.related if r.affected)


@dataclass(frozen=True, slots=True)
class InputError:
    """Something the tool could not do its job on (exit 2): a path that does
    not exist, an unreadable argument, a bad policy."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class LintResult:
    """Everything a reporter needs from one run."""

    findings: tuple[Finding, ...]
    errors: tuple[InputError, ...]
    files: int
    rules: tuple = ()  # the policy.model.Rule objects that ran, for reporters that list them
    baseline: object = None  # a findings.baseline.Outcome when a baseline was applied

    def counts(self) -> dict[str, int]:
        counts = {severity: 0 for severity in SEVERITIES}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts
