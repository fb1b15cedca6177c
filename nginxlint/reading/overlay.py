"""The filesystem with some files' bytes replaced in memory: what `fix`
lints while it proves its edits, and what the language server lints while
a file is being edited and not saved."""
from __future__ import annotations

import os

from .probe import Probe
from .source import Source, decode_source


class OverlayProbe(Probe):
    """The disk as it is, except the files given (by real path) with their bytes."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = files

    def source(self, path: str) -> Source:
        data = self.files.get(os.path.realpath(path))
        return super().source(path) if data is None else decode_source(data)

    def sources(self, paths: list[str]) -> dict[str, Source]:
        return {path: self.source(path) for path in paths}
