"""Which tree an open file belongs to: the whole-tree logic of `check
--staged` (commands/staged.py) for a file in an editor. A site under
sites-enabled/ or a map in conf.d/ means something only inside the
nginx.conf that includes it, so it is linted there and a finding caused
from another file (a map's default, an http-level line) shows in it.

The entries tried, in order: the project config's `entry:` list, then an
`nginx.conf` in the file's folder or any folder above it, nearest first.
The first whose include graph reads the file (Config.files) is its tree; a
file no entry reaches is linted alone, as a fragment or the main config it
is. An entry at DIR/etc/nginx/… reads its absolute includes below DIR
(staged.tree_root), as the pre-commit hook does.
"""
from __future__ import annotations

import os

from ..commands.staged import ENTRY_NAME


def candidate_entries(path: str, configured: list[str]) -> list[str]:
    """The entries that may reach `path`, in the order they are tried (not `path` itself)."""
    real = os.path.realpath(path)
    found = [os.path.abspath(entry) for entry in configured]
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        entry = os.path.join(folder, ENTRY_NAME)
        if os.path.isfile(entry):
            found.append(entry)
        if folder == os.path.dirname(folder):
            break
        folder = os.path.dirname(folder)
    return [entry for entry in dict.fromkeys(found) if os.path.realpath(entry) != real]


def reaches(files: list[str], real: str) -> bool:
    """A loaded tree read the file of this real path."""
    return any(os.path.realpath(f) == real for f in files)
