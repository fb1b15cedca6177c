"""An Origin or Referer test whose regex lets foreign sites through.

`if ($http_origin ~* "example.com")` also matches example.com.evil.net,
and an unescaped dot in www.example.com matches wwwXexample.com. Telling an
anchor, an escaped dot and a dot inside a class apart means reading the
regex piece by piece; as a policy this was three look-behind patterns that
misread `\\\\.` and `(?:^...)`.
"""
from __future__ import annotations

import re

from ..findings.records import Failure
from .regex_tokens import IF_REGEX_OPERATORS, tokens
from .view import TreeView
from .written import fields

TESTED_HEADER = re.compile(r"\$\{?http_(origin|referer)\}?")
# Group openers that may stand before a leading ^: (, (?:, (?i), (?i:
LEADING_GROUPS = re.compile(r"(?:\((?:\?[a-zA-Z-]*[:)])?)*")
NOT_ANCHORED_AT_START = "if ({actual}): the regex is not anchored with ^, so any origin containing it matches"
NOT_ANCHORED_AT_END = "if ({actual}): the regex is not anchored with $, so example.com.evil.net matches"
UNESCAPED_DOT = "if ({actual}): an unescaped dot matches any character (wwwXexample.com)"


def check(tree: TreeView) -> list[Failure]:
    failures = []
    for node in tree.statements("if"):
        args = node.args
        if len(args) == 3 and TESTED_HEADER.fullmatch(args[0]) and args[1] in IF_REGEX_OPERATORS:
            failures += [Failure(node, fields(node), message) for message in weaknesses(args[2])]
    return failures


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
