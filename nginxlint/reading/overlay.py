"""The filesystem with some files' bytes replaced in memory: what `fix`
lints while it proves its edits, and what the language server lints while
a file is being edited and not saved."""
from __future__ import annotations

import hashlib
import os

from .parse_cache import ParseCache
from .probe import Probe
from .source import Source, decode_source


class OverlayProbe(Probe):
    """The disk as it is, except the files given (by real path) with their bytes.
    With a `parse_cache`, a file's bytes parsed before (on disk or given) are not parsed again."""

    def __init__(self, files: dict[str, bytes], parse_cache: ParseCache | None = None) -> None:
        super().__init__(parse_cache)
        self.files = files

    def source(self, path: str) -> Source:
        data = self.files.get(os.path.realpath(path))
        if data is None:
            return super().source(path)
        if self.parse_cache is None:
            return decode_source(data)
        source = self.parse_cache.get(hashlib.sha256(data).hexdigest())
        if source is None:
            source = decode_source(data)
            self.parse_cache.put(source)
        return source
