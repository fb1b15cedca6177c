"""Stable JSON (design §3): other tools and our own checks read it."""
from __future__ import annotations

import json

from ..findings import baseline
from ..findings.records import LintResult


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
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
