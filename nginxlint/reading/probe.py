"""The loader's questions to the filesystem, answered and remembered.

A cached result is only as good as the inputs it came from, and which
inputs those are is only known after loading: an include glob may match a
new file, a symlink may lead elsewhere, a folder may lose read permission.
So the loader asks every question that decides what it reads through a
Probe (what kind of file is this, can I read it, what does this folder or
glob list, where does this path really lead, what do this file's bytes hash
to), and the Probe keeps each answer. A cached result is reused only when
asking every question again gets every answer again (commands/result_cache.py).
"""
from __future__ import annotations

import glob
import os
import stat

from .parse_cache import ParseCache
from .source import Source, fingerprint, not_regular, os_reason, read_source

DIRECTORY, REGULAR = "directory", "regular file"


def _kind(path: str) -> str:
    """DIRECTORY, REGULAR, or why the path is neither (as reported)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return os_reason(exc, path)
    if stat.S_ISDIR(mode):
        return DIRECTORY
    return REGULAR if stat.S_ISREG(mode) else not_regular(mode)


def _listdir(path: str) -> tuple[str, ...] | str:
    """A folder's names, sorted, or why it cannot be listed."""
    try:
        return tuple(sorted(os.listdir(path)))
    except OSError as exc:
        return os_reason(exc, path)


def _readlink(path: str) -> str | None:
    """A symlink's target as stored, or None for anything else."""
    try:
        return os.readlink(path)
    except (OSError, ValueError):
        return None


# Each answer is a plain value (str, bool, tuple of str): marshal stores it.
_QUESTIONS = {
    "kind": _kind,
    "readable": lambda path: os.access(path, os.R_OK),
    "isdir": os.path.isdir,
    "isfile": os.path.isfile,
    "lexists": os.path.lexists,
    "realpath": os.path.realpath,
    "readlink": _readlink,
    "listdir": _listdir,
    "glob": lambda pattern: tuple(sorted(glob.glob(pattern))),
    "read": fingerprint,
}


class Probe:
    """Asks the filesystem, and remembers what it was told: one method per
    question, each answer recorded under the question's name in `answers`."""

    def __init__(self, parse_cache: ParseCache | None = None) -> None:
        self.answers: dict[tuple[str, str], object] = {}
        self.parse_cache = parse_cache  # files parsed in earlier runs, by the hash of their bytes

    def _ask(self, question: str, path: str):
        answer = _QUESTIONS[question](path)
        self.answers[(question, path)] = answer
        return answer

    def kind(self, path: str) -> str:
        """DIRECTORY, REGULAR, or why the path is neither (as reported)."""
        return self._ask("kind", path)

    def readable(self, path: str) -> bool:
        return self._ask("readable", path)

    def is_dir(self, path: str) -> bool:
        return self._ask("isdir", path)

    def is_file(self, path: str) -> bool:
        return self._ask("isfile", path)

    def exists(self, path: str) -> bool:
        """The path exists, or is a symlink (dangling or not)."""
        return self._ask("lexists", path)

    def realpath(self, path: str) -> str:
        return self._ask("realpath", path)

    def readlink(self, path: str) -> str | None:
        """A symlink's target as stored (layout.py follows it), else None."""
        return self._ask("readlink", path)

    def listdir(self, path: str) -> tuple[str, ...] | str:
        """A folder's names, sorted, or why it cannot be listed."""
        return self._ask("listdir", path)

    def glob(self, pattern: str) -> tuple[str, ...]:
        """The paths an include glob matches, sorted."""
        return self._ask("glob", pattern)

    def source(self, path: str) -> Source:
        """A file's bytes, decoded and parsed (a DumpProbe reads them from memory)."""
        return read_source(path, self.parse_cache)

    def read(self, path: str, source: Source) -> Source:
        """Remember a file the loader read."""
        self.answers[("read", path)] = source.unreadable or source.digest
        return source


def still_true(answers: dict[tuple[str, str], object]) -> bool:
    """Every question, asked again now, gets the same answer. False too for
    answers no Probe wrote (a cache entry of another layout)."""
    try:
        return all(_QUESTIONS[question](path) == answer for (question, path), answer in answers.items())
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
