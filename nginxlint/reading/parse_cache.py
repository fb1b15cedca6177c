"""Parsed files kept between runs, keyed by the sha256 of their bytes.

A Source is a pure function of a file's bytes (source.decode_source), so a
file whose bytes hash as before need not be lexed and parsed again: a
pre-commit run that lints a 1,000-file tree after one edit parses one file.
What a file means in a tree (its includes, globs, symlinks, context) is
still worked out anew by the loader on every run, so no filesystem change
can make a cached parse wrong; only different parsing code could, and the
key holds that code's bytes and every version a parse might depend on.

One file per parse, `<directory>/<key>`: magic, checksum, then the Source as
source.pack writes it. An entry that is truncated, corrupt or unreadable is
a miss, and a folder that cannot be written only means nothing is stored.
Entries are not fsynced (a torn one fails its checksum). Past MAX_ENTRIES,
the oldest written are removed, once per run that writes.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
from pathlib import Path

import yaml

from .. import __version__
from .source import Source, pack, unpack

MAX_ENTRIES = 50_000
_MAGIC = b"nginxlint-parse 1\n"
# The modules a Source depends on: their bytes are part of every key, so a
# source checkout whose parser changed never reads an older parse. Lua
# blocks are lexed by crossplane's lexer (lexer.py), so its code counts too;
# source.py also judges raw token lengths (param_length.py, SYN008).
_PARSING_CODE = ("lexer.py", "parser.py", "source.py", "param_length.py")
_CROSSPLANE_CODE = ("__init__.py", "lexer.py", "ext/lua.py")


def _code_tag() -> bytes:
    """Everything besides the bytes of a file that its parse depends on:
    the parsing code's bytes and the versions of nginxlint, PyYAML and
    Python. (crossplane is located, not imported, and importlib.metadata
    is not used: either would cost every run more than the look-up.)"""
    here = Path(__file__).resolve().parent
    files = [here / name for name in _PARSING_CODE]
    crossplane = importlib.util.find_spec("crossplane")
    if crossplane is not None and crossplane.submodule_search_locations:
        files += [Path(crossplane.submodule_search_locations[0], name) for name in _CROSSPLANE_CODE]
    code = hashlib.sha256()
    for file in files:
        try:
            code.update(file.read_bytes())
        except OSError:
            code.update(b"absent")
    return repr((__version__, yaml.__version__, sys.version)).encode() + code.digest()


class ParseCache:
    """get(digest) -> Source or None; put(source). Never raises OSError."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._folder = os.fspath(directory)  # entries are named with os.path: pathlib costs ~10 µs a look-up
        self._tag = _code_tag()
        self._pruned = False

    def _path(self, digest: str) -> str:
        return os.path.join(self._folder, hashlib.sha256(self._tag + digest.encode()).hexdigest())

    def get(self, digest: str) -> Source | None:
        """The Source of bytes hashing to `digest`, if one was stored."""
        try:
            with open(self._path(digest), "rb", buffering=0) as entry:  # read whole: no buffer to set up
                data = entry.read()
            if not data.startswith(_MAGIC):
                return None
            checksum, payload = data[len(_MAGIC):len(_MAGIC) + 64], data[len(_MAGIC) + 64:]
            if hashlib.sha256(payload).hexdigest().encode() != checksum:
                return None
            source = unpack(payload)
        except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is a miss
            return None
        return source if source.digest == digest else None

    def put(self, source: Source) -> None:
        """Store a Source read from bytes (one with a digest)."""
        if source.digest is None:
            return
        try:
            payload = pack(source)
        except ValueError:  # nested too deep for marshal: parsed again next time
            return
        path = self._path(source.digest)
        temporary = os.path.join(self._folder, f".{os.path.basename(path)}.{os.getpid()}")
        try:
            if not self._pruned:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._prune()
            with open(temporary, "wb") as entry:
                entry.write(_MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload)
            os.replace(temporary, path)
        except OSError:  # an unwritable cache costs speed, not the run
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def _prune(self) -> None:
        """Keep the MAX_ENTRIES most recently written entries."""
        self._pruned = True
        with os.scandir(self.directory) as found:
            entries = [entry for entry in found if entry.is_file()]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            with contextlib.suppress(OSError):
                os.unlink(old.path)
