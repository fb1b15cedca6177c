"""The benchmark's verdicts against issue 18's targets, and its raw medians.

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
from measure import median_cpu, median_mib, median_seconds, paired_ratio

CROSSPLANE = "crossplane.parse"
COLD = "nginxlint cold"
WARM = "nginxlint warm"
# One site file edited before each run, then the whole tree linted with the
# cache on: the result cache misses, the parse cache holds every other file
# (what a pre-commit hook or an editor meets).
EDITED = "nginxlint one file edited"
ONE_FILE = "nginxlint one file"
IMPORTS = "python -c import"
# Key of the one-file pair in the results, which are otherwise keyed by N.
ONE_FILE_KEY = "1 file"
TARGET_N = 1000
DOUBLE_N = 2000
# The team's standard tree (gen_tree.py) is keyed "N gen_tree"; the bench's
# own tree (tree.py) by N alone, as before.
GEN_TREE = "gen_tree"


def tree_key(n, gen_tree=False):
    """The results key of a tree: N, or "N gen_tree"."""
    return f"{n} {GEN_TREE}" if gen_tree else n


@dataclass(frozen=True)
class Target:
    """One row of the issue's target table; value None means not measured.
    `cpu` is the same ratio over CPU seconds (None for memory rows)."""

    measure: str
    value: float | None
    limit: float
    at_most: bool
    why_missing: str = "not run"
    cpu: float | None = None

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


def _time_target(results, measure, a, b, limit, at_most=True, why_missing="not run"):
    """A row comparing two commands' times: wall ratio judged, CPU shown."""
    return Target(measure, _ratio(results, a, b), limit, at_most, why_missing,
                  _ratio(results, a, b, "cpu_seconds"))


def _tree_targets(results, gen_tree, warm_reason):
    """The rows one tree answers: cold, warm, one file edited, scaling, memory."""
    n, double = tree_key(TARGET_N, gen_tree), tree_key(DOUBLE_N, gen_tree)
    name = f"{GEN_TREE} " if gen_tree else ""
    return [
        _time_target(results, f"{name}cold N={TARGET_N} nginxlint / crossplane.parse",
                     (n, COLD), (n, CROSSPLANE), 0.7),
        _time_target(results, f"{name}warm (cache) N={TARGET_N} nginxlint / crossplane.parse",
                     (n, WARM), (n, CROSSPLANE), 0.15, why_missing=warm_reason),
        _time_target(results, f"{name}one file edited, whole tree, warm parse cache, "
                     f"N={TARGET_N} / crossplane.parse", (n, EDITED), (n, CROSSPLANE), 0.3,
                     why_missing=warm_reason),
        _time_target(results, f"{name}nginxlint cold N={DOUBLE_N} / N={TARGET_N}",
                     (double, COLD), (n, COLD), 2.1),
        Target(f"{name}peak memory N={TARGET_N} nginxlint cold / crossplane.parse",
               _ratio(results, (n, COLD), (n, CROSSPLANE), "peak_kib"), 1.5, True),
    ]


def targets(results, warm_missing_reason=None):
    """The issue's targets, for the bench's tree and gen_tree's, then the
    tree-independent ones (gixy's split into one row per fork)."""
    warm_reason = warm_missing_reason or "not run"
    return [
        *_tree_targets(results, False, warm_reason),
        *_tree_targets(results, True, warm_reason),
        *(_time_target(results, f"{tool.name} N={TARGET_N} / nginxlint cold",
                       (TARGET_N, tool.name), (TARGET_N, COLD), 15, at_most=False)
          for tool in GIXY_TOOLS),
        _time_target(results, "one-file nginxlint / python -c 'import crossplane, click, yaml'",
                     (ONE_FILE_KEY, ONE_FILE), (ONE_FILE_KEY, IMPORTS), 2.0),
    ]


def target_rows(rows):
    """Cells of the target table."""
    header = ("measure", "target", "measured", "CPU ratio", "verdict")
    body = [(t.measure, f"{'<=' if t.at_most else '>='} {t.limit:g}",
             t.why_missing if t.value is None else f"{t.value:.2f}",
             "-" if t.cpu is None else f"{t.cpu:.2f}", t.verdict)
            for t in rows]
    return header, body


def raw_rows(results, findings):
    """Cells of the raw table: one row per (N, tool) in the order measured."""
    header = ("N", "tool", "runs", "median s", "min s", "max s", "median CPU s",
              "median peak MiB", "findings")
    body = []
    for (n, label), runs in results.items():
        seconds = [run.seconds for run in runs]
        mib, cpu = median_mib(runs), median_cpu(runs)
        body.append((str(n), label, str(len(runs)),
                     f"{median_seconds(runs):.3f}", f"{min(seconds):.3f}",
                     f"{max(seconds):.3f}", "-" if cpu is None else f"{cpu:.3f}",
                     "-" if mib is None else f"{mib:.1f}",
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
