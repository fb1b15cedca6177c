"""What `check` reads and writes besides its paths, each failure one
`nginxlint: error:` line and exit 2: the tree staged files belong to, a
baseline file, an `nginx -T` dump, and the report (or baseline) file it
writes atomically."""
from __future__ import annotations

import os
import stat
import sys

from .cli_options import fail
from .commands.atomic_file import replace_atomically
from .commands.check_options import CheckOptions
from .findings.records import LintResult
from .policy.model import PolicySet
from .reading.probe import Probe


def staged_result(paths: list[str], options: CheckOptions, policy_set: PolicySet, entries: list[str],
                  cached: bool) -> LintResult:
    """check --staged (commands/staged.py), or one error line when git
    cannot answer; `cached`: the trees are linted incrementally (result_cache)."""
    from .commands import result_cache
    from .commands.staged import GitError, check_staged

    try:
        if not cached:
            return check_staged(paths, options, policy_set, entries)
        return check_staged(paths, options, policy_set, entries, result_cache.lint_remembered,
                            str(result_cache.cache_dir() / "head"))
    except GitError as exc:
        fail(f"--staged: {exc}")


def baseline_entries(path: str | None) -> list | None:
    """The entries of the --baseline file, or one error line naming it, exit 2."""
    if path is None:
        return None
    from .findings import baseline  # it imports the loader, which a cache hit does not need

    try:
        return baseline.load(path)
    except baseline.BaselineError as exc:
        fail(str(exc))


def dump_probe(dump: str) -> Probe:
    """The files of an `nginx -T` dump (a file, or - for stdin), or one error line, exit 2."""
    from .reading.dump import DumpError, DumpProbe, split

    try:
        if dump == "-":
            data, name = sys.stdin.buffer.read(), "<stdin>"
        else:
            with open(dump, "rb") as handle:
                data, name = handle.read(), dump
        return DumpProbe(split(data, name))
    except OSError as exc:
        fail(f"--dump {dump}: {exc.strerror or exc}")
    except DumpError as exc:
        fail(str(exc))


def write_atomically(path: str, text: str, option: str = "--output") -> None:
    """Readers see the old report (or baseline) or the whole new one, never half of it.
    The new file gets the old one's mode, or the umask's, not mkstemp's 0600."""
    try:
        replace_atomically(path, text.encode("utf-8"), _file_mode(path))
    except OSError as exc:
        fail(f"{option} {path}: {exc.strerror or exc}")


def _file_mode(path: str) -> int:
    """The mode a replaced file keeps, or a new one gets from the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
