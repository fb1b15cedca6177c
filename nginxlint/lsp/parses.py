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

# Each keystroke stores one parse of the edited file (about 30 kB for the
# 260-line reference site), and a lint touches every file of its tree: the
# most recently used parses are kept, as many as the largest tree linted
# has files, plus this many recent ones (an undo finds its parse again).
SPARE = 64


class ParsesInMemory:
    """get(digest) -> Source or None; put(source). `parsed` counts the
    parses stored: the files a lint had to parse."""

    def __init__(self) -> None:
        self._sources: OrderedDict[str, Source] = OrderedDict()
        self._limit = SPARE
        self.parsed = 0

    def fit(self, files: int) -> None:
        """A lint read `files` files: keep at least that many parses besides the spare ones."""
        self._limit = max(self._limit, files + SPARE)

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
