"""SARIF 2.1.0, as GitHub code scanning ingests it.

Every rule that ran is listed in tool.driver with its documentation; each
result has a location relative to the source root (the working directory),
related locations, and a fingerprint that survives unrelated edits: it hashes
the rule, file, server, location and message with line numbers (and how
many other blocks the cause reaches) removed, plus
an occurrence count for identical ones, never the line itself.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .. import __version__
from ..findings.records import Finding, LintResult, without_reach

if TYPE_CHECKING:  # a type only: formats do not load the policy engine
    from ..policy.model import Rule

LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "SRCROOT"
_LINE_REFERENCE = re.compile(r"(:\d+\b|\bline \d+\b)")


def render(result: LintResult) -> str:
    return dumps(run(result.rules, result.findings, result.errors))


def run(rules: list[Rule], findings: list[Finding], errors, extra_rules: list[dict] = (),
        extra_results: list[dict] = (), properties: dict | None = None) -> dict:
    """One SARIF run: the rules, a result per finding (then `extra_results`,
    which `nginxlint diff` adds for its changes), the input errors, and
    `properties` (diff's verdict)."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    seen: Counter = Counter()
    results = []
    for finding in findings:
        basis = _fingerprint_basis(finding)
        seen[basis] += 1
        results.append(_result(finding, index, f"{hashlib.sha256(basis.encode()).hexdigest()[:32]}:{seen[basis]}"))
    document = {
        "tool": {"driver": {
            "name": "nginxlint",
            "version": __version__,
            "informationUri": "https://pypi.org/project/nginxlint/",
            "rules": [_rule(rule) for rule in rules] + list(extra_rules),
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": Path(os.getcwd()).as_uri() + "/"}},
        "results": results + list(extra_results),
        "invocations": [{
            "executionSuccessful": not errors,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": str(error)},
                 **({"locations": [location(error.file, error.line or 1)]} if error.file else {})}
                for error in errors
            ],
        }],
    }
    return {**document, "properties": properties} if properties else document


def dumps(one_run: dict) -> str:
    document = {
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [one_run],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(rule: Rule) -> dict:
    docs = rule.docs or {}
    help_text = "\n\n".join(part for part in (docs.get("what"), docs.get("why")) if part) or rule.summary
    markdown = help_text
    for title in ("bad", "good"):
        if docs.get(title):
            markdown += f"\n\n**{title.capitalize()}**\n\n```nginx\n{docs[title].rstrip()}\n```"
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": docs.get("what") or rule.summary},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _result(finding: Finding, index: dict[str, int], fingerprint: str) -> dict:
    result = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location(finding.file, finding.line)],
        "partialFingerprints": {"nginxlint/v1": fingerprint},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.related:
        result["relatedLocations"] = [
            {"id": i, **location(r.file, r.line), "message": {"text": r.message}}
            for i, r in enumerate(finding.related, 1)
        ]
    return result


def location(file: str, line: int) -> dict:
    if os.path.isabs(file):
        artifact = {"uri": Path(file).as_uri()}
    else:
        artifact = {"uri": quote(Path(file).as_posix()), "uriBaseId": SRCROOT}
    return {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": max(line, 1)}}}


def _fingerprint_basis(finding: Finding) -> str:
    message = _LINE_REFERENCE.sub("", without_reach(finding.message))
    return "\0".join((finding.rule, finding.file, finding.server or "", finding.location or "", message))
