"""SSRF: a *_pass whose upstream host comes from the request.

`proxy_pass http://$1` or `fastcgi_pass $http_x_backend:9000` lets the client
choose which host nginx connects to; so does `proxy_pass http://$b` after
`set $b $http_x_backend`, or through a `map` whose result is `$arg_to`.
Deciding that means following each variable to where it gets its value
(semantics/dataflow.py), then splitting the target into scheme, host and path
the way nginx does (request data in the path is harmless). A location marked
`internal` (or inside one) is not reached by a client's request, so it is
not judged.
"""
from __future__ import annotations

import re

from ..findings.records import Failure
from ..reading.tree import Node
from ..semantics.dataflow import Builtin, Capture, Part, Way
from ..semantics.regex_groups import is_literal_choice, starts_with_slash
from .view import TreeView
from .written import fields

# The upstream handlers whose address may hold variables: memcached_pass takes
# a fixed address only (ngx_http_memcached_pass compiles none).
PASS_DIRECTIVES = ("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass")
# Set by the client: Host, a header, a query argument, a cookie.
CLIENT_SET = re.compile(r"host|(?:http|arg|cookie)_\w+")
# The request line or URI: a target that starts with one is wholly the client's.
REQUEST_TEXT = frozenset({"request_uri", "uri", "document_uri", "args", "query_string", "request"})
# Request variables that always begin with "/": after a host, they are the path.
PATHS = frozenset({"request_uri", "uri", "document_uri"})
_SCHEME_END = re.compile(r"://")
_PATH_START = re.compile(r"[/?]")


def check(tree: TreeView) -> list[Failure]:
    judged: dict[Way, bool] = {}  # a tree builds most targets the same few ways: each is split once
    failures = []
    for node in tree.statements(*PASS_DIRECTIVES):
        if not node.args or "$" not in node.args[0]:
            continue  # no variable: a fixed upstream (most targets)
        ways = tree.flow.expand(node.args[0], node)
        for way in ways:
            if way not in judged:
                judged[way] = client_chooses_host(way)
        if any(judged[way] for way in ways) and not _internal(tree, node):
            failures.append(Failure(node, fields(node), None))
    return failures


def _internal(tree: TreeView, node: Node) -> bool:
    """Is `node` in a location only internal redirects reach (`internal` is inherited by nested locations)?"""
    return node.location is not None and tree.effective.get(node.location, "internal") is not None


def client_chooses_host(way: Way) -> bool:
    """Does the host part of one way to build a *_pass target (after any
    scheme://, before the first / or ?) hold a value the client sets, or
    start with the request URI itself? A scheme the client sets can carry a
    whole URL of its own."""
    scheme, host = _split(way)
    if host and isinstance(host[0], Builtin) and host[0].name in REQUEST_TEXT:
        return True
    return any(_client_sets(part) for part in scheme) or any(_client_sets(part) for part in host)


def _split(way: Way) -> tuple[Way, Way]:
    """(scheme, host) pieces of a target: the scheme ends at the first "://"
    written before any / or ?, the host at the next / or ? or path variable."""
    scheme: Way = ()
    rest = way
    for i, part in enumerate(way):
        if isinstance(part, str):
            end, path = _SCHEME_END.search(part), _PATH_START.search(part)
            if end and (path is None or end.start() <= path.start()):
                scheme, rest = way[:i] + (part[:end.start()],), (part[end.end():],) + way[i + 1:]
                break
            if path:
                break
    host: list[Part] = []
    for part in rest:
        if isinstance(part, str):
            path = _PATH_START.search(part)
            if part[:path.start() if path else None]:
                host.append(part[:path.start() if path else None])
            if path:
                break
        elif _is_path(part) and host:
            break  # after a host: the path (a host that starts with the URI is the client's)
        else:
            host.append(part)
    return scheme, tuple(host)


def _is_path(part: Builtin | Capture) -> bool:
    if isinstance(part, Builtin):
        return part.name in PATHS
    return part.regex is not None and starts_with_slash(part.regex, part.ref)


def _client_sets(part: Part) -> bool:
    """Does the client choose this piece? A capture of the client's URI, Host or
    header does, unless its group only matches a few fixed words (https?)."""
    if isinstance(part, Builtin):
        # nginx ignores the case of variable names, but an upper-case ${HOST} is almost always a
        # placeholder for envsubst (as in the official Docker image's templates), not $host: not followed.
        return CLIENT_SET.fullmatch(part.name) is not None
    if isinstance(part, Capture):
        return part.regex is None or not is_literal_choice(part.regex, part.ref) and _client_subject(part.subject)
    return False


def _client_subject(subject: str) -> bool:
    """Was the regex matched against something the client sends?"""
    names = [m.group(1) or m.group(2) for m in re.finditer(r"\$(?:\{(\w+)\}|(\w+))", subject)]
    return any(CLIENT_SET.fullmatch(name) or name in REQUEST_TEXT for name in names)
