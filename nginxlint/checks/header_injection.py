"""Response and request splitting: decoded URI text in headers and redirects.

`$uri`, `$document_uri` and regex captures of them hold the *decoded* path,
so `%0d%0a` in a request becomes a real line break in the Location header or
in a header sent to the backend. Deciding this needs two things the policy
language has no words for: which argument of each directive ends up in a
header (a `return 200 text` body does not), and whether the capture group
behind `$1` can match a newline, which means reading the regex.

A rewrite that redirects is judged on its variables only: nginx escapes the
regex captures it copies into a redirect (%0D%0A stays %0D%0A in Location;
`ngx_http_script_copy_capture_code` with `e->quote`), while `return 302 /x/$1`
copies them raw (tests/test_security_nginx.py shows both on a live nginx).
"""
from __future__ import annotations

import re

from ..findings.records import Failure
from ..reading.tree import Node
from ..semantics.servers import location_path
from .view import TreeView

DECODED = re.compile(r"\$\{?(uri|document_uri)(?![A-Za-z0-9_])")
CAPTURE = re.compile(r"\$\{?([1-9])(?![0-9])")
REDIRECT_CODES = frozenset({"301", "302", "303", "307", "308"})
HEADER_LISTS = frozenset({"add_header", "add_trailer", "proxy_set_header", "grpc_set_header", "more_set_headers",
                          "more_set_input_headers"})
# Inside a group: escapes and classes that can match "\n" in PCRE.
NEWLINE_ESCAPE = re.compile(r"\\[sWDHRv]")
NEWLINE_SAFE_IN_NEGATED = re.compile(r"\\[nsvR]")


SINKS = HEADER_LISTS | {"return", "rewrite"}


def check(tree: TreeView) -> list[Failure]:
    failures = []
    for node in tree.statements(*SINKS):
        value = _header_value(node)
        if value is None:
            continue
        tainted = [f"${m.group(1)}" for m in DECODED.finditer(value)]
        regex = None if node.name == "rewrite" else _capture_source(node)  # nginx escapes a rewrite's captures
        if regex is not None:
            tainted += [f"${m.group(1)}" for m in CAPTURE.finditer(value) if _can_match_newline(regex, int(m.group(1)))]
        if tainted:
            fields = {"directive": node.name, "actual": ", ".join(dict.fromkeys(tainted)), "origin": node.where()}
            failures.append(Failure(node, fields, None))
    return failures


def _header_value(node: Node) -> str | None:
    """The argument of `node` that nginx writes into a header, if any."""
    args = node.args
    if node.name in HEADER_LISTS and len(args) >= 2:
        return " ".join(args[1:]) if node.name.startswith("more_") else args[1]
    if node.name == "return" and args:
        if args[0] in REDIRECT_CODES and len(args) == 2:
            return args[1]
        return args[0] if not args[0].isdigit() else None  # `return URL` is a 302
    if node.name == "rewrite" and len(args) >= 2:
        redirect = args[1].startswith(("http://", "https://", "$scheme")) or args[2:3] in (("redirect",), ("permanent",))
        return args[1] if redirect else None
    return None


def _capture_source(node: Node) -> str | None:
    """The regex whose captures $1..$9 refer to at `node` (not a rewrite):
    the innermost enclosing `if` or location that matched a regex."""
    for block in node.ancestors():
        if block.name == "if" and len(block.args) == 3 and block.args[1] in ("~", "~*"):
            return block.args[2]
        if block.inner == "location":
            modifier, path = location_path(block)
            return path if modifier in ("~", "~*") else None
    return None


def _can_match_newline(regex: str, number: int) -> bool:
    group = capture_group(regex, number)
    if group is None:
        return False
    flags = re.match(r"\(\?([a-zA-Z]+)\)", regex)
    if flags and "s" in flags.group(1) and "." in re.sub(r"\\.", "", _outside_classes(group)):
        return True  # (?s): an unescaped dot matches a newline too
    if NEWLINE_ESCAPE.search(_outside_classes(group)):
        return True
    for negated, body in _classes(group):
        if negated and not NEWLINE_SAFE_IN_NEGATED.search(body) or not negated and NEWLINE_ESCAPE.search(body):
            return True
    return False


def capture_group(regex: str, number: int) -> str | None:
    """The text of capturing group `number` (1-based), or None."""
    count, stack, i, in_class = 0, [], 0, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 + regex.startswith("^", i + 1)
            i += regex.startswith("]", i)  # a leading ] is literal
            continue
        elif char == "(":
            named = regex.startswith(("?<", "?P<", "?'"), i + 1) and not regex.startswith(("?<=", "?<!"), i + 1)
            capturing = not regex.startswith("?", i + 1) or named
            count += capturing
            stack.append((count if capturing else 0, i))
        elif char == ")" and stack:
            opened, start = stack.pop()
            if opened == number:
                return regex[start:i + 1]
        i += 1
    return None


def _classes(text: str) -> list[tuple[bool, str]]:
    """(negated, body) of each character class in `text`."""
    return [(m.group(1) == "^", m.group(2)) for m in re.finditer(r"\[(\^?)(\]?(?:\\.|[^\]\\])*)\]", text)]


def _outside_classes(text: str) -> str:
    return re.sub(r"\[\^?\]?(?:\\.|[^\]\\])*\]", "", text)
