"""`nginxlint fix`: lint, plan the fixes, prove them, and only then write.

A run works on the files in memory (an overlay over the disk the loader
reads through, OverlayProbe) in passes, as ruff does: each pass plans the
fixes of the findings still reported, applies them, and re-lints the fixed
tree. A pass's fixes are kept when each one's finding is gone and no finding
appears that the tree did not have before (matched as the baseline matches:
rule, server, location, text of the line; line numbers move); when the pass
as a whole fails that, each fix is tried alone and kept or refused with the
reason. A fix that changes a line another fix of the pass changed waits for
the next pass. Then `nginx -t` (verify_nginx.py) judges every changed file
at once. Writing is the CLI's last step (write_all): all files or none.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ...findings.records import Finding, LintResult, without_reach
from ...policy.engine import Memo, verdicts
from ...policy.model import PolicySet
from ...policy.units import Kept, Units
from ...reading.file_roles import conf_prefix
from ...reading.layout import Layout, inside
from ...reading.loader import Config
from ...reading.overlay import OverlayProbe
from ...reading.probe import Probe
from ..check import CheckOptions, lint_paths, wanted
from .edits import Unfixable, apply, lines_of
from .planning import Candidate, Refusal, plan

_LINE = re.compile(r":\d+\b")
MAX_PASSES = 8  # a fix that makes room for another (HDR001, then a header) needs a second pass; more means a loop


@dataclass(frozen=True)
class Applied:
    finding: Finding
    description: str
    lines: tuple[tuple[str, int], ...]  # (file, line) each edit is at: the line changed or the line new ones go above


@dataclass
class Outcome:
    original: dict[str, bytes] = field(default_factory=dict)  # real path -> bytes before the run
    fixed: dict[str, bytes] = field(default_factory=dict)  # real path -> bytes after every kept fix
    shown: dict[str, str] = field(default_factory=dict)  # real path -> the path findings name
    applied: list[Applied] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    result: LintResult | None = None  # the lint of the fixed tree
    kept: Kept | None = None  # what that lint kept: the next lint re-lints only the servers a fix touched (policy/units.py)
    errors: tuple = ()
    read: list[str] = field(default_factory=list)  # real paths of the files the loader read (for nginx -t)
    main: str | None = None  # the main config, when the tree is a whole one
    fragments: list[str] = field(default_factory=list)  # else the http-level files given, as nginx would include them

    @property
    def changed(self) -> list[str]:
        return [path for path, data in self.fixed.items() if data != self.original.get(path)]


def fix_paths(paths: list[str], options: CheckOptions, policies: PolicySet, unsafe: bool,
              unsaved: dict[str, bytes] | None = None, only: Callable[[Finding], bool] = lambda finding: True,
              kept: Kept | None = None, judged: frozenset[str] | None = None) -> Outcome:
    """The fixes of the findings `only` keeps, proved, in memory. `unsaved`
    (real path -> bytes): files as an editor holds them, fixed instead of the
    disk's. An editor also hands what its last lint of the tree `kept`, so
    each lint here re-lints only what changed, and the real paths of the
    files whose servers' findings it asks to fix (`judged`), so rules run
    again only on those servers to plan the fixes."""
    outcome = Outcome(original=dict(unsaved or {}), fixed=dict(unsaved or {}), kept=kept)
    writable = _writable(paths, options)
    config, result, outcome.kept = _lint(paths, options, policies, outcome.fixed, outcome.kept)
    outcome.errors = result.errors
    refused: dict[tuple, Refusal] = {}  # by finding (_keys): the last reason each was not fixed
    settled: set[tuple] = set()  # findings whose fix was refused in a pass that changed nothing
    for _ in range(MAX_PASSES):
        units = Units.judging(config, judged) if judged is not None else None
        found = list(verdicts(config, policies, options.nginx_version, wanted(options, policies), options.directives, units))
        candidates, refusals = plan(result, found, unsafe, lambda file: lines_of(_bytes(file, outcome)), writable)
        candidates, refusals = [c for c in candidates if only(c.finding)], [r for r in refusals if only(r.finding)]
        refused.update((_key(r.finding), r) for r in refusals)
        batch = _without_overlaps([c for c in candidates if _key(c.finding) not in settled])
        if not batch:
            break
        proved, reason = _try(batch, paths, options, policies, outcome, config, result)
        kept = batch if proved is not None else []
        if proved is None and len(batch) == 1:
            refused[_key(batch[0].finding)] = Refusal(batch[0].finding, reason)
        elif proved is None:  # the pass as a whole is refused: each fix alone, then those that hold together
            for candidate in batch:
                alone, reason = _try([candidate], paths, options, policies, outcome, config, result, keep=False)
                if alone is not None:
                    kept.append(candidate)
                else:
                    refused[_key(candidate.finding)] = Refusal(candidate.finding, reason)
            if kept and _try(kept, paths, options, policies, outcome, config, result, keep=False)[0] is None:
                # each holds alone, not together: as many as hold together, one by one; the rest wait for the next pass
                together: list[Candidate] = []
                for candidate in kept:
                    if _try([*together, candidate], paths, options, policies, outcome, config, result, keep=False)[0] is not None:
                        together.append(candidate)
                kept = together
            proved = _try(kept, paths, options, policies, outcome, config, result)[0] if kept else None
        # A kept fix's finding is gone (another with the same key may remain: its turn is next);
        # a fix refused beside kept ones may hold once they are in (a header copied before its line was fixed).
        if not kept:
            settled.update(_key(c.finding) for c in batch)
        config, result = proved or (config, result)
    outcome.result = result
    left = set(map(_key, result.findings))
    outcome.refused = [r for k, r in refused.items() if k in left]
    outcome.read = list(dict.fromkeys(os.path.realpath(f) for f in config.files))
    mains = [root.file for root in config.roots if root.inner == "main"]
    outcome.main = os.path.realpath(mains[0]) if mains else None
    outcome.fragments = [f for f in outcome.read if any(_given(f, p) for p in paths)] if not mains else []
    return outcome


def _try(batch: list[Candidate], paths: list[str], options: CheckOptions, policies: PolicySet, outcome: Outcome,
         config: Config, result: LintResult, keep: bool = True) -> tuple[tuple[Config, LintResult] | None, str]:
    """Apply the batch (its edits planned on the same bytes) in memory and,
    with `keep`, keep it when the re-lint proves it: the fixed tree's lint,
    or None and why not."""
    fixed = dict(outcome.fixed)
    try:
        for file in dict.fromkeys(file for c in batch for file, _ in c.edits):  # in the batch's order, every run alike
            real = os.path.realpath(file)
            original = _bytes(file, outcome)
            fixed[real] = apply(original, [edit for c in batch for f, edit in c.edits if f == file])
            outcome.original.setdefault(real, original)
            outcome.shown.setdefault(real, file)
    except Unfixable as exc:
        return None, str(exc)
    new_config, new_result, new_kept = _lint(paths, options, policies, fixed, outcome.kept)
    problem = _judge(batch, result, new_result)
    if problem is not None:
        return None, problem
    if not keep:
        return (new_config, new_result), ""
    outcome.fixed.clear()
    outcome.fixed.update(fixed)
    outcome.kept = new_kept
    outcome.applied.extend(Applied(c.finding, c.description, tuple((f, e.line) for f, e in c.edits)) for c in batch)
    return (new_config, new_result), ""


def _judge(batch: list[Candidate], result: LintResult, new_result: LintResult) -> str | None:
    """Why the fixed tree is not better (None when it is): a fixed finding still there, or a new one."""
    if new_result.errors and not result.errors:
        return f"the fixed tree cannot be read: {new_result.errors[0]}"
    before = Counter(map(_key, result.findings))
    left = Counter(map(_key, new_result.findings))
    for candidate in batch:
        if left[_key(candidate.finding)] >= before[_key(candidate.finding)]:
            return f"{candidate.finding.rule} is still reported after the fix"
    new = left - before
    if new:
        finding = next(f for f in new_result.findings if _key(f) in new)
        return f"the fix would bring {finding.rule} at {finding.file}:{finding.line}: {finding.message}"
    return None


def _without_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Fixes that replace different lines (adding lines above one `}`, or
    statements before the `}` of a one-line block, is no overlap); the
    others wait for the next pass, planned on the result."""
    replaced: set[tuple[str, int]] = set()
    written_into: set[tuple[str, int]] = set()  # one-line blocks that get statements before their }
    batch = []
    for candidate in candidates:
        new = {(os.path.realpath(f), e.line) for f, e in candidate.edits if e.new is not None}
        inline = {(os.path.realpath(f), e.line) for f, e in candidate.edits if e.inline}
        if not new & (replaced | written_into) and not inline & replaced:
            replaced |= new
            written_into |= inline
            batch.append(candidate)
    return batch


