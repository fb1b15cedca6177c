"""The rewrite module's directives of one block, run in order for one
request: `set`, `if`, `rewrite`, `return`, `break` (ngx_http_rewrite_handler
over the codes ngx_http_rewrite_module compiles; semantics §8 pitfall 3).

nginx runs them twice per request, in two phases: the server's own lines in
SERVER_REWRITE, before any location is chosen, and the chosen location's own
lines in REWRITE (they are not inherited by nested locations, and the
server's are not run again for a request no location takes). An `if` block's
lines are compiled inline into its parent's, so a true `if` runs its lines
and the parent's go on after it. route.py puts the phases in order.

A condition the request cannot decide (a header it was not given, a file
test) is taken as false and named in `undecided`, so a report can say what
the answer depends on.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..reading.tree import Node
from .pcre import compile_pcre
from .request_variables import RequestVariables

_REDIRECT_PREFIXES = ("http://", "https://", "$scheme")
_FILE_TESTS = frozenset({"-f", "!-f", "-d", "!-d", "-e", "!-e", "-x", "!-x"})
_FLAG_STATUS = {"redirect": 302, "permanent": 301}


@dataclass(frozen=True)
class Outcome:
    """What one block's rewrite directives did to the request."""

    uri: bytes  # the URI after them
    status: int | None = None  # the block answers (return, or a rewrite that redirects)
    target: str | None = None  # what it answers with: return's URL or text, a redirect's Location
    node: Node | None = None  # the directive that answered, or the last rewrite that changed the URI
    rewritten: bool = False  # a rewrite matched: nginx marks the request internal
    research: bool = False  # search the locations again (rewrite `last`, or without a flag, in a location)
    undecided: tuple[str, ...] = ()  # conditions the request cannot decide, each "if (…) at file:line"


def run_rewrites(block: Node, variables: RequestVariables) -> Outcome:
    """Run the rewrite directives written in `block` (and in its true `if`s)."""
    run = _Run(variables)
    run.lines(block.children or ())
    return run.outcome()


class _Run:
    """One pass over a block's codes; stops at return, break, or a rewrite flag."""

    def __init__(self, variables: RequestVariables):
        self.variables = variables
        self.status: int | None = None
        self.target: str | None = None
        self.node: Node | None = None
        self.rewritten = self.research = False
        self.undecided: list[str] = []

    def outcome(self) -> Outcome:
        return Outcome(self.variables.uri, self.status, self.target, self.node, self.rewritten, self.research,
                       tuple(self.undecided))

    def lines(self, nodes) -> bool:
        """Run `nodes` in order; True when the block's processing stops."""
        for node in nodes:
            if node.name == "set" and len(node.args) == 2:
                self.variables.set(node.args[0].lstrip("$"), node.args[1])
            elif node.name == "break":
                self.research = False  # ngx_http_script_break_code: no new location search
                return True
            elif node.name == "return" and node.args:
                self._return(node)
                return True
            elif node.name == "rewrite" and len(node.args) >= 2:
                if self._rewrite(node):
                    return True
            elif node.name == "if" and node.children is not None:
                holds = condition(node.args, self.variables)
                if holds is None:
                    self.undecided.append(f"if ({' '.join(node.args)}) at {node.file}:{node.line}")
                elif holds and self.lines(node.children):
                    return True
        return False

    def _return(self, node: Node) -> None:
        """`return code [text]` or `return URL` (a 302)."""
        first = node.args[0]
        if first.isdigit():
            self.status, text = int(first), node.args[1] if len(node.args) > 1 else None
        else:
            self.status, text = 302, first
        self.node = node
        if text is not None:
            value = self.variables.value(text)
            self.target = text if value is None else value

    def _rewrite(self, node: Node) -> bool:
        """`rewrite regex replacement [flag]`; True when the block stops here."""
        pattern = compile_pcre(node.args[0])
        if pattern is None:
            self.undecided.append(f"rewrite {node.args[0]} at {node.file}:{node.line} (a regex nginxlint cannot read)")
            return False
        match = pattern.search(self.variables.uri)
        self.variables.captures = () if match is None else (match.group(0), *(g or b"" for g in match.groups()))
        if match is None:
            return False
        replacement, flag = node.args[1], node.args[2] if len(node.args) > 2 else ""
        value = self.variables.value(replacement)
        self.node = node
        if flag in _FLAG_STATUS or replacement.startswith(_REDIRECT_PREFIXES):
            self.status, self.target = _FLAG_STATUS.get(flag, 302), replacement if value is None else value
            return True
        if value is None:
            self.undecided.append(f"rewrite {' '.join(node.args)} at {node.file}:{node.line} (a target the request cannot know)")
            return True
        path = value.partition("?")[0]
        if not path:  # "the rewritten URI has a zero length"
            self.status, self.target = 500, None
            return True
        self.variables.uri = path.encode("utf-8", "surrogateescape")
        self.rewritten = True
        self.research = flag != "break"
        return flag in ("last", "break")


def condition(args: tuple[str, ...], variables: RequestVariables) -> bool | None:
    """An `if` condition (ngx_http_rewrite_if_condition) for this request; None: undecided."""
    if not args or args[0] in _FILE_TESTS:
        return None  # the filesystem of the server, not the request
    value = variables.value(args[0])
    if value is None:
        return None
    if len(args) == 1:
        return value not in ("", "0")
    if len(args) != 3:
        return None
    operator, operand = args[1], args[2]
    if operator in ("=", "!="):
        expected = variables.value(operand)
        return None if expected is None else (value == expected) == (operator == "=")
    if operator in ("~", "~*", "!~", "!~*"):
        pattern = compile_pcre(operand, caseless=operator.endswith("*"))
        if pattern is None:
            return None
        match = pattern.search(value.encode("utf-8", "surrogateescape"))
        variables.captures = ()  # ngx_http_regex_exec: a failed match leaves no captures
        if match is not None:
            variables.captures = (match.group(0), *(g or b"" for g in match.groups()))
            for name, group in match.groupdict().items():
                variables.values[name] = (group or b"").decode("utf-8", "surrogateescape")
        return (match is not None) == (not operator.startswith("!"))
    return None
