"""Selectors: which blocks a rule looks at.

A selector is a mapping; every key present must hold for a block to be
selected (see README "Writing your own policy" for each key).
"""
from __future__ import annotations

import re

from ..reading.tree import Node
from ..routing.route import Request, route
from ..routing.server_select import tls_default_servers
from ..semantics.effective import parse_version
from ..semantics.servers import enclosing_server, location_path, only_loopback, server_names
from ..semantics.variables import evaluate, request_variables
from .model import PolicyError
from .scope import Scope, substitute
from .yamlload import Map

KINDS = {"http": "http", "server": "server", "location": "location",
         "if": "if-in-location", "limit_except": "limit_except"}
MODIFIERS = {"prefix": "", "=": "=", "^~": "^~", "~": "~", "~*": "~*", "@": "@"}
BOOLEANS = {"true": True, "false": False}
KEYS = ("kind", "directive", "args", "serves", "websocket", "websocket_paths", "tls", "server_name", "path",
        "modifier", "has", "own", "proxies", "loopback", "whole", "handshake")
SERVES_KEYS = ("uri", "host", "port", "tls")

# A WebSocket handshake, for judging header values through maps.
HANDSHAKE = request_variables({"Upgrade": "websocket", "Connection": "Upgrade"})


def validate(select, file: str, params: dict[str, str]) -> None:
    if not isinstance(select, Map):
        raise PolicyError(file, getattr(select, "line", None), "select must be a mapping")
    for key in select:
        if key not in KEYS:
            raise PolicyError(file, select.line_of(key), f"unknown selector key {key!r}; known: {', '.join(KEYS)}")
    if "serves" in select:
        _validate_serves(select, file)
    if "directive" in select:
        _validate_names(select, "directive", file)
        if "serves" in select:
            raise PolicyError(file, select.line_of("directive"), "directive and serves cannot be combined")
    elif "args" in select:
        raise PolicyError(file, select.line_of("args"), "args needs directive: it matches a statement's arguments")
    kinds = select.get("kind")
    if kinds is None and "serves" not in select and "directive" not in select:
        raise PolicyError(file, select.line, "select needs a kind (" + ", ".join(KINDS) + "), a directive or serves")
    for kind in kinds if isinstance(kinds, list) else [kinds] if kinds else []:
        if kind not in KINDS:
            raise PolicyError(file, select.line_of("kind"), f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    for key in ("websocket", "tls", "proxies", "loopback", "whole", "handshake"):
        if key in select and select[key] not in BOOLEANS:
            raise PolicyError(file, select.line_of(key), f"{key} must be true or false")
    for key in ("server_name", "path", "websocket_paths", "args"):
        if key in select:
            _compile(select, key, file, params)
    for modifier in _listed(select.get("modifier")):
        if not isinstance(modifier, str) or modifier not in MODIFIERS:
            raise PolicyError(file, select.line_of("modifier"), f"modifier must be one of {', '.join(MODIFIERS)}")
    if "own" in select:
        _validate_names(select, "own", file)


def _validate_names(select: Map, key: str, file: str) -> None:
    names = _listed(select[key])
    if not names or not all(isinstance(n, str) and n for n in names):
        raise PolicyError(file, select.line_of(key), f"{key} must be a directive name or a list of them")


def _listed(value) -> list:
    """A selector value that may be one item or a list of them."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _validate_serves(select: Map, file: str) -> None:
    serves = select["serves"]
    line = select.line_of("serves")
    if not isinstance(serves, Map) or not isinstance(serves.get("uri"), str) or not serves["uri"].startswith("/"):
        raise PolicyError(file, line, "serves needs at least uri: /path (and optionally host, port, tls)")
    for key, value in serves.items():
        if key not in SERVES_KEYS:
            raise PolicyError(file, serves.line_of(key), f"unknown serves key {key!r}; known: {', '.join(SERVES_KEYS)}")
        if key == "port" and not (isinstance(value, str) and value.isdigit()):
            raise PolicyError(file, serves.line_of(key), "port must be a number")
        if key == "tls" and value not in BOOLEANS:
            raise PolicyError(file, serves.line_of(key), "tls must be true or false")


def served(select: Map, root: Node, scope: Scope) -> list[Node]:
    """The block that serves the selector's request in this tree (design §2:
    "the location that serves URI P"), as nginx would choose it: the
    innermost location, or the server itself when no location matches."""
    spec = select["serves"]
    port = int(spec.get("port", "443" if spec.get("tls") == "true" else "80"))
    request = Request(host=spec.get("host"), uri=spec["uri"], port=port,
                      tls=BOOLEANS[spec.get("tls", "true" if port == 443 else "false")])
    found = route([root], request)
    block = found.location or found.server
    if block is None or ("kind" in select and block.inner not in kinds_of(select)):
        return []
    return [block] if matches(select, block, scope) else []


def _compile(select: Map, key: str, file: str, params: dict[str, str]) -> re.Pattern:
    value = select[key]
    if not isinstance(value, str):
        raise PolicyError(file, select.line_of(key), f"{key} must be a regular expression string")
    try:
        return re.compile(substitute(value, params))
    except re.error as exc:
        raise PolicyError(file, select.line_of(key), f"invalid regular expression for {key}: {exc}") from None


def kinds_of(select: Map) -> set[str]:
    return {KINDS[k] for k in _listed(select.get("kind")) or KINDS}


def statements(select: Map, written: dict[str, list[Node]], scope: Scope) -> list[Node]:
    """Statement selection (`directive:`): every written statement of those
    names (`written`: the tree's statements by name), wherever it stands;
    `kind` and the other keys then describe the block the statement is
    written in, and `args` its arguments."""
    args = re.compile(substitute(select["args"], scope.params)) if "args" in select else None
    kinds = kinds_of(select) if "kind" in select else None
    judged: dict[int, bool] = {}  # block -> does it satisfy the selector (asked once per block)
    found = []
    for name in _listed(select["directive"]):
        for node in written.get(name, ()):
            if args is not None and not args.search(" ".join(node.args)):
                continue
            level = node.parent
            if id(level) not in judged:
                judged[id(level)] = (kinds is None or level.inner in kinds) and matches(select, level, scope)
            if judged[id(level)]:
                found.append(node)
    return found


def matches(select: Map, block: Node, scope: Scope) -> bool:
    """Does `block` (already of a selected kind) satisfy every other key?"""
    server = enclosing_server(block)
    if "tls" in select and (server is not None and scope.tls.is_tls(server)) != BOOLEANS[select["tls"]]:
        return False
    if "whole" in select and _whole(block) != BOOLEANS[select["whole"]]:
        return False
    if "handshake" in select and (server is not None and _handshake(server, scope)) != BOOLEANS[select["handshake"]]:
        return False
    if "loopback" in select and (server is not None and only_loopback(server)) != BOOLEANS[select["loopback"]]:
        return False
    if "server_name" in select:
        pattern = re.compile(substitute(select["server_name"], scope.params))
        if server is None or not any(pattern.search(n) for n in server_names(server)):
            return False
    if "path" in select or "modifier" in select:
        if block.inner != "location":
            return False
        modifier, path = location_path(block)
        if "modifier" in select and modifier not in {MODIFIERS[m] for m in _listed(select["modifier"])}:
            return False
        if "path" in select and not re.search(substitute(select["path"], scope.params), path):
            return False
    if "own" in select and not any(scope.effective.own(block, name) for name in _listed(select["own"])):
        return False
    if "has" in select:
        setting = scope.effective.get(block, select["has"])
        if setting is None or setting.is_default:
            return False
    if "proxies" in select and proxies(block, scope) != BOOLEANS[select["proxies"]]:
        return False
    if "websocket" in select:
        key = ("websocket", id(block), select.get("websocket_paths"))
        if key not in scope.memo:
            scope.memo[key] = is_websocket(block, scope, key[2])
        if scope.memo[key] != BOOLEANS[select["websocket"]]:
            return False
    return True


def _handshake(server: Node, scope: Scope) -> bool:
    """Are this server's ssl_protocols the ones its handshakes use? From
    nginx 1.29.2 yes; before, only the default server's of each TLS
    address:port count, because SNI arrives after the protocol is chosen
    (semantics §6.4)."""
    if parse_version(scope.effective.version_text) >= (1, 29, 2):
        return True
    if "tls-defaults" not in scope.memo:
        top = server
        while top.parent is not None:
            top = top.parent
        scope.memo["tls-defaults"] = tls_default_servers(top)
    return id(server) in scope.memo["tls-defaults"]


def _whole(block: Node) -> bool:
    """The block belongs to a whole configuration (read from a main
    nginx.conf), so nginx's defaults at http level are really in force; in a
    fragment linted alone, the http level is out of view."""
    top = block
    while top.parent is not None:
        top = top.parent
    return top.inner == "main"


def proxies(block: Node, scope: Scope) -> bool:
    """proxy_pass is in effect here (written here, or in the location around an if)."""
    return scope.effective.get(block, "proxy_pass") is not None


def is_websocket(block: Node, scope: Scope, path_pattern: str | None) -> bool:
    """Design §4: a block with its own proxy_pass that sets Upgrade or
    Connection: upgrade (its own or inherited), or whose location path matches
    the WebSocket path pattern.

    Only proxy_pass: uwsgi and scgi pass the client's Upgrade through by
    themselves (semantics §4.9) and none of the proxy_* rules applies to
    them. The proxy_pass must be written in the block: an if or limit_except
    that has one is checked itself (it inherits the location's settings), and
    one that merely inherits it is not checked twice."""
    if block.inner not in ("location", "if-in-location", "limit_except") or not scope.effective.own(block, "proxy_pass"):
        return False
    for header in scope.effective.headers(block):
        name = header.name.lower()
        if header.node is None or name not in ("upgrade", "connection"):
            continue
        value = evaluate(header.value, HANDSHAKE, scope.maps)
        if value is None:
            value = header.value  # an unknown map: judge by the text ($connection_upgrade)
        if name == "upgrade" and value or "upgrade" in value.lower():
            return True
    if path_pattern:
        location = block if block.inner == "location" else block.location
        return bool(re.search(substitute(path_pattern, scope.params), location_path(location)[1]))
    return False
