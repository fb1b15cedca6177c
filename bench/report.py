"""The benchmark's verdicts against issue 6's targets, and its raw medians.

Targets are ratios measured side by side on the same machine in the same
run, so they hold on any machine; the raw medians are there to read them by.
Every table renders as fixed-width text or, with --markdown, as the Markdown
that docs/performance.md quotes.
"""

import os
import platform
import sys
from dataclasses import dataclass

from gixy_tools import GIXY_TOOLS
from measure import median_mib, median_seconds, paired_ratio

CROSSPLANE = "crossplane.parse"
COLD = "nginxlint cold"
WARM = "nginxlint warm"
ONE_FILE = "nginxlint one file"
IMPORTS = "python -c import"
# Key of the one-file pair in the results, which are otherwise keyed by N.
ONE_FILE_KEY = "1 file"
TARGET_N = 1000
DOUBLE_N = 2000


@dataclass(frozen=True)
class Target:
    """One row of the issue's target table; value None means not measured."""

    measure: str
    value: float | None
    limit: float
    at_most: bool
    why_missing: str = "not run"

    @property
    def verdict(self):
        if self.value is None:
            return "n/a"
        ok = self.value <= self.limit if self.at_most else self.value >= self.limit
        return "PASS" if ok else "FAIL"


def _ratio(results, a, b, metric="seconds"):
    """Paired median ratio of two result keys, None when either is missing."""
    if a not in results or b not in results:
        return None
    return paired_ratio(results[a], results[b], metric)


def targets(results, warm_missing_reason=None):
    """The issue's six targets (gixy's split into one row per fork)."""
    n = TARGET_N
    warm_reason = warm_missing_reason or "not run"
    return [
        Target(f"cold N={n} nginxlint / crossplane.parse",
               _ratio(results, (n, COLD), (n, CROSSPLANE)), 0.7, True),
        Target(f"warm (cache) N={n} nginxlint / crossplane.parse",
               _ratio(results, (n, WARM), (n, CROSSPLANE)), 0.25, True,
               warm_reason),
    ] + [
        Target(f"{tool.name} N={n} / nginxlint cold",
               _ratio(results, (n, tool.name), (n, COLD)), 15, False)
        for tool in GIXY_TOOLS
    ] + [
        Target(f"nginxlint cold N={DOUBLE_N} / N={n}",
               _ratio(results, (DOUBLE_N, COLD), (n, COLD)), 2.2, True),
        Target("one-file nginxlint / python -c 'import crossplane, click, yaml'",
               _ratio(results, (ONE_FILE_KEY, ONE_FILE), (ONE_FILE_KEY, IMPORTS)),
               2.5, True),
        Target(f"peak memory N={n} nginxlint cold / crossplane.parse",
               _ratio(results, (n, COLD), (n, CROSSPLANE), "peak_kib"), 2, True),
    ]


def target_rows(rows):
    """Cells of the target table."""
    header = ("measure", "target", "measured", "verdict")
    body = [(t.measure, f"{'<=' if t.at_most else '>='} {t.limit:g}",
             t.why_missing if t.value is None else f"{t.value:.2f}", t.verdict)
            for t in rows]
    return header, body


def raw_rows(results, findings):
    """Cells of the raw table: one row per (N, tool) in the order measured."""
    header = ("N", "tool", "runs", "median s", "min s", "max s",
              "median peak MiB", "findings")
    body = []
    for (n, label), runs in results.items():
        seconds = [run.seconds for run in runs]
        mib = median_mib(runs)
        body.append((str(n), label, str(len(runs)),
                     f"{median_seconds(runs):.3f}", f"{min(seconds):.3f}",
                     f"{max(seconds):.3f}", "-" if mib is None else f"{mib:.1f}",
                     str(findings.get((n, label), "-"))))
    return header, body


def render(header, body, markdown=False):
    """A table as fixed-width text, or as a Markdown table."""
    if markdown:
        lines = [header, ["---"] * len(header)] + body
        return "\n".join("| " + " | ".join(row) + " |" for row in lines)
    rows = [header] + body
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths)))
                     for row in rows)


def machine_line():
    """Where the figures come from: they only compare within one machine."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} "
            f"cores, {cpu}; python {sys.version.split()[0]}")
