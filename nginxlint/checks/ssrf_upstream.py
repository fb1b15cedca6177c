"""SSRF: a *_pass whose upstream host comes from the request.

`proxy_pass http://$1` or `fastcgi_pass $http_x_backend:9000` lets the client
choose which host nginx connects to. Deciding that means splitting the
target into scheme, host and path the way nginx does (request data in the
path is harmless), and reading nginx's variable syntax ($name, ${name}, $1):
a parse, which as a policy regex took 340 characters.
"""
from __future__ import annotations

import re

from ..findings.records import Failure
from .view import TreeView
from .written import fields

# The upstream handlers whose address may hold variables: memcached_pass takes
# a fixed address only (ngx_http_memcached_pass compiles none).
PASS_DIRECTIVES = ("proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass")
SCHEME = re.compile(r"(?:[a-z][a-z0-9+.-]*|\$\{?scheme\}?)://", re.IGNORECASE)
# nginx's script syntax: ${name}, $1..$9 (one digit: $10 is $1 then "0"), $name.
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|([1-9])|(\w+))")
# Set by the client: Host, a header, a query argument, a cookie, or a capture of its URI.
CLIENT_SET = re.compile(r"host|[1-9]|(?:http|arg|cookie)_\w+")
# The request line or URI: a host that starts with one is wholly the client's.
REQUEST_TEXT = frozenset({"request_uri", "uri", "document_uri", "args", "query_string", "request"})


def check(tree: TreeView) -> list[Failure]:
    return [Failure(node, fields(node), None) for node in tree.statements(*PASS_DIRECTIVES)
            if node.args and client_chooses_host(node.args[0])]


def client_chooses_host(target: str) -> bool:
    """Does the host part of a *_pass target (after any scheme://, before the
    first / or ?) hold a variable the client sets, or start with the request
    URI itself? A variable copied with set, or through a map, is not followed."""
    scheme = SCHEME.match(target)
    host = re.split(r"[/?]", target[scheme.end() if scheme else 0:], maxsplit=1)[0]
    first = VARIABLE.match(host)
    if first is not None and _name(first) in REQUEST_TEXT:
        return True
    return any(CLIENT_SET.fullmatch(_name(m)) for m in VARIABLE.finditer(host))


def _name(variable: re.Match) -> str:
    # nginx ignores the case of variable names, but an upper-case ${HOST} is almost always a
    # placeholder for envsubst (as in the official Docker image's templates), not $host: not followed.
    return variable.group(1) or variable.group(2) or variable.group(3)
