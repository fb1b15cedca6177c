"""Response and request splitting: decoded URI text in headers, redirects and the proxied request.

`$uri`, `$document_uri` and regex captures of them hold the *decoded* path,
so `%0d%0a` in a request becomes a real line break in the Location header, in
a header sent to the backend, or in the request line proxy_pass sends when
its target holds variables. Deciding this needs what the policy language has
no words for: which argument of each directive ends up in a header or the
request line (a `return 200 text` body does not), where each variable gets
its value (semantics/dataflow.py: through `set` and `map` to a capture or a
request variable), and whether the group behind a capture can match a line
feed, which means reading the regex.

nginx percent-escapes a numbered capture that `set` or a redirecting
`rewrite` copies (%0D%0A stays %0D%0A), and copies every other value raw: a
capture in `return`, `add_header`, `proxy_set_header`, `proxy_pass` or a map
result, a named capture, `$uri` anywhere (tests/test_security_nginx.py shows
each on a live nginx).
"""
from __future__ import annotations

import re

from ..findings.records import Failure
from ..reading.tree import Node
from ..semantics.dataflow import Builtin, Capture, Part
from ..semantics.regex_groups import can_match_newline
from .view import TreeView

DECODED = frozenset({"uri", "document_uri"})
REDIRECT_CODES = frozenset({"301", "302", "303", "307", "308"})
HEADER_LISTS = frozenset({"add_header", "add_trailer", "proxy_set_header", "grpc_set_header", "more_set_headers",
                          "more_set_input_headers"})
SINKS = HEADER_LISTS | {"return", "rewrite", "proxy_pass"}
_DECODED_SUBJECT = re.compile(r"\$\{?(?:uri|document_uri)(?![A-Za-z0-9_])")


def check(tree: TreeView) -> list[Failure]:
    failures = []
    for node in tree.statements(*SINKS):
        value = _header_value(node)
        if value is None or "$" not in value:
            continue  # no variable: literal text only, nothing to follow
        tainted = [_shown(part) for way in tree.flow.expand(value, node) for part in way if _can_split(part)]
        if tainted:
            fields = {"directive": node.name, "actual": ", ".join(dict.fromkeys(tainted)), "origin": node.where()}
            failures.append(Failure(node, fields, None))
    return failures


def _header_value(node: Node) -> str | None:
    """The argument of `node` that nginx writes into a header or the request line, if any."""
    args = node.args
    if node.name in HEADER_LISTS and len(args) >= 2:
        return " ".join(args[1:]) if node.name.startswith("more_") else args[1]
    if node.name == "proxy_pass" and args:
        return args[0] if "$" in args[0] else None  # without variables nginx escapes the URI it sends
    if node.name == "return" and args:
        if args[0] in REDIRECT_CODES and len(args) == 2:
            return args[1]
        return args[0] if not args[0].isdigit() else None  # `return URL` is a 302
    if node.name == "rewrite" and len(args) >= 2:
        redirect = args[1].startswith(("http://", "https://", "$scheme")) or args[2:3] in (("redirect",), ("permanent",))
        return args[1] if redirect else None
    return None


def _can_split(part: Part) -> bool:
    """Can this piece carry a decoded line feed into the output?"""
    if isinstance(part, Builtin):
        return part.name.lower() in DECODED
    if isinstance(part, Capture):
        return (not part.escaped and part.regex is not None and _DECODED_SUBJECT.fullmatch(part.subject) is not None
                and can_match_newline(part.regex, part.ref))
    return False


def _shown(part: Builtin | Capture) -> str:
    return f"${part.name}" if isinstance(part, Builtin) else f"${part.ref}"
