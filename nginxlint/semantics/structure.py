"""Block-structure rules nginx enforces while reading a config (semantics
§1.2, §2.2, §8 items 7 and 19): duplicate directives and locations (a duplicate listen is
listen_conflicts.py's), nested
locations outside their parent, proxy_pass URIs where none is allowed. Each
problem makes `nginx -t` fail with the message quoted here."""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from ..reading.tree import Node
from . import directives
from .placement import Rejection
from .servers import location_path

NO_URI_PART = frozenset({"if-in-location", "limit_except"})
_URI_PART = re.compile(r"^[a-z]+://[^/]+/")


def check_structure(root: Node, statements: Iterable[Node]) -> Iterator[Rejection]:
    """`statements`: every statement below `root` (walk(root))."""
    slots: dict[str, dict[str, str | None]] = {}  # context -> name -> _slot's answer: a tree repeats few pairs
    for block in itertools.chain((root,), statements):
        if block.children and block.inner is not None:
            yield from _duplicates(block, slots)
            if block.inner in ("server", "location"):
                yield from _locations(block)
        if block.name == "proxy_pass" and block.args and _has_uri_part(block.args[0]) and _no_uri_allowed(block):
            yield Rejection(block, '"proxy_pass" cannot have URI part in location given by regular expression, '
                                        'or inside named location, or inside "if" statement, or inside '
                                        '"limit_except" block')


def _duplicates(block: Node, slots: dict[str, dict[str, str | None]]) -> Iterator[Rejection]:
    filled: dict[str, str] = {}  # slot -> the directive that filled it first
    known = slots.setdefault(block.inner, {})
    for child in block.children:
        slot = known.get(child.name, _UNKNOWN)
        if slot is _UNKNOWN:
            slot = known[child.name] = _slot(child.name, block.inner)
        if slot is not None:
            first = filled.get(slot)
            if first is None:
                filled[slot] = child.name
            else:
                yield Rejection(child, f'"{child.name}" directive is duplicate'
                                + ("" if first == child.name else f', "{first}" directive was specified earlier'))


_UNKNOWN = object()  # not asked yet (None is an answer: no slot)


def _slot(name: str, context: str) -> str | None:
    """The field a `name` line fills in a `context` block, which a second
    line of it (or of a directive sharing the field) finds taken; None for
    a directive that may be repeated."""
    spec = directives.spec_for(name, context)
    handler = spec.set_handler if spec is not None else None
    if name in directives.UPSTREAM_HANDLERS or handler in directives.SINGLE_SLOTS or handler in directives.REPEAT_REFUSED:
        return directives.SHARED_SLOT.get(name, name)
    return None


def _locations(block: Node) -> Iterator[Rejection]:
    static: set[tuple[str, str]] = set()
    outer = None  # the block's own (modifier, path), read at its first nested location (most have none)
    for child in block.children:
        if child.name != "location" or child.children is None:
            continue
        modifier, path = location_path(child)
        name = f"{modifier}{path}" if modifier == "@" else path
        if block.inner == "location":
            outer = outer or location_path(block)
            problem = _nesting(outer, modifier, path)
            if problem:
                yield Rejection(child, problem)
                continue
        if modifier in ("", "^~", "="):
            key = ("=" if modifier == "=" else "prefix", path)
            if key in static:
                yield Rejection(child, f'duplicate location "{name}"')
            static.add(key)


def _nesting(outer: tuple[str, str], modifier: str, path: str) -> str | None:
    outer_modifier, outer_path = outer
    if outer_modifier == "=":
        return f'location "{path}" cannot be inside the exact location "{outer_path}"'
    if outer_modifier == "@":
        return f'location "{path}" cannot be inside the named location "{outer_path}"'
    if modifier == "@":
        return f'named location "{path}" can be on the server level only'
    if modifier not in ("~", "~*") and not path.startswith(outer_path):
        return f'location "{path}" is outside location "{outer_path}"'
    return None


def _has_uri_part(target: str) -> bool:
    return "$" not in target and not target.startswith(("unix:", "http://unix:", "https://unix:")) \
        and _URI_PART.match(target) is not None


def _no_uri_allowed(node: Node) -> bool:
    block = node.parent
    if block.inner in NO_URI_PART:
        return True
    return block.inner == "location" and location_path(block)[0] in ("~", "~*", "@")
