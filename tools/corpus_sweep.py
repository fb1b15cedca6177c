#!/usr/bin/env python3
"""Sweep nginxlint over a corpus of real-world configs (not a test).

Runs `nginxlint check FILE --format json` once per file of the corpus
(default ../shared/corpus next to this repository), each in its own process
with a timeout, and prints: exit codes, any internal error, traceback,
timeout or exit 2, the slowest files, and finding counts per rule. Exits 1
when any run crashed, hung or printed a traceback, so it can gate a release.

    python tools/corpus_sweep.py [--corpus DIR] [--timeout 30] [--jobs 2] [--json OUT]
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
            "rules": dict(rules), "findings": [[f["rule"], f["line"], f["message"]] for f in findings]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write every run's record (with each finding) here, for review")
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
    for record in problems:
        print(f"PROBLEM {record['file']}: {record['problem']}")
    print(f"{len(problems)} crashed, hung or exited 2" if problems else "no crash, hang, traceback or exit 2")
    return 1 if any(r["problem"] and not r["problem"].startswith("exit 2") for r in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
