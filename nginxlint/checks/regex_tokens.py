"""A PCRE regex cut into the pieces that checks reading regexes reason about.

Escapes (`\\.`, `\\d`), character classes (`[^/.]`, `[[:alpha:]]`) and
counted repeats (`{2,}`) are one token each; every other character is its own
token. So a check can look at `(`, `)`, `.` and `+` without mistaking an
escaped or bracketed one for syntax.
"""
from __future__ import annotations

import re

TOKEN = re.compile(r"""
    \\.                                          # an escape: \. \d \$
  | \[\^?\]?(?:\[:\^?[a-z]+:\]|\\.|[^\]\\])*\]   # a class; a leading ] is a member
  | \{\d+(?:,\d*)?\}                             # a counted repeat
  | .                                            # anything else, one character
""", re.VERBOSE | re.DOTALL)
UNBOUNDED_COUNT = re.compile(r"\{\d+,\}")
# The operators of `if (VALUE OP REGEX)` that match a regex.
IF_REGEX_OPERATORS = frozenset({"~", "~*", "!~", "!~*"})


def tokens(regex: str) -> list[str]:
    return TOKEN.findall(regex)


def is_unbounded_repeat(token: str) -> bool:
    """`+`, `*` or `{n,}`: a quantifier with no upper limit."""
    return token in ("+", "*") or UNBOUNDED_COUNT.fullmatch(token) is not None
