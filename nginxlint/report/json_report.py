"""Stable JSON (design §3): other tools and our own checks read it.

Written by json's C encoder, one finding (and one error) per line: a
pretty-printed document (indent=2) goes through the pure-Python encoder,
which took three times as long as the C one on a 4,000-finding report.
One item per line still reads well and diffs line by line.
"""
from __future__ import annotations

import json

from ..findings import baseline
from ..findings.records import LintResult

_encode = json.JSONEncoder(ensure_ascii=False).encode  # no indent: the C encoder


def render(result: LintResult) -> str:
    document = {
        "version": 1,
        "findings": [
            {"rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message,
             "file": f.file, "line": f.line, "server": f.server, "location": f.location,
             "related": [{"file": r.file, "line": r.line, "message": r.message} for r in f.related]}
            for f in result.findings
        ],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in result.errors],
        "summary": {"files": result.files, "findings": len(result.findings), **result.counts()},
    }
    if result.baseline is not None:
        document["baseline"] = baseline.as_json(result.baseline)
    return _one_item_per_line(document)


def _one_item_per_line(document: dict) -> str:
    """Each key of `document` on a line of its own, and each item of a
    non-empty list value too; every value below that in one line."""
    members = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(map(_encode, value))
            members.append(f"  {_encode(key)}: [\n    {items}\n  ]")
        else:
            members.append(f"  {_encode(key)}: {_encode(value)}")
    return "{\n" + ",\n".join(members) + "\n}\n"
