"""Selection by the URIs a block serves: `serves:` (the one block nginx picks
for a given request) and `serves_prefix:` (every location that can serve
some URI under a path)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...reading.tree import Node
from ...semantics.servers import location_path
from ..compiling import Compiler
from ..scope import Scope
from ..yamlload import Map

if TYPE_CHECKING:  # routing is imported only by policies that use serves:
    from ...routing.route import Request

SERVES_KEYS = ("uri", "host", "port", "tls")


@dataclass(frozen=True)
class Serves:
    """`serves: {uri, host, port, tls}`: the block that serves this request
    (design §2: "the location that serves URI P"), as nginx would choose it,
    through its rewrite phases: the innermost location the (possibly
    rewritten) URI selects, or the server itself when its own `return` or
    redirecting `rewrite` answers first or no location matches."""

    key: ClassVar[str] = "serves"
    request: Request

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Serves:
        spec, line = select[cls.key], select.line_of(cls.key)
        if not isinstance(spec, Map) or not isinstance(spec.get("uri"), str) or not spec["uri"].startswith("/"):
            raise compiler.error(line, "serves needs at least uri: /path (and optionally host, port, tls)")
        for key, value in spec.items():
            if key not in SERVES_KEYS:
                raise compiler.error(spec.line_of(key), f"unknown serves key {key!r}; known: {', '.join(SERVES_KEYS)}")
            if key == "port" and not (isinstance(value, str) and value.isdigit()):
                raise compiler.error(spec.line_of(key), "port must be a number")
            if key == "tls":
                compiler.flag(value, spec.line_of(key), "tls")
        from ...routing.route import Request

        port = int(spec.get("port", "443" if spec.get("tls") == "true" else "80"))
        tls = spec.get("tls", "true" if port == 443 else "false") == "true"
        return cls(Request(host=spec.get("host"), uri=spec["uri"], port=port, tls=tls))

    def targets(self, matches, scope: Scope) -> list[Node]:
        found = scope.router.route(self.request)
        block = found.location or found.server
        return [block] if block is not None and matches(block, scope) else []

    def at_levels(self, matches, levels: tuple[Node, ...], scope: Scope) -> list[Node]:
        return []  # a server or location, never a root or an http block

    def at_level(self, node: Node, levels: tuple[Node, ...]) -> bool:
        return False


@dataclass(frozen=True)
class ServesPrefix:
    """`serves_prefix: /api/`: the block's location can serve some URI that
    starts with the prefix (an if or limit_except: its location's answer).

    - `= /x`: when /x starts with the prefix.
    - prefix and `^~ /x`: when /x starts with the prefix; or when the prefix
      starts with /x (URIs under the prefix fall back to it) and no sibling
      prefix location longer than /x also lies on the way to the prefix
      (it would take every one of them).
    - `~` and `~*`: unless a sibling `^~` location lies on the way to the
      prefix (regexes are then never tried there), by the regex's literal
      start: a regex anchored with `^` is kept when its literal text before
      the first special character and the prefix agree (one starts with the
      other; `~*` ignoring case); an unanchored regex (or one with a
      top-level `|`) can match inside any URI, so it is kept.
    - named (`@`) locations: never. A nested location also needs its outer
      one to pass. Regex locations that would take a URI first are not
      considered: the test errs towards selecting."""

    key: ClassVar[str] = "serves_prefix"
    prefix: str

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> ServesPrefix:
        prefix = compiler.text(select[cls.key], select.line_of(cls.key), cls.key)
        if not prefix.startswith("/"):
            raise compiler.error(select.line_of(cls.key), "serves_prefix must be a path starting with /")
        return cls(prefix)

    def holds(self, block: Node, scope: Scope) -> bool:
        location = block if block.inner == "location" else block.location
        return location is not None and can_serve_under(location, self.prefix)


def can_serve_under(location: Node, prefix: str) -> bool:
    """See ServesPrefix."""
    outer = location.parent
    if outer is not None and outer.inner == "location" and not can_serve_under(outer, prefix):
        return False
    modifier, path = location_path(location)
    siblings = [location_path(n) for n in (outer.children if outer is not None else ()) if n.name == "location" and n is not location]
    on_the_way = [(m, p) for m, p in siblings if m in ("", "^~") and prefix.startswith(p)]
    if modifier == "@":
        return False
    if modifier == "=":
        return path.startswith(prefix)
    if modifier in ("", "^~"):
        return path.startswith(prefix) or prefix.startswith(path) and not any(len(p) > len(path) for _, p in on_the_way)
    if any(m == "^~" for m, _ in on_the_way):
        return False
    start = _literal_start(path)
    if start is None:
        return True
    if modifier == "~*":
        start, prefix = start.lower(), prefix.lower()
    return start.startswith(prefix) or prefix.startswith(start)


def _literal_start(pattern: str) -> str | None:
    """The literal text every match of a `^`-anchored regex starts with, or
    None when the regex is not anchored at its start."""
    if not pattern.startswith("^") or _top_level_alternation(pattern):
        return None
    literal, index = [], 1
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and not pattern[index + 1].isalnum():
            literal.append(pattern[index + 1])  # an escaped punctuation character is itself
            index += 2
            continue
        if char in ".^$*+?{}[]()|\\":
            break
        literal.append(char)
        index += 1
    if index < len(pattern) and pattern[index] in "*?{" and literal:
        literal.pop()  # the last character is optional or repeated
    return "".join(literal)


def _top_level_alternation(pattern: str) -> bool:
    depth, index, in_class = 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False