def _key(finding: Finding) -> tuple:
    """A finding as the passes know it, whatever lines a fix added above it:
    rule, file, blocks and message with its line numbers left out."""
    return finding.rule, finding.file, finding.server, finding.location, _LINE.sub("", without_reach(finding.message))


def _bytes(file: str, outcome: Outcome) -> bytes:
    real = os.path.realpath(file)
    if real not in outcome.fixed:
        with open(real, "rb") as handle:
            return handle.read()
    return outcome.fixed[real]


def _lint(paths: list[str], options: CheckOptions, policies: PolicySet, fixed: dict[str, bytes],
          earlier: Kept | None) -> tuple[Config, LintResult, Kept | None]:
    """The tree with `fixed` files in place of the disk's, re-linting only
    the servers and upstreams whose lines differ from what `earlier` kept."""
    memo = Memo(earlier)
    config, result = lint_paths(paths, options, policies, OverlayProbe(fixed, options.parse_cache), memo)
    return config, result, memo.kept


def _given(real: str, path: str) -> bool:
    """The file is a path given, or a file of a folder given."""
    given = os.path.realpath(path)
    return real == given or (os.path.isdir(path) and os.path.dirname(real) == given)


def _writable(paths: list[str], options: CheckOptions) -> Callable[[str], bool]:
    """A file may be edited when its real path lies in the tree of a linted
    path (--root, --prefix, else its conf prefix folder, as the loader
    bounds what it reads): never nginxlint's stock copies, an
    --include-path folder, or a symlink's target outside the tree."""
    layout = Layout(options.root, options.prefix, options.prefix_of, False)
    trees = set()
    for path in paths:
        folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        prefix = layout.conf_prefix(conf_prefix(os.path.abspath(folder), Probe()))
        trees.add(os.path.realpath(layout.boundary(prefix) or prefix))
    return lambda file: any(inside(os.path.realpath(file), tree) for tree in trees)


def write_all(outcome: Outcome, write: Callable[[str, bytes, int, tuple[int, int]], None]) -> None:
    """Every changed file replaced atomically, keeping its mode and owner;
    when one cannot be written, the ones already written get their old
    bytes back (with the same mode and owner), so a run changes all of its
    files or none (raises OSError)."""
    done: list[tuple[str, os.stat_result]] = []
    try:
        for path in outcome.changed:
            info = os.stat(path)
            write(path, outcome.fixed[path], info.st_mode & 0o7777, (info.st_uid, info.st_gid))
            done.append((path, info))
    except OSError:
        for path, info in done:
            write(path, outcome.original[path], info.st_mode & 0o7777, (info.st_uid, info.st_gid))
        raise
