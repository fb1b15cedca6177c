"""Where a variable in a directive's value gets its value: the data flow of one tree.

`proxy_pass http://$b;` is harmless or a server-side request forgery
depending on what fills `$b`: a `set $b $http_x_backend;` in the same
location, a `map` whose default is `$arg_to`, a named capture of the location
regex, or a variable nginx fills itself. `expand` follows a value through
`set` and `map` to the values nginx itself provides (request variables,
regex captures) and returns each way the value can be built, so checks ask
about the pieces (is the host the client's? can this piece hold a line
break?) instead of matching variable names as written.

What nginx runs for a request (semantics §2.5): the rewrite-module code of
the server, then of the one location chosen (a nested location does not
repeat its parent's). So the `set` lines that can fill a variable used in a
location are the server's and that location's own, `if` blocks included,
in any order (conditions are not evaluated). A variable no such line sets,
no map defines and no regex names is one nginx fills (or leaves empty): a
`Builtin`. Captures keep the regex they come from and what it was matched
against; a numbered capture copied by `set` or a redirecting `rewrite` is
percent-escaped by nginx (`e->quote` in the rewrite module's script engine),
every other copy is raw, a named capture too, even in the rewrite whose
regex names it (tests/test_security_nginx.py shows both on a live nginx).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..reading.tree import Node, walk
from ..routing.pcre import named_captures
from .servers import location_path
from .variables import MapIndex

# nginx's script syntax: ${name}, $1..$9 (one digit: $10 is $1 then "0"), $name.
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|([1-9])|(\w+))")
# Directives whose copies of numbered captures nginx percent-escapes.
ESCAPING = frozenset({"set", "rewrite"})
_IF_REGEX = frozenset({"~", "~*", "!~", "!~*"})
# Statements that can fill a variable: set lines, regexes (_matched_at, _host_regexes).
_FILLERS = frozenset({"set", "if", "location", "server_name"})
_MAX_WAYS = 32  # ways one value may be built before the rest are not followed
_MAX_DEPTH = 8  # set/map hops followed from one value


@dataclass(frozen=True)
class Builtin:
    """A variable nginx fills itself ($uri, $http_x_backend, $remote_addr), as written."""

    name: str


@dataclass(frozen=True)
class Capture:
    """A regex capture: group `ref` ("1".."9" or a name) of `regex`, matched against
    `subject` (nginx's text: "$uri" for a location or rewrite, "$host" for a
    server_name, the operand of an `if`, the source of a map). `regex` is None
    when no regex around the use is known (a fragment, or captures of an
    earlier match)."""

    regex: str | None
    ref: str
    subject: str
    escaped: bool  # copied by set or rewrite: nginx percent-escapes it


Part = str | Builtin | Capture
Way = tuple[Part, ...]


class DataFlow:
    """Follows variables through one tree's `set` lines, maps and regexes."""

    def __init__(self, maps: MapIndex):
        self._maps = maps
        self._sets: dict[Node, dict[str, list[Node]]] = {}  # server or location -> variable -> its set lines
        # block -> _matched_before(block); server -> its regex names
        self._regexes: dict[Node | None, tuple[tuple[str, str], ...]] = {}
        self._server_regexes: dict[Node | None, tuple[tuple[str, str], ...]] = {}
        self._quiet: dict[Node, bool] = {}  # server -> _fills_nothing(server)
        self._names: dict[str, frozenset[str] | None] = {}  # value -> _variables_of(value)
        # (parent, server, location) of a statement -> _local_names of it
        self._local: dict[tuple[Node | None, Node | None, Node | None], frozenset[str]] = {}
        self._anywhere: dict[str, list[Way]] = {}  # value -> its ways wherever nothing local fills it

    def expand(self, value: str, at: Node) -> list[Way]:
        """Each way nginx can build `value` written at statement `at` (at most
        _MAX_WAYS): literal text, Builtins and Captures, variables followed.

        A value none of whose variables is filled near `at` (a numbered
        capture, a `set` of its server or location, a named group of a
        regex matched before) gets its value from maps and nginx alone, the
        same wherever it is written: a tree repeats such values at every
        site made from one template, and each is followed once."""
        names = self._variables_of(value)
        if names is None or at.name == "rewrite" or names and not self._local_names(at).isdisjoint(names):
            return self._expand(value, at, ())
        ways = self._anywhere.get(value)
        if ways is None:
            ways = self._anywhere[value] = self._expand(value, at, ())
        return list(ways)

    def _variables_of(self, value: str) -> frozenset[str] | None:
        """The variables `value` names, lower-cased as nginx compares them;
        None when it uses a numbered capture ($1, and ${1} or $0 as _variable
        reads them), whose regex is the place's."""
        if value not in self._names:
            written = [match.group(1) or match.group(2) or match.group(3) for match in VARIABLE.finditer(value)]
            self._names[value] = None if any(name.isdigit() for name in written) else frozenset(map(str.lower, written))
        return self._names[value]

    def _local_names(self, at: Node) -> frozenset[str]:
        """The variables a statement at `at`'s place may find filled there:
        what the `set` lines of its server and location set (_set_lines),
        the named groups of the regexes matched before it (_named_capture,
        a rewrite's own regex aside). Asked once per block, and once per
        server in which nothing fills a variable (most servers)."""
        if at.server is not None and self._fills_nothing(at.server):
            return frozenset()
        key = (at.parent, at.server, at.location)
        found = self._local.get(key)
        if found is None:
            names = {name for block in (at.server, at.location) if block is not None for name in self._block_sets(block)}
            names.update(group.lower() for regex, _ in self._matched_before(at.parent) for group in named_captures(regex))
            found = self._local[key] = frozenset(names)
        return found

    def _fills_nothing(self, server: Node) -> bool:
        """Is no variable filled in `server`: no `set` line anywhere in it, no
        named group in a regex matched there (its `~` names, an `if` or a
        location in it, a level above it)? Then _local_names is empty for
        every statement of the server; one pass over it tells."""
        found = self._quiet.get(server)
        if found is None:
            fillers = [node for node in walk(server) if node.name in _FILLERS]
            regexes = [*self._matched_before(server.parent), *_host_regexes(fillers),  # above it: once per http block
                       *(regex for node in fillers if (regex := _matched_at(node)) is not None)]
            found = self._quiet[server] = not any(node.name == "set" for node in fillers) and \
                not any(named_captures(regex) for regex, _ in regexes)
        return found

    def _expand(self, value: str, at: Node, following: tuple[str, ...]) -> list[Way]:
        ways: list[Way] = [()]
        pos = 0
        for match in VARIABLE.finditer(value):
            options = self._variable(match, at, following)
            literal = (value[pos:match.start()],) if match.start() > pos else ()
            if ways == [()]:  # the first variable: each of its options starts a way (most values have one)
                ways = [literal + option for option in options[:_MAX_WAYS]]
            else:
                ways = [way + literal + option
                        for way, option in itertools.islice(itertools.product(ways, options), _MAX_WAYS)]
            pos = match.end()
        if pos == len(value):
            return ways
        tail = (value[pos:],)
        return [way + tail for way in ways]

    def _variable(self, match: re.Match, at: Node, following: tuple[str, ...]) -> list[Way]:
        written = match.group(1) or match.group(2) or match.group(3)
        if written.isdigit():
            regex, subject = capture_source(at)
            return [(Capture(regex, written, subject, at.name in ESCAPING),)]
        name = written.lower()
        if name in following or len(following) >= _MAX_DEPTH:
            return [(Builtin(written),)]  # a loop, or too deep to follow: nginx's own
        sets = self._set_lines(at, name)
        if sets:
            return [way for line in sets for way in self._expand(line.args[1], line, following + (name,))]
        named = self._named_capture(at, name)
        if named is not None:
            return [(named,)]
        block = self._maps.get(name)
        if block is not None:
            return self._map_results(block, following + (name,))
        return [(Builtin(written),)]

    def _set_lines(self, at: Node, name: str) -> list[Node]:
        """The `set $name` lines nginx can run before `at` (module doc)."""
        lines: list[Node] = []
        for block in (at.server, at.location):
            if block is not None:
                lines += self._block_sets(block).get(name, ())
        return lines

    def _block_sets(self, block: Node) -> dict[str, list[Node]]:
        index = self._sets.get(block)
        if index is None:
            index = {}
            for child in block.children or ():
                for line in (child, *(child.children or ())) if child.name == "if" else (child,):
                    if line.name == "set" and len(line.args) == 2:
                        index.setdefault(line.args[0].lstrip("$").lower(), []).append(line)
            self._sets[block] = index
        return index

    def _named_capture(self, at: Node, name: str) -> Capture | None:
        """The named group `name` of a regex matched before `at`: a rewrite's own,
        an enclosing `if` or location, or the server's server_name."""
        if at.name == "rewrite" and at.args and (ref := _group_named(at.args[0], name)) is not None:
            return Capture(at.args[0], ref, "$uri", False)
        for regex, subject in self._matched_before(at.parent):
            if (ref := _group_named(regex, name)) is not None:
                return Capture(regex, ref, subject, False)
        return None

    def _matched_before(self, block: Node | None) -> tuple[tuple[str, str], ...]:
        """(regex, subject) of each regex nginx has matched when a statement of
        `block` runs, innermost first: the enclosing `if`s with a regex
        operator and `~`/`~*` locations, then the server's `~` server names.
        Found once per block (every variable of every statement in it asks,
        and most blocks have none to offer), the server's names once per server."""
        found = self._regexes.get(block)
        if found is None:
            server = None if block is None else block if block.inner == "server" else block.server
            found = self._regexes[block] = (*_levels_matched(block), *self._server_name_regexes(server))
        return found

    def _server_name_regexes(self, server: Node | None) -> tuple[tuple[str, str], ...]:
        """(regex, "$host") of each `~` server name of `server`: read once
        per server, which holds many blocks."""
        found = self._server_regexes.get(server)
        if found is None:
            found = self._server_regexes[server] = tuple(_host_regexes(server.children if server is not None else ()))
        return found

    def _map_results(self, block: Node, following: tuple[str, ...]) -> list[Way]:
        """Every result of a map: a result after a regex key may use its captures."""
        ways: list[Way] = []
        for entry in block.children or ():
            if entry.name in ("hostnames", "volatile", "include") or not entry.args:
                continue
            result = entry.args[0]
            if "$" not in result:
                ways.append((result,))
                continue
            ways.extend(self._expand(result, entry, following))
        return list(dict.fromkeys(ways))[:_MAX_WAYS]


