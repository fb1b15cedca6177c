"""Whole-process timing and peak memory, in paired rounds.

Every tool is measured the way a user meets it: a fresh process, from exec to
exit. Within a round every command runs once, back to back, so drift on this
shared machine (thermal, page cache, other load) hits all of them alike; ratios
are then taken pair by pair (run i of A over run i of B) and their median
quoted, which holds even when the machine's speed changes between rounds.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

# GNU time reports a child's peak RSS (%M, KiB); without it only the sampled
# process-tree figure below is available.
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
# How often the process tree's memory is sampled. Each sample scans /proc
# (about 1 ms here); 50 ms keeps that cost near 2% of one core while still
# catching the plateau of runs that last a second or more.
SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Command:
    """One thing to time.

    `ok_codes` are the exit codes that mean "did its job" (linters exit 1 on
    findings); `max_runs` caps slow tools to fewer rounds than the rest.
    """

    argv: tuple
    ok_codes: tuple = (0,)
    env: dict = field(default_factory=dict)
    max_runs: int | None = None


@dataclass(frozen=True)
class Run:
    """Wall time, CPU time (user + system of the process and the children
    it waited for, None if unmeasured) and peak memory (KiB, None if
    unmeasured) of one process. CPU time is what a loaded machine disturbs
    least: other processes stretch the wall time, not the work."""

    seconds: float
    peak_kib: int | None
    returncode: int
    cpu_seconds: float | None = None


def _ppid(pid):
    """Parent pid from /proc/PID/stat; None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The command name (field 2) may hold spaces; it ends at the last ')'.
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _pss_kib(pid):
    """Proportional set size of one process, 0 if it already exited."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(root):
    """Pids below root (not root itself: that is the GNU time wrapper)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(entry)
            if parent is not None:
                parents.setdefault(parent, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        children = parents.get(stack.pop(), [])
        found += children
        stack += children
    return found


class TreeMemorySampler:
    """Peak of the summed PSS of a process tree, sampled in a thread.

    GNU time's %M is the peak RSS of the largest single process, so a tool
    that parses in worker processes would look as small as its biggest
    worker. Summing PSS (not RSS: forked workers share copy-on-write pages
    with their parent, which RSS would count once per process) over the tree
    gives the memory the whole run holds. It is a sample, so it can miss a
    spike shorter than SAMPLE_SECONDS; for one process %M is exact, and
    run_timed reports the larger of the two.
    """

    def __init__(self, root_pid):
        self.root_pid = root_pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _loop(self):
        while not self._stop.wait(SAMPLE_SECONDS):
            total = sum(_pss_kib(pid) for pid in _descendants(self.root_pid))
            self.peak_kib = max(self.peak_kib, total)


def run_timed(command, cwd, stdout=subprocess.DEVNULL):
    """Run one command as a whole process: wall time and peak memory.

    Peak RSS comes from GNU time (%M) wrapped around the command, not from
    getrusage or os.wait4 on our own child: Linux carries the pre-exec
    high-water mark across exec, so the child would inherit this script's
    RSS. GNU time is a small C process, so its children start clean. Every
    tool gets the same wrapper, so its ~1 ms cost cancels out in the ratios.
    """
    env = {**os.environ, **command.env}
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        prefix = [TIME_BIN, "-f", "%U %S %M", "-o", rss_file.name] if TIME_BIN else []
        start = time.perf_counter()
        proc = subprocess.Popen(prefix + list(command.argv), cwd=cwd, env=env,
                                stdout=stdout, stderr=subprocess.DEVNULL)
        with TreeMemorySampler(proc.pid) as sampler:
            proc.wait()
        elapsed = time.perf_counter() - start
        # On failure GNU time writes "Command exited with ..." first; ours is last.
        words = rss_file.read().split()[-3:]
    measured = TIME_BIN and len(words) == 3
    largest_process = int(words[2]) if measured else 0
    peak = max(largest_process, sampler.peak_kib) or None
    cpu = float(words[0]) + float(words[1]) if measured else None
    return Run(elapsed, peak, proc.returncode, cpu)


def measure_rounds(commands, runs, cwd, progress=None):
    """Run each of `commands` (key -> Command) once per round; key -> runs.

    A command with max_runs takes part only in the first max_runs rounds, so
    its runs still pair with the same rounds of the others. Any exit code
    outside a command's ok_codes stops the benchmark: the timing would be of
    a failure, not of the work.
    """
    results = {key: [] for key in commands}
    for round_index in range(runs):
        if progress:
            progress(f"round {round_index + 1}/{runs}")
        for key, command in commands.items():
            if command.max_runs is not None and round_index >= command.max_runs:
                continue
            run = run_timed(command, cwd)
            if run.returncode not in command.ok_codes:
                sys.exit(f"{key} exited {run.returncode} in a timed run: "
                         f"{' '.join(command.argv)}")
            results[key].append(run)
    return results


def median_seconds(runs):
    """Median wall time of a list of runs."""
    return statistics.median(run.seconds for run in runs)


def median_cpu(runs):
    """Median CPU seconds; None when it was not measured."""
    values = [run.cpu_seconds for run in runs if run.cpu_seconds is not None]
    return statistics.median(values) if values else None


def median_mib(runs):
    """Median peak memory in MiB; None when it was not measured."""
    values = [run.peak_kib for run in runs if run.peak_kib is not None]
    return statistics.median(values) / 1024 if values else None


def paired_ratio(a_runs, b_runs, metric="seconds"):
    """Median over rounds of A/B for `seconds`, `cpu_seconds` or `peak_kib`.

    Only rounds both took part in are paired (a capped tool has fewer).
    """
    ratios = [getattr(a, metric) / getattr(b, metric)
              for a, b in zip(a_runs, b_runs)
              if getattr(a, metric) and getattr(b, metric)]
    return statistics.median(ratios) if ratios else None

