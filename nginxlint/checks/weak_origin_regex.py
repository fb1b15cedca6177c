"""An Origin or Referer test whose regex lets foreign sites through.

`if ($http_origin ~* "example.com")` also matches example.com.evil.net,
and an unescaped dot in www.example.com matches wwwXexample.com. Telling an
anchor, an escaped dot and a dot inside a class apart means reading the
regex piece by piece; as a policy this was three look-behind patterns that
misread `\\\\.` and `(?:^...)`.

A Referer also carries a path, and `if ($http_referer ~* /admin/)` routes by
the page the visitor came from: not an origin check, and anchoring it would
not make it one. A Referer regex is judged only when it looks at the origin:
it spells a scheme (`://`), or before its first `/` it has a dotted host name
(`example.com`, `(www\\.)?example\\.com`: a letter or digit, a dot, a letter or
digit). The Origin header holds nothing but scheme, host and port, so every
regex on it is judged.

With the `origin_https_only` parameter (a site served only over https), a
regex that does not pin the scheme to https is weak too: `^https?://`,
`^(http|https)://` or no scheme at all let a page served over plain http
(which anyone on the path can forge) pass the check.
"""
from __future__ import annotations

import re

from ..findings.records import Failure
from .regex_tokens import IF_REGEX_OPERATORS, tokens
from .view import TreeView
from .written import fields

TESTED_HEADER = re.compile(r"\$\{?http_(origin|referer)\}?")
NAME_CHARACTER = re.compile("[A-Za-z0-9]")
# Group openers that may stand before a leading ^: (, (?:, (?i), (?i:
LEADING_GROUPS = re.compile(r"(?:\((?:\?[a-zA-Z-]*[:)])?)*")
NOT_ANCHORED_AT_START = "the regex is not anchored with ^, so any origin containing it matches"
NOT_ANCHORED_AT_END = "the regex is not anchored with $, so example.com.evil.net matches"
UNESCAPED_DOT = "an unescaped dot matches any character (wwwXexample.com)"
PLAIN_HTTP = "the regex accepts plain http:// origins, which anyone on the network path can forge"
# After ^ and any group openers: https and its colon, the colon maybe escaped.
HTTPS_FIRST = re.compile(r"(?:\((?:\?:)?)*https\\?:", re.IGNORECASE)


def check(tree: TreeView) -> list[Failure]:
    failures = []
    for node in tree.statements("if"):
        args = node.args
        header = TESTED_HEADER.fullmatch(args[0]) if len(args) == 3 else None
        if header and args[1] in IF_REGEX_OPERATORS and (header.group(1) == "origin" or looks_at_origin(args[2])):
            found = weaknesses(args[2]) + ([PLAIN_HTTP] if tree.flag("origin_https_only") and accepts_http(args[2]) else [])
            if found:  # one finding per if, naming every weakness
                failures.append(Failure(node, fields(node), "if ({actual}): " + "; ".join(found)))
    return failures


def looks_at_origin(regex: str) -> bool:
    """Whether a Referer regex tests the scheme or host, not only the path."""
    if "://" in regex.replace("\\/", "/"):
        return True
    pieces = tokens(regex)
    host = pieces[:next((i for i, piece in enumerate(pieces) if piece in ("/", "\\/")), len(pieces))]
    return any(NAME_CHARACTER.fullmatch(before) and dot in (".", "\\.") and NAME_CHARACTER.fullmatch(after)
               for before, dot, after in zip(host, host[1:], host[2:]))


def accepts_http(regex: str) -> bool:
    """Whether the regex can match an http:// origin: it does not start, after
    ^, with https: (groups may open before it), or it spells `http` somewhere
    without a required `s` after it (`https?`, `(http|https)`, `http[s]?`)."""
    start = regex[LEADING_GROUPS.match(regex).end():]
    if not start.startswith("^") or not HTTPS_FIRST.match(start[1:]):
        return True
    pieces = [piece.lower() for piece in tokens(regex)]
    return any(pieces[i:i + 4] == ["h", "t", "t", "p"] and (pieces[i + 4:i + 5] != ["s"] or pieces[i + 5:i + 6] in (["?"], ["*"]))
               for i in range(len(pieces)))


def weaknesses(regex: str) -> list[str]:
    """The message of each way `regex` fails to pin down one origin."""
    found = []
    if not regex[LEADING_GROUPS.match(regex).end():].startswith("^"):
        found.append(NOT_ANCHORED_AT_START)
    pieces = tokens(regex)
    last = next((piece for piece in reversed(pieces) if piece != ")"), "")
    if last not in ("$", "/", "\\/"):  # a path's / ends the host too
        found.append(NOT_ANCHORED_AT_END)
    if any(piece == "." and re.fullmatch("[A-Za-z0-9]", after) for piece, after in zip(pieces, pieces[1:])):
        found.append(UNESCAPED_DOT)
    return found
