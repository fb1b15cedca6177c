"""Each mutant through real `nginx -t` and through nginxlint; the verdicts; the table.

A verdict compares where nginx stops with what nginxlint says:

- nginx rejects, and nginxlint has an error-level SYN or INC finding at the
  file and line nginx names: caught;
- … such a finding, but only at other lines: wrong line;
- … no such finding: missed;
- nginx accepts, and nginxlint has an error-level SYN or INC finding: a
  false rejection (a config nginx takes that the linter would block).

nginx names no line for some errors (`unknown "hot" variable`): then the
line the mutation wrote (Mutant.line, in the mutated file) is the line
nginxlint must name.

nginx runs in a thread pool (`jobs` processes at a time); nginxlint runs
in this process, meanwhile, on the same staged files.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.findings.selection import Selection

from . import bases
from .mutate import ACCEPTED_ROWS, REJECTED_ROWS, ROW_TITLES, Mutant

NGINX_VERSION = "1.22.1"  # Debian 12's, the nginx the suite runs
OPTIONS = CheckOptions(nginx_version=NGINX_VERSION, selection=Selection(("SYN", "INC")))
_WHERE = re.compile(r" in (?P<file>\S+):(?P<line>\d+)$")
VERDICTS = ("caught", "wrong line", "missed", "accepted", "false rejection")


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    verdict: str
    nginx: str  # nginx's first error ("" when it accepts)
    where: tuple[str, int] | None  # the file and line nginx names (or the mutated line when it names none)
    findings: tuple[tuple[str, str, int, str], ...]  # nginxlint's error-level SYN/INC: (rule, file, line, message)


def rejections(findings: Iterable) -> tuple[tuple[str, str, int, str], ...]:
    """nginxlint's findings that say "nginx -t fails": error-level SYN and INC."""
    return tuple((f.rule, Path(f.file).name, f.line, f.message) for f in findings
                 if f.severity == "error" and f.rule.startswith(("SYN", "INC")))


def lint(main: Path, policies) -> tuple[tuple[str, str, int, str], ...]:
    return rejections(check([str(main)], OPTIONS, policies).findings)


def nginx_error(stderr: str) -> tuple[str, tuple[str, int] | None]:
    """nginx's first [emerg] and the file name and line it names."""
    line = next((line for line in stderr.splitlines() if "[emerg]" in line), stderr.strip())
    match = _WHERE.search(line)
    return line.split("] ", 1)[-1], (Path(match["file"]).name, int(match["line"])) if match else None


def judge(mutant: Mutant, returncode: int, stderr: str, found: tuple) -> Verdict:
    if returncode == 0:
        return Verdict(mutant, "false rejection" if found else "accepted", "", None, found)
    message, where = nginx_error(stderr)
    if where is None:
        where = (bases.TARGET if mutant.base.role != "main" else bases.MAIN, mutant.line)
    if any((file, line) == where for _, file, line, _ in found):
        return Verdict(mutant, "caught", message, where, found)
    return Verdict(mutant, "wrong line" if found else "missed", message, where, found)


def run(mutants: list[Mutant], nginx: str, certs: Path, jobs: int = 2) -> list[Verdict]:
    """Every mutant staged in a scratch folder of its own, judged."""
    scratch = Path(tempfile.mkdtemp(prefix="nginxlint-mutants-"))
    try:
        mains = [bases.write(m.base.with_target(m.text), scratch / str(i), certs) for i, m in enumerate(mutants)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            runs = [pool.submit(bases.nginx_t, nginx, main.parent) for main in mains]
            policies = prepare(OPTIONS)
            found = [lint(main, policies) for main in mains]
            results = [r.result() for r in runs]
        return [judge(m, r.returncode, r.stderr, f) for m, r, f in zip(mutants, results, found, strict=True)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def valid_bases(nginx: str, certs: Path, jobs: int = 2) -> tuple[list[bases.Base], list[str]]:
    """The staged candidates nginx -t accepts, and nginx's reason for each one it refuses."""
    staged = [bases.stage(*c) for c in bases.candidates()]
    scratch = Path(tempfile.mkdtemp(prefix="nginxlint-bases-"))
    try:
        prefixes = [bases.write(dict(b.files), scratch / str(i), certs).parent for i, b in enumerate(staged)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(lambda p: bases.nginx_t(nginx, p), prefixes))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    kept = [b for b, r in zip(staged, results, strict=True) if r.returncode == 0]
    return kept, [bases.skip_reason(r.stderr) for r in results if r.returncode]


def table(verdicts: list[Verdict]) -> list[str]:
    """The per-row table, in Markdown: rows nginx should reject, a total, then the rows it should accept."""
    by_row: dict[str, Counter] = {}
    for v in verdicts:
        by_row.setdefault(v.mutant.row, Counter())[v.verdict] += 1
    head = ["| mutation | mutants | nginx rejects | caught at the line | wrong line | missed | nginx accepts | false rejections |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    total = Counter()

    def cells(title: str, c: Counter) -> str:
        rejected = c["caught"] + c["wrong line"] + c["missed"]
        accepted = c["accepted"] + c["false rejection"]
        return (f"| {title} | {rejected + accepted} | {rejected} | {c['caught']} | {c['wrong line']} | {c['missed']} "
                f"| {accepted} | {c['false rejection']} |")

    lines = list(head)
    for row in REJECTED_ROWS + ACCEPTED_ROWS:
        counts = by_row.get(row, Counter())
        total.update(counts)
        lines.append(cells(ROW_TITLES[row], counts))
    rejected = total["caught"] + total["wrong line"] + total["missed"]
    lines.append(cells("**all rows**", total))
    lines.append("")
    lines.append(f"caught at nginx's line: {total['caught']} of {rejected} rejections"
                 f" ({100 * total['caught'] / max(rejected, 1):.0f}%); false rejections: {total['false rejection']}")
    return lines


def rates(verdicts: list[Verdict]) -> dict[str, tuple[int, int]]:
    """row -> (caught at the line, nginx rejected)."""
    out: dict[str, tuple[int, int]] = {}
    for v in verdicts:
        caught, rejected = out.get(v.mutant.row, (0, 0))
        if v.verdict in ("caught", "wrong line", "missed"):
            out[v.mutant.row] = (caught + (v.verdict == "caught"), rejected + 1)
    return out


def details(verdicts: list[Verdict], kinds=("wrong line", "missed", "false rejection")) -> list[str]:
    """One line per mutant of `kinds`: what was done, what nginx said, what nginxlint said."""
    return [f"{v.verdict:15} {v.mutant.row:12} {v.mutant.base.origin}:{v.mutant.line} [{v.mutant.note[:60]}]\n"
            f"    nginx: {v.nginx[:160]} @ {v.where}\n    nginxlint: {[f[:3] for f in v.findings][:4]}"
            for v in verdicts if v.verdict in kinds]
