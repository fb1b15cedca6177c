"""Reuse the result of an identical earlier `check`, when nothing it read changed.

An entry is keyed by everything a result depends on besides the files:
nginxlint's version and code, the Python that wrote it, the working
directory (reported paths are relative to it), the paths, every option,
and the bytes of every policy file. It holds the result and the answers to
every question the loader asked the filesystem (probe.py): which files it
read and the sha256 of their bytes, what each folder and include glob
listed, where each symlink led, what could not be read and why. A run
reuses the entry only if asking those questions again gets the same
answers, so an edited, added, removed, retargeted or no longer readable
input is a miss. A miss is not a cold run: the entry also holds the run's
verdicts per http server and upstream, and the new run re-lints only those
whose files changed (policy/units.py), then replaces the entry.
`lint_remembered` does the same for the runs that need the loaded trees
(--staged, --baseline), which a stored result cannot answer.

Entries live in $NGINXLINT_CACHE_DIR, else $XDG_CACHE_HOME/nginxlint, else
~/.cache/nginxlint, one file each, written atomically; the MAX_ENTRIES most
recently used are kept. An entry that is truncated, corrupt or unreadable
is a miss, and a cache folder that cannot be written only means no entry
is stored: the cache can make a run faster, never wrong and never fail.
Parsed files are kept beside the results, in parsed/ (reading/parse_cache.py).

A hit is most of a warm run's time spent importing: what only linting
needs (the engine, the loader, the policy compiler) is imported where a
miss needs it, and the report is kept as it was rendered.
"""
from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .. import __version__
from ..findings.records import Finding, InputError, LintResult, Related
from ..policy.files import builtin_policy_dir, policy_files
from ..policy.model import PolicyError, PolicySet
from ..reading.parse_cache import ParseCache
from ..reading.probe import Probe, still_true
from ..report import Rendered, rendering
from .atomic_file import replace_atomically
from .check_options import CheckOptions

if TYPE_CHECKING:
    from ..policy.units import Kept
    from ..reading.loader import Config

MAX_ENTRIES = 16
_MAGIC = b"nginxlint-cache 6\n"


def cache_dir() -> Path:
    explicit = os.environ.get("NGINXLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nginxlint"


def parse_cache() -> ParseCache:
    """Parsed files, beside the results (reading/parse_cache.py)."""
    return ParseCache(cache_dir() / "parsed")


def check_cached(paths: list[str], options: CheckOptions, policies: Callable[[], PolicySet], output_format: str) -> Rendered:
    """What `check` prints and exits with, answered from the cache when its
    entry still holds: the report as it was rendered when the same output
    was asked for before, else rendered from the stored result. A hit never
    compiles the policies (the entry was made with the same policy bytes and
    options, so they compiled then): `policies` is called only when the run
    needs them, for a miss or a format whose report lists the rules."""
    entry = cache_dir() / f"{_key(paths, options)}.entry"
    stored = _load(entry)
    shown = rendering(output_format)
    if stored is not None and still_true(stored.answers):
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used: pruned last
        if shown in stored.reports and (summary := _summary(stored.summary)) is not None:
            return Rendered(stored.reports[shown], *summary)
        if (result := _result(stored.result)) is not None:
            from .check import rules_run

            findings, errors, files = result
            return Rendered.of(LintResult(findings, errors, files, rules_run(options, policies())), output_format)
    from ..reading.tree import release

    config, result, store = _lint(entry, stored, paths, options, policies())
    for root in config.roots:  # freed before the entry and the report are built
        release(root)
    rendered = Rendered.of(result, output_format)
    store({shown: rendered.report} if shown is not None else {})
    return rendered


def lint_remembered(paths: list[str], options: CheckOptions, policies: PolicySet) -> tuple[Config, LintResult]:
    """commands.check.lint_paths (the trees too, for --staged and
    --baseline), reusing the verdicts the cache entry of the same command
    kept for servers whose lines did not change, and keeping this run's."""
    entry = cache_dir() / f"{_key(paths, options)}.entry"
    config, result, store = _lint(entry, _load(entry), paths, options, policies)
    store({})
    return config, result


def _lint(entry: Path, stored: _Entry | None, paths: list[str], options: CheckOptions,
          policies: PolicySet) -> tuple[Config, LintResult, Callable[[dict[str, str]], None]]:
    """A run the entry cannot answer: the entry's verdicts on servers
    and upstreams whose lines did not change still hold (policy/units.py).
    Returns the run and how to store it as the entry, with its reports
    (rendered text by `rendering`)."""
    from ..policy.engine import Memo
    from .check import lint_paths

    probe, memo = Probe(options.parse_cache), Memo(_kept(stored.kept) if stored is not None else None)
    config, result = lint_paths(paths, options, policies, probe, memo)
    return config, result, lambda reports: _store(entry.parent, entry, probe.answers, result, memo.kept, reports)


def _key(paths: list[str], options: CheckOptions) -> str:
    policies = [str(builtin_policy_dir()), *options.policies]
    # Where each file leads too: the loader reads a file once by its real path, so a link becoming a copy changes the policies.
    policy_bytes = [(file, os.path.realpath(file), _sha256(file)) for path in policies for file in _policy_files(path)]
    parts = (__version__, sys.version, _code_fingerprint(), os.getcwd(), paths, repr(options), policy_bytes)
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _policy_files(path: str) -> list[str]:
    """policy.files.policy_files, where a path it cannot list stands for
    itself: the key is made before the policies are compiled, whose own
    error then says what is wrong with the path."""
    try:
        return policy_files(path)
    except (PolicyError, OSError):
        return [path]


def _sha256(file: str) -> str:
    """The policy file's digest. Only a regular file is read: the key is
    made before the policies are checked, and reading a FIFO would block
    the run that the policy check would end with an error."""
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):
            return "not a regular file"
        return hashlib.sha256(Path(file).read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc}"


