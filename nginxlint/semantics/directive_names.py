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
- not a name the project declares (`directives:` in .nginxlint.yaml, names
  or globs), for a team's own modules;
- not starting with the name of a module the tree loads: `load_module
  modules/ngx_http_fancyindex_module.so` spares `fancyindex*`
  (ngx_, http_/stream_/mail_, _filter and _module dropped). Most modules
  name their directives so; those that do not are in the list above.
A `load_module` does not switch SYN005 off: a typo of a stock directive is
just as fatal on a host that loads modules.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources

from ..reading.tree import Node
from . import directives
from .placement import Rejection

_NAME = re.compile(r"[a-z][a-z0-9_]*")


_MODULE_AFFIXES = re.compile(r"^ngx_(?:(?:http|stream|mail)_)?|(?:_filter)?_module$")


def check_names(root: Node, statements: Iterable[Node], declared: tuple[str, ...] = ()) -> Iterator[Rejection]:
    """`statements`: every statement below `root` (walk(root)); `declared`:
    names or globs the project says its modules define."""
    spared = declared + loaded_modules(root)
    for node in statements:
        if node.context is None or directives.is_known(node.name):
            continue
        meant = suggestion(node.name, spared)
        if meant:
            yield Rejection(node, f'unknown directive "{node.name}" (did you mean {meant}?)', meant)


def loaded_modules(root: Node) -> tuple[str, ...]:
    """`NAME*` for each module a top-level load_module names (its file name
    without ngx_, http_/stream_/mail_, _filter, _module and .so)."""
    found = []
    for node in root.children or ():
        if node.name == "load_module" and node.args:
            stem = node.args[0].rsplit("/", 1)[-1].removesuffix(".so")
            name = _MODULE_AFFIXES.sub("", stem)
            if name:
                found.append(name + "*")
    return tuple(found)


@lru_cache(maxsize=4096)
def suggestion(name: str, spared: tuple[str, ...] = ()) -> str | None:
    """The one stock directive `name` is a typo of, or None (also when it
    matches one of the `spared` globs)."""
    if not _NAME.fullmatch(name) or _third_party(name) or any(fnmatch.fnmatchcase(name, p) for p in spared):
        return None
    close = near(name, directives.names())
    return close[0] if len(close) == 1 else None


def near(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates a typo away from `word`: one edit for words of up to
    four letters, two beyond (the did-you-mean of every nginx -t check)."""
    limit = 1 if len(word) <= 4 else 2
    return [c for c in candidates if abs(len(c) - len(word)) <= limit and distance(word, c) <= limit]


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
