#!/usr/bin/env python3
"""Regenerate the rule tables of docs/rules.md from `nginxlint rules --format json`.

Each pack section of docs/rules.md holds hand-written prose and, between two
markers, a generated part: the table `nginxlint rules` prints (id, name,
severity, pack, whether it is on by default, whether `fix` fixes it and
whether safely, summary, in the same order) and each rule's "what it
checks" with its parameters and its fix. Only the generated parts are rewritten.
tests/test_docs.py fails when they are out of date.

    python tools/gen_rules_doc.py           # rewrite docs/rules.md
    python tools/gen_rules_doc.py --check   # exit 1 when docs/rules.md is out of date
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "rules.md"
COMMAND = "python tools/gen_rules_doc.py"
BEGIN = "<!-- BEGIN generated rules: {policy} (`" + COMMAND + "` rewrites this part from `nginxlint rules --format json`) -->"
END = "<!-- END generated rules -->"
SECTION = re.compile(r"<!-- BEGIN generated rules: (?P<policy>\S+) .*?-->\n(?P<body>.*?)" + re.escape(END), re.S)


def rules_document() -> dict:
    """`nginxlint rules --format json` of this checkout's code, run from the repository root."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-m", "nginxlint", "rules", "--format", "json"], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def _escape(text: str) -> str:
    text = re.sub(r"([\\*\[\]<>|$~])", r"\\\1", text)
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)  # an underscore inside a word needs no escape


def _md(text: str) -> str:
    """Plain text as Markdown that shows it literally; its `code spans` stay code spans."""
    parts = re.split(r"(`[^`]+`)", " ".join(text.split()))
    return "".join(part.replace("|", "\\|") if part.startswith("`") and part.endswith("`") and len(part) > 1 else _escape(part)
                   for part in parts)


def render_pack(rules: list[dict]) -> str:
    """The generated part of one pack's section."""
    lines = ["| id | name | severity | pack | on | fix | summary |", "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['id']} | {r['name']} | {r['severity']} | {_md(r['pack'])} | {'on' if r['on'] else 'off'} | {_fix_cell(r)} "
              f"| {_md(r['summary'])} |" for r in rules]
    lines.append("")
    for r in rules:
        entry = f"- **{r['id']}** {_md((r.get('docs') or {}).get('what', '')) or _md(r['summary'])}"
        if r.get("params"):
            entry += " Parameters: " + ", ".join(f"`{name}` = `{value}`" for name, value in r["params"].items()) + "."
        if r.get("fix"):
            what = f"`{r['fix']['what']}`" if r["fix"]["kind"] == "set" else _md(r["fix"]["what"])
            entry += f" Fix: {what}" + (" (unsafe: made with `--unsafe-fixes`)." if r["fix"]["unsafe"] else ".")
        lines.append(entry)
    return "\n".join(lines) + "\n"


def _fix_cell(rule: dict) -> str:
    """As `nginxlint rules` prints it: safe, unsafe, or - (no fix)."""
    return "-" if not rule.get("fix") else "unsafe" if rule["fix"]["unsafe"] else "safe"


def packs(document: dict) -> dict[str, list[dict]]:
    """Rules grouped by policy file, in the order `nginxlint rules` lists them."""
    grouped: dict[str, list[dict]] = {}
    for rule in document["rules"]:
        grouped.setdefault(rule["policy"], []).append(rule)
    return grouped


def render(text: str, document: dict) -> str:
    """docs/rules.md's text with every generated part rewritten; ValueError when sections and packs differ."""
    grouped = packs(document)
    found = [m["policy"] for m in SECTION.finditer(text)]
    if found != list(grouped):
        raise ValueError(f"docs/rules.md has generated sections for {found}, but `nginxlint rules` lists the packs {list(grouped)} "
                         f"in that order: add or remove a section (the markers are {BEGIN!r} ... {END!r}), then run {COMMAND}")
    return SECTION.sub(lambda m: BEGIN.format(policy=m["policy"]) + "\n" + render_pack(grouped[m["policy"]]) + END, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/rules.md is out of date; write nothing")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = render(text, rules_document())
    if args.check:
        if new != text:
            print(f"{DOC.relative_to(REPO)} is out of date; run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"rewrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