def _code_fingerprint() -> list[tuple[str, int, int]]:
    """Size and modification time of every file of the package (code and
    data): a source checkout changes without its version changing."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            info = os.stat(os.path.join(folder, name))
            found.append((os.path.relpath(os.path.join(folder, name), package), info.st_size, info.st_mtime_ns))
    return found


class _Entry(NamedTuple):
    """An entry as read: the filesystem's answers and the reports decoded,
    the rest still marshalled (a hit with a kept report reads only the
    summary, a hit without one the result, a miss only the verdicts)."""

    answers: dict
    result: bytes  # findings, input errors, files read
    kept: bytes  # verdicts per server and upstream (policy/units.py)
    reports: dict[str, str]  # rendered text, by report.rendering
    summary: bytes  # input errors and the findings' severities: what a kept report's exit code needs


def _load(entry: Path) -> _Entry | None:
    """The entry, or None when it is missing or damaged."""
    try:
        data = entry.read_bytes()
        if not data.startswith(_MAGIC):
            return None
        checksum, payload = data[len(_MAGIC):len(_MAGIC) + 64], data[len(_MAGIC) + 64:]
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        answers, result, kept, reports, summary = marshal.loads(payload)
        return _Entry(dict(answers), result, kept, {str(k): str(v) for k, v in reports.items()}, summary)
    except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is a miss
        return None


def _summary(data: bytes) -> tuple[tuple[InputError, ...], frozenset[str]] | None:
    try:
        errors, severities = marshal.loads(data)
        return tuple(InputError(*e) for e in errors), frozenset(str(s) for s in severities)
    except Exception:  # noqa: BLE001 - a damaged part is a miss, as a damaged entry is
        return None


def _result(data: bytes) -> tuple[tuple[Finding, ...], tuple[InputError, ...], int] | None:
    try:
        findings, errors, files = marshal.loads(data)
        findings = tuple(Finding(*f[:8], tuple(Related(*r) for r in f[8])) for f in findings)
        return findings, tuple(InputError(*e) for e in errors), int(files)
    except Exception:  # noqa: BLE001 - a damaged part is a miss, as a damaged entry is
        return None


def _kept(data: bytes) -> Kept | None:
    """The verdicts per unit an entry kept; None when they are not in the
    shape this code writes (policy/units.py reads them without asking)."""
    from ..policy.units import Kept

    try:
        context, units, digests = marshal.loads(data)
        shaped = (len(context) == 2 and all(len(summary) == 4 and all(len(record) == 8 for record in records)
                                            for summary, records in units.values()))
        return Kept(tuple(context), dict(units), dict(digests)) if shaped else None
    except Exception:  # noqa: BLE001 - a damaged part is a miss, as a damaged entry is
        return None


def _store(directory: Path, entry: Path, answers: dict, result: LintResult, kept: Kept | None, reports: dict[str, str]) -> None:
    findings = tuple((f.rule, f.name, f.severity, f.message, f.file, f.line, f.server, f.location,
                      tuple((r.file, r.line, r.message, r.affected) for r in f.related)) for f in result.findings)
    from ..policy.units import Kept

    errors = tuple((e.file, e.line, e.message) for e in result.errors)
    kept = kept or Kept()
    payload = marshal.dumps((answers, marshal.dumps((findings, errors, result.files)),
                             marshal.dumps((kept.context, kept.units, kept.digests)), reports,
                             marshal.dumps((errors, tuple(sorted({f.severity for f in result.findings}))))))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        replace_atomically(str(entry), _MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload)
        _prune(directory)
    except OSError:
        pass  # an unwritable cache costs speed, not the run


def _prune(directory: Path) -> None:
    """Keep the MAX_ENTRIES most recently used entries."""
    entries = sorted(directory.glob("*.entry"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        old.unlink()
