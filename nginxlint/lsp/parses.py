"""The files a language server session has parsed, kept in memory by the
sha256 of their bytes: after a keystroke, re-linting a tree parses the one
file whose bytes changed (every other file, on disk or in an editor
buffer, hashes as before). The loader still resolves includes, globs and
symlinks anew on every lint, so a cached parse is never wrong; only the
parsing is saved. It answers as parse_cache.ParseCache does (get, put), so
a Probe takes either.
"""
from __future__ import annotations

from collections import OrderedDict

from ..reading.source import Source

# Each keystroke stores one parse of the edited file: keep the most recently
# used ones, enough for a large tree and a long session of edits.
MAX_SOURCES = 4096


class ParsesInMemory:
    """get(digest) -> Source or None; put(source). `parsed` counts the
    parses stored: the files a lint had to parse."""

    def __init__(self, limit: int = MAX_SOURCES) -> None:
        self._sources: OrderedDict[str, Source] = OrderedDict()
        self._limit = limit
        self.parsed = 0

    def get(self, digest: str) -> Source | None:
        source = self._sources.get(digest)
        if source is not None:
            self._sources.move_to_end(digest)
        return source

    def put(self, source: Source) -> None:
        if source.digest is None:
            return
        self.parsed += 1
        self._sources[source.digest] = source
        self._sources.move_to_end(source.digest)
        while len(self._sources) > self._limit:
            self._sources.popitem(last=False)
