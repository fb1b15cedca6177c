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
    """The document, joined once from its pieces: every intermediate string
    (a member's items joined, the members joined, braces added) was another
    copy as big as the report, held at the run's peak."""
    members = [
        ("version", 1),
        ("findings", [_finding(f) for f in result.findings]),
        ("errors", [_encode({"file": e.file, "line": e.line, "message": e.message}) for e in result.errors]),
        ("summary", {"files": result.files, "findings": len(result.findings), **result.counts()}),
    ]
    if result.baseline is not None:
        members.append(("baseline", baseline.as_json(result.baseline)))
    pieces = ["{\n"]
    for index, (key, value) in enumerate(members):
        if index:
            pieces.append(",\n")
        pieces += _member(key, value)
    pieces.append("\n}\n")
    return "".join(pieces)


def _finding(f: Finding) -> str:
    """One finding, encoded at once: a report of thousands never holds all
    their dicts together (they were most of the report's peak memory)."""
    return _encode({"rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message,
                    "file": f.file, "line": f.line, "server": f.server, "location": f.location,
                    "related": [{"file": r.file, "line": r.line, "message": r.message} for r in f.related]})


def _member(key: str, value: object) -> list[str]:
    """The pieces of one key of the document, on a line of its own: a
    non-empty list of encoded items (str) one item per line; any other
    value in one line."""
    if isinstance(value, list) and value:
        pieces = [f"  {_encode(key)}: [\n    "]
        for index, item in enumerate(value):
            if index:
                pieces.append(",\n    ")
            pieces.append(item)
        pieces.append("\n  ]")
        return pieces
    return [f"  {_encode(key)}: {_encode(value)}"]
