"""A baseline: the findings a fleet already had when it adopted nginxlint,
recorded once (`--write-baseline FILE`) and not reported again (`--baseline
FILE`), so a run reports only what is new.

A finding is matched by its rule, server, location and the text of the
statement at its line, never by its line number or file: edits elsewhere
in a file move lines without resurrecting anything. Entries are counted:
two identical findings with one recorded report one. An entry no finding
matches any more is reported as fixed.

The file is JSON (`version: 1`); each entry also keeps the file, line and
message it was written from, for the reader and for the fixed list only.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from ..errors import FileError
from ..reading.loader import Config
from ..reading.tree import walk
from .records import Finding, without_reach

VERSION = 1
KEY_FIELDS = ("rule", "server", "location", "statement")


class BaselineError(FileError):
    """A baseline file that cannot be read or is not one."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One recorded finding: what it is matched by, and where it was."""

    rule: str
    server: str | None
    location: str | None
    statement: str  # the text of the statement at the finding's line (or its message, on a line without one)
    file: str
    line: int
    message: str

    @property
    def key(self) -> tuple:
        return (self.rule, self.server, self.location, self.statement)


@dataclass(frozen=True)
class Outcome:
    """What a baseline did to a run: for the reports."""

    file: str
    suppressed: int  # findings not reported because an entry matched them
    fixed: tuple[Entry, ...]  # entries no finding matched (one per count left over)


def statements_by_line(config: Config) -> dict[tuple[str, int], str]:
    """(file, line) -> the text of the statements starting there, as
    `name arg…`, several joined by "; " (the text `diff` matches causes by)."""
    written: dict[tuple[str, int], list[str]] = {}
    for root in config.roots:
        for node in walk(root):
            texts = written.setdefault((node.file, node.line), [])
            text = " ".join((node.name, *node.args))
            if text not in texts:
                texts.append(text)
    return {where: "; ".join(texts) for where, texts in written.items()}


def entries(findings: tuple[Finding, ...] | list[Finding], config: Config) -> list[Entry]:
    """Each finding as a baseline entry."""
    written = statements_by_line(config)
    return [Entry(f.rule, f.server, f.location, written.get((f.file, f.line)) or without_reach(f.message),
                  f.file, f.line, f.message) for f in findings]


def dumps(recorded: list[Entry]) -> str:
    """The baseline file's text: identical entries once, with a count."""
    counts = Counter(e.key for e in recorded)
    first = {}
    for entry in recorded:
        first.setdefault(entry.key, entry)
    document = {"version": VERSION, "tool": "nginxlint", "entries": [
        {"rule": e.rule, "server": e.server, "location": e.location, "statement": e.statement,
         "count": counts[e.key], "file": e.file, "line": e.line, "message": e.message}
        for e in first.values()]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: str) -> list[Entry]:
    """The entries of a baseline file, each as often as its count (raises BaselineError)."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise BaselineError(path, None, f"cannot read baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(path, getattr(exc, "lineno", None), f"not a baseline: invalid JSON: {getattr(exc, 'msg', exc)}") from None
    if not isinstance(document, dict) or document.get("version") != VERSION or not isinstance(document.get("entries"), list):
        raise BaselineError(path, None, f"not a baseline: expected a JSON object with \"version\": {VERSION} and \"entries\"")
    found = []
    for number, item in enumerate(document["entries"], 1):
        if not _valid(item):
            raise BaselineError(path, None, f"not a baseline: entry {number} needs rule and statement (strings), "
                                            "server and location (string or null), count (a positive integer)")
        entry = Entry(item["rule"], item["server"], item["location"], item["statement"],
                      str(item.get("file", "")), item.get("line") if isinstance(item.get("line"), int) else 0,
                      str(item.get("message", "")))
        found.extend([entry] * item.get("count", 1))
    return found


def _valid(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    count = item.get("count", 1)
    return (isinstance(item.get("rule"), str) and isinstance(item.get("statement"), str)
            and all(isinstance(item.get(k), (str, type(None))) for k in ("server", "location"))
            and isinstance(count, int) and not isinstance(count, bool) and count > 0)


def apply(findings: tuple[Finding, ...], current: list[Entry], recorded: list[Entry], file: str) -> tuple[tuple[Finding, ...], Outcome]:
    """The findings no recorded entry accounts for, and what the baseline
    did. `current` are the findings as entries, in the same order."""
    left = Counter(e.key for e in recorded)
    reported = []
    for finding, entry in zip(findings, current, strict=True):
        if left[entry.key] > 0:
            left[entry.key] -= 1
        else:
            reported.append(finding)
    fixed = []
    for entry in recorded:  # in the file's order, each key as often as it is left over
        if left[entry.key] > 0:
            left[entry.key] -= 1
            fixed.append(entry)
    return tuple(reported), Outcome(file, len(findings) - len(reported), tuple(fixed))


def describe(outcome: Outcome) -> list[str]:
    """The lines the reports add: how many findings the baseline held back,
    then each entry that no longer matches (fixed)."""
    held = f"{outcome.suppressed} finding{'s' if outcome.suppressed != 1 else ''}"
    lines = [f"baseline {outcome.file}: {held} not reported; {len(outcome.fixed)} fixed (recorded, no longer found)"]
    lines += [f"fixed: {e.rule} {where(e)}: {e.statement} (was {e.file}:{e.line})" for e in outcome.fixed]
    return lines


def where(entry: Entry) -> str:
    named = f"server {entry.server}" if entry.server else "a server without server_name" if entry.server is not None else ""
    return ", ".join(filter(None, (named, f"location {entry.location}" if entry.location is not None else ""))) or "top level"


def as_json(outcome: Outcome) -> dict:
    return {"file": outcome.file, "suppressed": outcome.suppressed, "fixed": [
        {"rule": e.rule, "server": e.server, "location": e.location, "statement": e.statement,
         "file": e.file, "line": e.line, "message": e.message} for e in outcome.fixed]}
