"""`nginx -T` output as input: the files nginx really loaded, without the host.

nginx -T prints every configuration file it read, the main config first,
each after a line `# configuration file PATH:` and followed by one newline
of its own (ngx_conf_dump in nginx.c). `split` cuts the dump at those lines
back into the files, byte for byte and line for line; `DumpProbe` answers
the loader's every filesystem question from them, so a tree is linted with
findings at the original paths and lines, and nothing on this machine is
read in their place (a runner's own /etc/nginx stays unread).

A file whose text holds a line of that form itself cannot be told from a
marker (nginx does not escape it): it is split there, as nginx -T's other
readers do.
"""
from __future__ import annotations

import fnmatch
import os
import re

from ..errors import FileError
from .probe import DIRECTORY, REGULAR, Probe
from .source import Source, decode_source

MARKER = re.compile(rb"^# configuration file (.+):$", re.M)
_ABSENT = "no such file or directory"


class DumpError(FileError):
    """A dump that is not the output of nginx -T."""


def split(data: bytes, name: str) -> dict[str, bytes]:
    """The files of a dump, by absolute path, in the dump's order (the main
    config first). Text before the first marker (nginx's own "syntax is ok"
    lines, when stderr was captured too) is left out."""
    markers = list(MARKER.finditer(data))
    if not markers:
        raise DumpError(name, None, "not an nginx -T dump: no '# configuration file PATH:' line")
    files: dict[str, bytes] = {}
    for marker, following in zip(markers, [*markers[1:], None]):
        path = os.path.normpath(os.path.abspath(os.fsdecode(marker.group(1))))
        if path in files:
            raise DumpError(name, data.count(b"\n", 0, marker.start()) + 1, f"not an nginx -T dump: {path} appears twice")
        body = data[marker.end() + 1:following.start() if following else len(data)]
        files[path] = body[:-1] if body.endswith(b"\n") else body  # the newline nginx adds after each file
    return files


class DumpProbe(Probe):
    """The filesystem as the dump shows it: its files, the folders above
    them, nothing else. Every question the loader asks goes through `_ask`;
    one this class does not know is a bug to fix here, never a question
    passed on to the real filesystem."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = files
        self.folders: dict[str, set[str]] = {}
        for path in files:
            child, parent = path, os.path.dirname(path)
            while child != parent:
                self.folders.setdefault(parent, set()).add(os.path.basename(child))
                child, parent = parent, os.path.dirname(parent)

    def _ask(self, question: str, path: str):
        answer = getattr(self, "_" + question)(os.path.normpath(os.path.abspath(path)), path)
        self.answers[(question, path)] = answer
        return answer

    def _kind(self, path: str, _given: str) -> str:
        return REGULAR if path in self.files else DIRECTORY if path in self.folders else _ABSENT

    def _readable(self, path: str, _given: str) -> bool:
        return path in self.files or path in self.folders

    def _isdir(self, path: str, _given: str) -> bool:
        return path in self.folders

    def _isfile(self, path: str, _given: str) -> bool:
        return path in self.files

    _lexists = _readable

    def _realpath(self, path: str, _given: str) -> str:
        return path  # a dump has no symlinks: nginx printed each file by the path it opened

    def _readlink(self, _path: str, _given: str) -> None:
        return None  # no symlinks in a dump (see _realpath)

    def _listdir(self, path: str, _given: str) -> tuple[str, ...] | str:
        return tuple(sorted(self.folders[path])) if path in self.folders else _ABSENT

    def _glob(self, pattern: str, given: str) -> tuple[str, ...]:
        """Like glob.glob: segment by segment, a wildcard never matching a
        leading dot; paths spelled as the pattern was (relative or absolute)."""
        parts = pattern.split(os.sep)
        found = sorted(p for p in (*self.files, *self.folders)
                       if len(p.split(os.sep)) == len(parts) and all(map(_segment_matches, parts, p.split(os.sep))))
        return tuple(found if os.path.isabs(given) else (os.path.relpath(p) for p in found))

    def source(self, path: str) -> Source:
        data = self.files.get(os.path.normpath(os.path.abspath(path)))
        return Source(_ABSENT, None) if data is None else decode_source(data)


def _segment_matches(pattern: str, name: str) -> bool:
    if name.startswith(".") and not pattern.startswith("."):
        return pattern == name
    return fnmatch.fnmatchcase(name, pattern)
