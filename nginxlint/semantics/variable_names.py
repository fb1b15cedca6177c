"""Variables nginx does not know: `unknown "conection_upgrade" variable`.

nginx collects every `$name` the configuration compiles (scripts, complex
values, log formats, `if` operands) and, after reading it all, looks each
up in ngx_http_variables_init_vars: a variable some module declares (the
arrays in data/nginx-variables.tsv), one a directive made (`set`, `map`,
`geo`, `split_clients`, `perl_set`, `js_set`, `js_var`,
`auth_request_set`), a named capture of any regex, else the longest
matching prefix family (`http_`, `arg_`, `cookie_`, `sent_http_`,
`upstream_http_`…). Nothing matches: the error above, with no file or line
(it is logged after parsing: cf->log, not ngx_conf_log_error) [E: nginx
1.22.1]. Names are compared lower-cased (ngx_http_get_variable_index);
`$1`…`$9` are regex captures, never looked up (but `${1}` and `$0` are
names, and unknown); stream has its own table.

Only a whole configuration can be judged: a fragment's variable may come
from a `map` in any other file of http (semantics §1.4). A configuration
that loads a module nginx does not ship, uses a directive no stock module
has, or misses an include is not judged either: that module or file may
declare the variable.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..reading.tree import DATA_BLOCKS, Node, walk
from ..routing.pcre import named_captures
from . import directives
from .directive_names import distance, near, suggestion
from .directives import added_after
from .effective import parse_version
from .placement import Rejection
from .regex_sites import RegexSite, sites_among
from .variables import VARIABLE

_STREAM_CONTEXTS = frozenset({"stream", "stream-server", "stream-upstream"})
# Directives whose first argument names the variable they make (the
# last argument for map, geo and split_clients).
_DEFINES_FIRST = frozenset({"set", "perl_set", "js_set", "js_var", "auth_request_set"})
_DEFINES_LAST = frozenset({"map", "geo", "split_clients"})
_DEFINERS = _DEFINES_FIRST | _DEFINES_LAST
# Arguments nginx never compiles as a script: regexes (their `$` is an
# anchor), code, file names read at startup, server names.
_NOT_SCRIPTS = frozenset({"location", "server_name", "perl", "perl_set", "perl_modules", "perl_require", "include",
                          "load_module", "env", "error_log", "pid", "lock_file", "working_directory", "js_import",
                          "js_path", "js_include", "fastcgi_split_path_info", "gzip_disable", "valid_referers"})
_LITERAL_BLOCKS = DATA_BLOCKS - _DEFINES_LAST  # types, charset_map, match
_REGEX_FIRST = frozenset({"proxy_redirect", "proxy_cookie_domain", "proxy_cookie_path", "proxy_cookie_flags"})
# Dynamic modules nginx itself ships (auto/modules); any other load_module
# may declare variables we cannot know.
STOCK_MODULE_FILES = frozenset({
    "ngx_http_geoip_module.so", "ngx_stream_geoip_module.so", "ngx_http_image_filter_module.so",
    "ngx_http_xslt_filter_module.so", "ngx_http_perl_module.so", "ngx_mail_module.so", "ngx_stream_module.so",
    "ngx_http_js_module.so", "ngx_stream_js_module.so",
})


# Names every WebSocket guide defines the same way: say how, when none is close.
_CONVENTIONAL = {
    "connection_upgrade": " (no map defines it: map $http_upgrade $connection_upgrade { default upgrade; '' close; })",
}


Release = tuple[int, int, int]


@lru_cache(maxsize=1)
def _builtins() -> dict[str, tuple[dict[str, Release], dict[str, Release]]]:
    """subsystem → (exact names, prefix families), each with the first
    checked release that has it (a name later removed stays known)."""
    text = resources.files("nginxlint").joinpath("data/nginx-variables.tsv").read_text("utf-8")
    table: dict[str, tuple[dict[str, Release], dict[str, Release]]] = {"http": ({}, {}), "stream": ({}, {})}
    for row in csv.reader((line for line in text.splitlines() if line and not line.startswith("#")), delimiter="\t"):
        where, name, kind, first = row[0], row[1], row[2], row[3]
        table[where][kind == "prefix"][name] = tuple(int(p) for p in first.replace("-dev", "").split("."))
    return table


def subsystem(node: Node) -> str | None:
    """http or stream (their variables are separate tables); None for mail and main."""
    context = node.context if node.context is not None else node.parent.context if node.parent else None
    if context in _STREAM_CONTEXTS:
        return "stream"
    return None if context in (None, "main", "events", "mail", "mail-server") else "http"


def judgeable(root: Node, statements: Sequence[Node]) -> bool:
    """A whole configuration made of stock modules only (see the module doc);
    `statements`: every statement of `root`."""
    return root.inner == "main" and stock_only(statements)


def stock_only(statements: Sequence[Node]) -> bool:
    """Every directive of `statements` is a stock module's (a load_module
    of a stock module file included): none could make a variable unseen."""
    names = {node.name for node in statements if node.context is not None}  # each name is asked once
    if "load_module" in names and any(
            os.path.basename(node.args[0] if node.args else "") not in STOCK_MODULE_FILES
            for node in statements if node.name == "load_module" and node.context is not None):
        return False
    # an unknown name is a module's directive; a misspelt stock one (SYN005's) is no module
    return all(directives.is_known(name) or suggestion(name) is not None for name in names)


@dataclass(frozen=True)
class Elsewhere:
    """What http servers not in the tree being judged (their verdicts are an
    earlier run's, policy/units.py) contribute to its variables: the names
    they make, and whether their directives are all stock ones."""

    names: frozenset[str] = frozenset()
    stock_only: bool = True


def defined_names(root: Node) -> dict[str, set[str]]:
    """subsystem → names the configuration makes: directives and named captures."""
    statements = list(walk(root))
    return names_made(statements, sites_among(statements))


def names_made(statements: Iterable[Node], sites: Iterable[RegexSite]) -> dict[str, set[str]]:
    """defined_names of the tree whose every statement is `statements` and
    every regex site `sites` (regex_sites.sites_among of them)."""
    made: dict[str, set[str]] = {"http": set(), "stream": set()}
    for node in statements:
        if node.name not in _DEFINERS or not node.args or node.context is None:
            continue  # most statements: asked their name before their subsystem
        where = subsystem(node)
        if where is None:
            continue
        if node.name in _DEFINES_FIRST:
            made[where].add(node.args[0].lstrip("$").lower())
        elif node.children is not None:
            made[where].add(node.args[-1].lstrip("$").lower())
    for site in sites:
        where = subsystem(site.node)
        if where is not None:
            made[where].update(name.lower() for name in named_captures(site.pattern))
    return made


def used_names(node: Node) -> Iterator[str]:
    """Every variable nginx compiles in the statement, in order."""
    for text in _script_args(node):
        if "$" not in text:  # most words: no search started
            continue
        for match in VARIABLE.finditer(text):
            braced, bare = match.group(1), match.group(2)
            if braced:
                yield braced
            elif bare and bare[0] not in "123456789":  # $1…$9 is a capture, what follows is text
                yield bare


def _script_args(node: Node) -> tuple[str, ...]:
    if node.context is None:  # a data block's entry: map values are complex values, keys and others are literal
        parent = node.parent
        return tuple(node.args) if parent is not None and parent.name == "map" and node.name != "include" else ()
    if node.name in _NOT_SCRIPTS or node.name in _LITERAL_BLOCKS:
        return ()
    args = node.args
    if node.name == "if":
        operators = [i for i, a in enumerate(args) if a in ("~", "~*", "!~", "!~*")]
        return tuple(a for i, a in enumerate(args) if not operators or i != operators[0] + 1)
    if node.name == "rewrite":
        return args[1:2]
    if node.name in ("map", "geo", "split_clients"):
        return args[:-1]  # the source; the last argument is the variable made
    if node.name in _DEFINES_FIRST:
        return args[1:] if node.name not in ("perl_set", "js_set") else ()
    if node.name in _REGEX_FIRST:
        return tuple(a for a in args if not a.startswith("~"))
    return args


def unknown_variables(root: Node, statements: Sequence[Node], sites: Iterable[RegexSite], version: str,
                      elsewhere: Elsewhere | None = None) -> Iterator[Rejection]:
    """Each statement's variables nginx `version` would not know, with a
    likely meant name or the release that added it. `statements`: every
    statement below `root` (walk(root)), `sites` their regex sites
    (regex_sites.sites_among); `elsewhere`: what servers of the
    configuration left out of `root` contribute."""
    if not judgeable(root, statements) or (elsewhere is not None and not elsewhere.stock_only):
        return
    made = names_made(statements, sites)
    if elsewhere is not None:
        made["http"] |= elsewhere.names
    release = parse_version(version)
    # A verdict depends on the statement's words and where it stands, and a
    # tree repeats most statements (sites made from one template): each
    # distinct one is judged once.
    judged: dict[tuple, tuple[str, ...]] = {}
    for node in statements:
        if "$" not in "".join(node.args):  # most statements: no variable in any argument
            continue
        key = _reading(node)
        if key not in judged:
            judged[key] = tuple(_unknown(node, made, version, release))
        for message in judged[key]:
            yield Rejection(node, message)


def _reading(node: Node) -> tuple:
    """What decides how nginx reads the statement's variables (subsystem,
    _script_args): its words and context, a data block's entry its block's."""
    if node.context is not None:
        return node.name, node.args, node.context
    parent = node.parent
    return node.name, node.args, None, parent.name if parent else None, parent.context if parent else None


def _unknown(node: Node, made: dict[str, set[str]], version: str, release: Release) -> Iterator[str]:
    """The unknown-variable messages of one statement, each variable once."""
    where = subsystem(node)
    if where is None:
        return
    seen: set[str] = set()
    for name in used_names(node):
        lowered = name.lower()
        if lowered in seen or lowered in made[where]:
            continue
        first = _first_release(lowered, where)
        why = "" if first is None else added_after(first, release)
        if why is None:
            continue
        seen.add(lowered)
        if why:
            hint = f" for nginx {version} ({why})"
        else:
            meant = _suggestion(lowered, where, made[where])
            hint = f" (did you mean ${meant}?)" if meant else _CONVENTIONAL.get(lowered, "")
        yield f'unknown "{lowered}" variable{hint}'


def _first_release(name: str, where: str) -> Release | None:
    """The first checked release with this built-in or a family covering it."""
    exact, prefixes = _builtins()[where]
    if name in exact:
        return exact[name]
    covering = [first for prefix, first in prefixes.items() if name.startswith(prefix)]
    return min(covering) if covering else None


def _suggestion(name: str, where: str, made: set[str]) -> str | None:
    """The nearest known name, when exactly one is close (as for directives)."""
    exact, _ = _builtins()[where]
    close = sorted(set(near(name, exact.keys() | made)))
    if len(close) > 1:
        best = min(distance(name, c) for c in close)
        close = [c for c in close if distance(name, c) == best]
    return close[0] if len(close) == 1 else None