def capture_source(at: Node) -> tuple[str | None, str]:
    """(regex, subject) that $1..$9 refer to at `at`: a rewrite's own regex, a
    map entry's regex key, else the innermost enclosing `if` or location that
    matched a regex."""
    if at.name == "rewrite" and at.args:
        return at.args[0], "$uri"
    if at.parent is not None and at.parent.name == "map":
        key = at.name[2:] if at.name.startswith("~*") else at.name[1:] if at.name.startswith("~") else None
        return key, at.parent.args[0]
    for block in at.ancestors():
        if block.name == "if" and len(block.args) == 3 and block.args[1] in _IF_REGEX:
            return block.args[2], block.args[0]
        if block.inner == "location":
            modifier, path = location_path(block)
            return (path, "$uri") if modifier in ("~", "~*") else (None, "$uri")
    return None, "$uri"


def _levels_matched(block: Node | None) -> Iterator[tuple[str, str]]:
    """(regex, subject) of each enclosing `if` with a regex operator and
    `~`/`~*` location of `block` (itself included), innermost first."""
    for level in (block, *block.ancestors()) if block is not None else ():
        if (regex := _matched_at(level)) is not None:
            yield regex


def _matched_at(level: Node) -> tuple[str, str] | None:
    """(regex, subject) a block matches before its statements run: an `if`
    with a regex operator, a `~`/`~*` location; None for any other node."""
    if level.name == "if" and len(level.args) == 3 and level.args[1] in _IF_REGEX:
        return level.args[2], level.args[0]
    if level.inner == "location":
        modifier, path = location_path(level)
        if modifier in ("~", "~*"):
            return path, "$uri"
    return None


def _host_regexes(lines: list[Node]) -> Iterator[tuple[str, str]]:
    """(regex, "$host") of each `~` name of the server_name lines among `lines`."""
    for line in lines:
        if line.name == "server_name":
            yield from ((name[1:], "$host") for name in line.args if name.startswith("~"))


def _group_named(regex: str, name: str) -> str | None:
    """The group of `regex` that fills variable `name` (nginx ignores the case of variable names)."""
    return next((group for group in named_captures(regex) if group.lower() == name), None)
