#!/usr/bin/env python3
"""Sweep nginxlint over a corpus of real-world configs (not a test).

Runs `nginxlint check FILE --format json` once per file of the corpus
(default ../shared/corpus next to this repository), each in its own process
with a timeout, and prints: exit codes, any internal error, traceback,
timeout or exit 2, the slowest files, and per rule: its severity, findings,
files, and distinct lines (file and line; fewer lines than findings means
one cause reported many times). Exits 1 when any run crashed, hung or
printed a traceback, so it can gate a release.

    python tools/corpus_sweep.py [--corpus DIR] [--timeout 30] [--jobs 2] [--json OUT] [--compare OLD.json]

--compare puts the counts of an earlier --json (before a change) beside
this run's, rule by rule.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SKIP = {"README.md", "MANIFEST.csv"}


def lint(path: Path, timeout: float) -> dict:
    start = time.monotonic()
    try:
        run = subprocess.run([sys.executable, "-m", "nginxlint", "check", str(path), "--format", "json"],
                             capture_output=True, text=True, timeout=timeout, cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"file": str(path), "code": None, "seconds": timeout, "problem": "timeout", "rules": {}}
    seconds = time.monotonic() - start
    problem = None
    if "Traceback" in run.stdout + run.stderr or "internal error" in run.stderr:
        problem = "crash: " + run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "crash"
    elif run.returncode not in (0, 1):
        problem = f"exit {run.returncode}: {run.stderr.strip()}"
    findings = json.loads(run.stdout)["findings"] if run.stdout.strip() and run.returncode in (0, 1) else []
    rules = Counter(f["rule"] for f in findings)
    return {"file": str(path), "code": run.returncode, "seconds": round(seconds, 3), "problem": problem,
            "rules": dict(rules), "findings": [[f["rule"], f["line"], f["message"]] for f in findings],
            "severities": {f["rule"]: f["severity"] for f in findings}}


def per_rule(records: list[dict]) -> dict[str, dict]:
    """rule -> severity, findings, files, distinct lines, over every record."""
    table: dict[str, dict] = {}
    for record in records:
        for rule, line, _ in record.get("findings", []):
            row = table.setdefault(rule, {"severity": "?", "findings": 0, "files": set(), "lines": set()})
            row["findings"] += 1
            row["files"].add(record["file"])
            row["lines"].add((record["file"], line))
        for rule, severity in record.get("severities", {}).items():
            table[rule]["severity"] = severity
    return table


def rule_table(records: list[dict], before: list[dict] | None) -> list[str]:
    now, old = per_rule(records), per_rule(before or [])

    def cells(row: dict | None) -> str:
        return f"{row['findings']:5} {len(row['files']):5} {len(row['lines']):5}" if row else f"{0:5} {0:5} {0:5}"

    header = f"  {'rule':8} {'severity':8} {'finds':>5} {'files':>5} {'lines':>5}"
    lines = [header + (f"   |  before: {'finds':>5} {'files':>5} {'lines':>5}" if before is not None else "")]
    for rule in sorted(set(now) | (set(old) if before is not None else set())):
        row = now.get(rule)
        text = f"  {rule:8} {(row or old[rule])['severity']:8} {cells(row)}"
        lines.append(text + (f"   |          {cells(old.get(rule))}" if before is not None else ""))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write every run's record (with each finding) here, for review")
    parser.add_argument("--compare", type=Path, help="an earlier --json: show its counts per rule beside this run's")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and p.name not in SKIP)
    if not files:
        print(f"no files under {args.corpus}", file=sys.stderr)
        return 2
    with ThreadPoolExecutor(args.jobs) as pool:
        records = list(pool.map(lambda p: lint(p, args.timeout), files))
    if args.json:
        args.json.write_text(json.dumps(records, indent=1))
    codes = Counter(r["code"] for r in records)
    totals, per_file = Counter(), Counter()
    for record in records:
        totals.update(record["rules"])
        per_file.update(record["rules"].keys())
    problems = [r for r in records if r["problem"]]
    print(f"{len(records)} files; exit codes: {dict(sorted(codes.items(), key=str))}")
    print("slowest: " + ", ".join(f"{Path(r['file']).name} {r['seconds']}s"
                                  for r in sorted(records, key=lambda r: -r["seconds"])[:5]))
    print("findings per rule (findings / files):")
    for rule, count in totals.most_common():
        print(f"  {rule:8} {count:5} / {per_file[rule]}")
    print("per rule: severity, findings, files, distinct lines (file:line)")
    print("\n".join(rule_table(records, json.loads(args.compare.read_text()) if args.compare else None)))
    failing = sum(1 for r in records if r["code"] == 1)
    print(f"{sum(totals.values())} findings, {sum(totals.values()) / len(records):.2f} per file; {failing} files exit 1")
    for record in problems:
        print(f"PROBLEM {record['file']}: {record['problem']}")
    print(f"{len(problems)} crashed, hung or exited 2" if problems else "no crash, hang, traceback or exit 2")
    return 1 if any(r["problem"] and not r["problem"].startswith("exit 2") for r in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
