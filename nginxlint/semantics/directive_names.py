"""Directive names nginx does not know, when they are a typo of one it does.

nginx refuses a directive no loaded module defines (`unknown directive
"proxy_set_heeader"`). A linter cannot know which third-party modules a
host has, so an unknown name is reported only when it is almost certainly
a misspelt stock directive:
- within edit distance 2 (1 for names of 4 characters or fewer) of exactly
  one stock directive: a name close to two is ambiguous, a name close to
  none is most likely some module's own;
- not a directive of a well-known third-party module
  (data/third_party_directives.txt), whatever its spelling;
- standing where nginx reads directives: not inside a data block (map,
  types…) nor inside an unknown block (a module's own, like rtmp).
`load_module` lines do not switch this off: the modules they load are the
ones the list above is for, and a typo is just as fatal on a host that
loads modules. A team with its own modules can add names to that list or
ignore SYN005.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from ..reading.tree import Node, walk
from . import directives
from .placement import Rejection

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def check_names(root: Node) -> Iterator[Rejection]:
    for node in walk(root):
        if node.context is None or directives.is_known(node.name):
            continue
        meant = suggestion(node.name)
        if meant:
            yield Rejection(node, f'unknown directive "{node.name}" (did you mean {meant}?)')


@lru_cache(maxsize=4096)
def suggestion(name: str) -> str | None:
    """The one stock directive `name` is a typo of, or None."""
    if not _NAME.fullmatch(name) or _third_party(name):
        return None
    limit = 1 if len(name) <= 4 else 2
    close = [known for known in directives.names() if abs(len(known) - len(name)) <= limit and distance(name, known) <= limit]
    return close[0] if len(close) == 1 else None


def distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit
    (optimal string alignment): `timout`, `tiemout` are both 1 from `timeout`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _third_party(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _third_party_patterns())


@lru_cache(maxsize=1)
def _third_party_patterns() -> tuple[str, ...]:
    text = resources.files("nginxlint").joinpath("data/third_party_directives.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
