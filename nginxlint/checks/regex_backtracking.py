"""ReDoS: a repeated group that holds a repeat of its own, such as (a+)+.

PCRE backtracks, so on a crafted URI such a regex can try exponentially many
ways to split the input between the two repeats. Finding the pattern means
matching parentheses to any depth and telling a quantifier from an escaped
or bracketed `+`: a parse, which the policy language's regexes could only
approximate (two levels deep, in a 363-character pattern).
"""
from __future__ import annotations

from ..findings.records import Failure
from ..reading.tree import Node
from ..semantics.servers import location_path
from .regex_tokens import IF_REGEX_OPERATORS, is_unbounded_repeat, tokens
from .view import TreeView
from .written import fields


def check(tree: TreeView) -> list[Failure]:
    judged: dict[str, bool] = {}  # a tree repeats its regexes (sites made from one template): each is read once
    failures = []
    for node in tree.statements("location", "if"):
        regex = _regex(node)
        if regex is None:
            continue
        if regex not in judged:
            judged[regex] = has_nested_repeat(regex)
        if judged[regex]:
            failures.append(Failure(node, fields(node), None))
    return failures


def _regex(node: Node) -> str | None:
    """The regex a location or an if matches, if it matches one."""
    if node.name == "location":
        modifier, path = location_path(node)
        return path if modifier in ("~", "~*") else None
    args = node.args
    return args[2] if len(args) == 3 and args[1] in IF_REGEX_OPERATORS else None


def has_nested_repeat(regex: str) -> bool:
    """Is a group repeated without bound (+, *, {n,}) while something inside
    it, at any depth, is repeated without bound too? A heuristic: it does not
    see overlapping alternatives like (a|a)*, nor that a separator such as
    ([a-z]+\\.)* makes the split unambiguous."""
    pieces = tokens(regex)
    repeats_inside = [False]  # per open group: does it hold an unbounded repeat?
    for i, piece in enumerate(pieces):
        following = pieces[i + 1] if i + 1 < len(pieces) else ""
        if piece == "(":
            repeats_inside.append(False)
        elif piece == ")" and len(repeats_inside) > 1:
            inner = repeats_inside.pop()
            if inner and is_unbounded_repeat(following):
                return True
            repeats_inside[-1] |= inner
        elif is_unbounded_repeat(piece) and i > 0 and pieces[i - 1] not in ("(", "|"):
            repeats_inside[-1] = True
    return False
