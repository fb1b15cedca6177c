"""`nginxlint check --staged FILE…`: the pre-commit hook's run.

A staged file is rarely a configuration on its own: `conf.d/map.conf` or
`sites-available/app` means something only inside the tree nginx loads.
So each staged file is linted inside the entry configuration that reaches
it (an `entry:` of the project config, else an `nginx.conf` tracked in the
repository whose include graph reads the file: `Config.files`), and the
report holds

- every finding located in a staged file, and
- every finding elsewhere in that tree that the staged change caused: the
  tree as of HEAD is linted too (its blobs copied into a scratch folder)
  and a finding counts as caused when HEAD has no finding with the same
  rule, file, text of the line and blocks it applies to (never the line
  number: an edit above moves every line).

A staged file no entry reaches is linted as a fragment, as without
--staged. The working tree is what is linted: under pre-commit it holds
exactly the staged content (pre-commit sets unstaged changes aside).
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from ..findings.records import Finding, InputError, LintResult
from ..policy.model import PolicySet
from ..reading.loader import Config
from .check import CheckOptions, lint_paths, rules_run

ENTRY_NAME = "nginx.conf"
LintTree = Callable[[list[str], CheckOptions, PolicySet], tuple[Config, LintResult]]
_SYMLINK_MODE = "120000"


class GitError(Exception):
    """git could not answer (not a repository, git missing)."""


def check_staged(paths: list[str], options: CheckOptions, policies: PolicySet, entries: Iterable[str] = (),
                 lint_tree: LintTree = lint_paths, head_copies: str | None = None) -> LintResult:
    """The findings a commit of `paths` (files, as staged) brings: see the module docstring.
    `entries`: the configured entry points (absolute, or relative to the working directory).
    `lint_tree` lints an entry's tree (result_cache.lint_remembered re-lints
    only the servers a change touched); `head_copies`: a folder to keep the
    copy of HEAD in from run to run (else each run copies into a temporary
    one), so that its lint is incremental as well."""
    top = _git("rev-parse", "--show-toplevel").strip()
    staged = {os.path.realpath(p): p for p in paths}
    findings: list[Finding] = []
    errors: list[InputError] = []
    files = 0
    for entry in list(entries) or _tracked_entries(top):
        # The repository is the tree: what the entry reaches inside it is read, the
        # host's /etc/nginx never (an entry at DIR/etc/nginx/… maps absolute paths into DIR).
        root = options.root or tree_root(entry) or (None if options.prefix else top)
        entry_options = dataclasses.replace(options, root=root)
        config, result = lint_tree([entry], entry_options, policies)
        reached = {os.path.realpath(f) for f in config.files} & staged.keys()
        if not reached:
            continue
        for real in reached:
            del staged[real]
        mine = [f for f in result.findings if os.path.realpath(f.file) in reached]
        elsewhere = [f for f in result.findings if os.path.realpath(f.file) not in reached]
        if elsewhere:  # HEAD is linted only when there is something it could clear
            scratch = os.path.join(head_copies, hashlib.sha256(os.fsencode(top)).hexdigest()[:16]) if head_copies else None
            elsewhere = _new_findings(elsewhere, _head_findings(top, entry, entry_options, policies, config.files, lint_tree,
                                                                scratch))
        findings += [*mine, *elsewhere]
        errors += result.errors
        files += result.files
        if not staged:
            break
    if staged:  # no entry reaches them: fragments, as without --staged
        result = lint_paths(list(staged.values()), options, policies)[1]
        findings += result.findings
        errors += result.errors
        files += result.files
    unique = sorted(dict.fromkeys(findings), key=Finding.sort_key)  # two entries may share a snippet
    return LintResult(tuple(unique), tuple(errors), files, rules_run(options, policies))


def tree_root(entry: str) -> str | None:
    """For an entry at DIR/etc/nginx/…, DIR: the tree's absolute includes
    (`include /etc/nginx/conf.d/*.conf`) are read there, not on this host."""
    folder = os.path.dirname(os.path.abspath(entry))
    while folder != os.path.dirname(folder):
        if os.path.basename(folder) == "nginx" and os.path.basename(os.path.dirname(folder)) == "etc":
            return os.path.dirname(os.path.dirname(folder))
        folder = os.path.dirname(folder)
    return None


def _tracked_entries(top: str) -> list[str]:
    """Every nginx.conf git tracks in the repository, shallowest first."""
    listed = _git("ls-files", "-z", "--full-name", "--", f":(glob,top)**/{ENTRY_NAME}", cwd=top).split("\0")
    found = [os.path.join(top, p) for p in listed if os.path.basename(p) == ENTRY_NAME]
    return sorted(found, key=lambda p: (p.count(os.sep), p))


# -- what the tree was at HEAD ---------------------------------------------------

Key = tuple[str, str, str, frozenset[str]]  # rule, file, text of the line, blocks the cause applies to


def _new_findings(now: list[Finding], before: list[Key] | None) -> list[Finding]:
    """The findings of `now` HEAD did not have (each HEAD finding cancels one
    with its key); all of them when there is no HEAD to compare with."""
    if before is None:
        return now
    left = Counter(before)
    caused = []
    lines = _Lines()
    for finding in now:
        key = _key(finding, os.path.abspath(finding.file), lines)
        if left[key] > 0:
            left[key] -= 1
        else:
            caused.append(finding)
    return caused


def _head_findings(top: str, entry: str, options: CheckOptions, policies: PolicySet, files: list[str],
                   lint_tree: LintTree, scratch_folder: str | None) -> list[Key] | None:
    """The keys of the findings of the same entry as of HEAD, or None when
    there is no HEAD (a first commit: everything is new). Only the folders
    the tree read from are copied out of git, into `scratch_folder` (the
    same one each run, so the lint of the copy can be incremental too) or
    a fresh temporary one."""
    try:
        _git("rev-parse", "--verify", "-q", "HEAD", cwd=top)
    except GitError:
        return None
    folders = {os.path.dirname(os.path.abspath(entry))}
    folders |= {os.path.dirname(path) for f in files for path in (os.path.abspath(f), os.path.realpath(f))}
    inside = sorted(os.path.relpath(f, top) for f in folders if _is_within(f, top))
    with _scratch(scratch_folder) as scratch:
        _copy_head(top, _outermost(inside), scratch)
        moved = os.path.join(scratch, os.path.relpath(os.path.abspath(entry), top))
        if not os.path.lexists(moved):
            return []  # the entry is new: HEAD had no findings in this tree
        root = options.root
        if root and _is_within(os.path.abspath(root), top):
            root = os.path.join(scratch, os.path.relpath(os.path.abspath(root), top))
        result = lint_tree([moved], dataclasses.replace(options, root=root), policies)[1]
        lines = _Lines()
        keys = []
        for finding in result.findings:
            shown = os.path.abspath(finding.file)
            keys.append(_key(finding, os.path.join(top, os.path.relpath(shown, scratch)) if _is_within(shown, scratch) else shown,
                             lines, shown))
        return keys


@contextlib.contextmanager
def _scratch(folder: str | None) -> Iterator[str]:
    """An empty folder for HEAD's copy: `folder`, emptied and held under an
    exclusive lock against a concurrent run of the hook, when it can be
    made; else a temporary one."""
    lock = None
    if folder is not None:
        try:
            os.makedirs(os.path.dirname(folder), exist_ok=True)
            lock = open(folder + ".lock", "a")  # noqa: SIM115 - held until the copy is linted
            fcntl.flock(lock, fcntl.LOCK_EX)
            shutil.rmtree(folder, ignore_errors=True)
            os.makedirs(folder)
        except OSError:
            if lock is not None:
                lock.close()
            lock = None
    if lock is None:
        with tempfile.TemporaryDirectory(prefix="nginxlint-head-") as scratch:
            yield scratch
        return
    with lock:
        yield folder


def _key(finding: Finding, file: str, lines: _Lines, read_from: str | None = None) -> Key:
    return (finding.rule, os.path.normpath(file), lines.text(read_from or file, finding.line),
            frozenset(r.message for r in finding.affected))


class _Lines:
    """The text of a file's lines, each file read once."""

    def __init__(self) -> None:
        self._files: dict[str, list[str]] = {}

    def text(self, path: str, line: int) -> str:
        if path not in self._files:
            try:
                with open(path, "rb") as handle:
                    self._files[path] = handle.read().decode("utf-8", "replace").splitlines()
            except OSError:
                self._files[path] = []
        lines = self._files[path]
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _copy_head(top: str, folders: list[str], scratch: str) -> None:
    """Write HEAD's files under `folders` (relative to `top`) below
    `scratch`, symlinks as symlinks, with two git processes in all."""
    listed = _git("ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", *folders, cwd=top).split("\0")
    entries = []
    for line in filter(None, listed):
        meta, path = line.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob":
            entries.append((mode, sha, path))
    if not entries:
        return
    blobs = subprocess.run(["git", "cat-file", "--batch"], cwd=top, input="".join(f"{sha}\n" for _, sha, _ in entries).encode(),
                           capture_output=True, check=True).stdout
    at = 0
    real_scratch = os.path.realpath(scratch)
    for mode, _sha, path in entries:
        header_end = blobs.index(b"\n", at)
        size = int(blobs[at:header_end].split()[2])
        body = blobs[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
        target = os.path.join(scratch, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not _is_within(os.path.realpath(os.path.dirname(target)), real_scratch):
            continue  # a path below a symlinked folder: never write outside the scratch folder
        if mode == _SYMLINK_MODE:
            os.symlink(os.fsdecode(body), target)
        else:
            with open(target, "wb") as handle:
                handle.write(body)


def _outermost(folders: list[str]) -> list[str]:
    """The folders not inside another of them ("" or "." is the whole repository)."""
    kept: list[str] = []
    for folder in sorted(folders):
        if folder in ("", "."):
            return ["."]
        if not any(folder == k or folder.startswith(k + os.sep) for k in kept):
            kept.append(folder)
    return kept


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _git(*args: str, cwd: str | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True)
    except FileNotFoundError:
        raise GitError("--staged needs git, which is not installed") from None
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed"
        raise GitError(message) from None
    return os.fsdecode(done.stdout)
