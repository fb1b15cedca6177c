"""Stable JSON (design §3): other tools and our own checks read it.

Written by json's C encoder, one finding (and one error) per line: a
pretty-printed document (indent=2) goes through the pure-Python encoder,
which took three times as long as the C one on a 4,000-finding report.
One item per line still reads well and diffs line by line.
"""
from __future__ import annotations

import json

from ..findings import baseline
from ..findings.records import Finding, LintResult

_encode = json.JSONEncoder(ensure_ascii=False).encode  # no indent: the C encoder


def render(result: LintResult) -> str:
    members = [
        _member("version", 1),
        _member("findings", [_finding(f) for f in result.findings]),
        _member("errors", [_encode({"file": e.file, "line": e.line, "message": e.message}) for e in result.errors]),
        _member("summary", {"files": result.files, "findings": len(result.findings), **result.counts()}),
    ]
    if result.baseline is not None:
        members.append(_member("baseline", baseline.as_json(result.baseline)))
    return "{\n" + ",\n".join(members) + "\n}\n"


def _finding(f: Finding) -> str:
    """One finding, encoded at once: a report of thousands never holds all
    their dicts together (they were most of the report's peak memory)."""
    return _encode({"rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message,
                    "file": f.file, "line": f.line, "server": f.server, "location": f.location,
                    "related": [{"file": r.file, "line": r.line, "message": r.message} for r in f.related]})


def _member(key: str, value: object) -> str:
    """A key of the document on a line of its own; a non-empty list of
    encoded items (str) one item per line; any other value in one line."""
    if isinstance(value, list) and value:
        items = ",\n    ".join(value)
        return f"  {_encode(key)}: [\n    {items}\n  ]"
    return f"  {_encode(key)}: {_encode(value)}"
