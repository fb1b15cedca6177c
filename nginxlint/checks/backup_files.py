"""Backup and editor files that an include glob loads as configuration.

`include sites-enabled/*` takes every file in the folder: `default.bak`,
`default~` or `default.orig` are parsed and applied just like `default`,
usually duplicating or resurrecting old servers. Only the loader sees which
files a glob matched, so this cannot be a YAML rule.
"""
from __future__ import annotations

import os
import re

from ..findings.records import Failure
from ..reading.tree import Node
from .view import TreeView

# Editors (~, .swp, .save), merge tools (.orig, .rej), hand copies (.bak,
# .backup, .old) and package managers keeping a changed conffile.
BACKUP_NAME = re.compile(r"(~|\.(bak|backup|orig|rej|old|save|swp|swo|dpkg-(old|dist|new|bak)|rpm(save|new|orig)))$",
                         re.IGNORECASE)


def check(tree: TreeView) -> list[Failure]:
    failures = []
    for _, file, line, loaded in tree.globbed:
        if BACKUP_NAME.search(os.path.basename(loaded)):
            how = f"the include at {file}:{line}" if line else "the folder's include glob"
            site = Node("include", (), file if line else loaded, line or 1, None, None)
            failures.append(Failure(site, {"actual": loaded, "origin": how, "directive": "include"}, None))
    return failures
