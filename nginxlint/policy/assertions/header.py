"""`header: NAME` (in `list:`, default proxy_set_header) with one operator:
the header lines in force in the block, their values evaluated through
maps for the assertion's `request:` (or compared as written with
`written: true`). `OPERATORS` is the table of operators."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from ...reading.tree import Node
from ...semantics.effective import Header
from ...semantics.servers import enclosing_server
from ...semantics.variables import request_variables
from ..compiling import Compiler
from ..scope import Request, Scope
from ..yamlload import Map
from .base import OnBlock, Verdict, shown
from .directive import only_operator

_TOKENS = re.compile(r"[\s,]+")  # what separates a header value's tokens
Sent = tuple[Header, "str | None"]  # a header nginx sends, and its value (None: a map we cannot see)


@dataclass(frozen=True)
class _Operator:
    key: ClassVar[str]
    expected: str

    @classmethod
    def from_yaml(cls, value: object, line: int, compiler: Compiler) -> _Operator:
        return cls(compiler.text(value, line, cls.key))

    @property
    def shown(self) -> str:
        return self.expected

    def judge(self, sent: list[Sent], culprit: Node, block: Node) -> tuple[bool, Node]:
        """Holds when one header sent has a good value (so not when none is
        sent); a value that cannot be known (a map we cannot see) is never
        reported as wrong."""
        return any(value is None or self.accepts(value) for _, value in sent), culprit

    def accepts(self, value: str) -> bool:
        raise NotImplementedError


class Present(_Operator):
    key = "present"

    @classmethod
    def from_yaml(cls, value: object, line: int, compiler: Compiler) -> Present:
        return cls("true" if compiler.flag(value, line, cls.key) else "false")

    def judge(self, sent: list[Sent], culprit: Node, block: Node) -> tuple[bool, Node]:
        return bool(sent) == (self.expected == "true"), culprit


class Eq(_Operator):
    key = "eq"

    def accepts(self, value: str) -> bool:
        return value == self.expected


@dataclass(frozen=True)
class In(_Operator):
    key: ClassVar[str] = "in"
    choices: tuple[str, ...] = ()

    @classmethod
    def from_yaml(cls, value: object, line: int, compiler: Compiler) -> In:
        choices = compiler.texts(value, line, cls.key)
        return cls(shown(choices), choices)

    def accepts(self, value: str) -> bool:
        return value in self.choices


@dataclass(frozen=True)
class Matches(_Operator):
    key: ClassVar[str] = "matches"
    pattern: re.Pattern | None = None

    @classmethod
    def from_yaml(cls, value: object, line: int, compiler: Compiler) -> Matches:
        pattern = compiler.regex(value, line, cls.key)
        return cls(pattern.pattern, pattern)

    def accepts(self, value: str) -> bool:
        return self.pattern.search(value) is not None


class NotMatches(Matches):
    """No header sent matches; reported at the last one that does."""

    key = "not_matches"

    def judge(self, sent: list[Sent], culprit: Node, block: Node) -> tuple[bool, Node]:
        bad = [header for header, value in sent if value is not None and self.pattern.search(value)]
        return (False, bad[-1].node or block) if bad else (True, culprit)


class HasToken(_Operator):
    """The value, split at spaces and commas, holds this token (any case)."""

    key = "has_token"

    def accepts(self, value: str) -> bool:
        return self.expected.lower() in _TOKENS.split(value.lower())


OPERATORS = {cls.key: cls for cls in (Present, Eq, In, Matches, NotMatches, HasToken)}


@dataclass(frozen=True)
class HeaderAssertion(OnBlock):
    """`header: NAME` and one operator of OPERATORS, on the header lines the block sends."""

    key: ClassVar[str] = "header"
    fields: ClassVar[frozenset[str]] = frozenset({"header", "list", "directive", "actual", "origin", "expected"})
    header: str
    list: str
    operator: _Operator
    as_written: bool
    request: tuple[Request, Request]  # the request over plain HTTP, over TLS

    @classmethod
    def from_yaml(cls, check: Map, compiler: Compiler, message: str | None) -> HeaderAssertion:
        header = compiler.text(check[cls.key], check.line_of(cls.key), cls.key)
        key, value, line = only_operator(check, cls.key, OPERATORS, compiler, extra=("list", "request", "written"))
        request = check.get("request", Map())
        if not (isinstance(request, Map) and all(isinstance(v, str) for v in request.values())):
            raise compiler.error(check.line_of("request"), "request must map header names to values")
        list_name = compiler.directive(check["list"], check.line_of("list"), "list") if "list" in check else "proxy_set_header"
        as_written = compiler.flag(check["written"], check.line_of("written"), "written") if "written" in check else False
        return cls(message=message, header=header, list=list_name, operator=OPERATORS[key].from_yaml(value, line, compiler),
                   as_written=as_written, request=(_request(request, tls=False), _request(request, tls=True)))

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.list,)

    def on_block(self, block: Node, scope: Scope) -> Verdict:
        server = enclosing_server(block)
        tls = server is not None and scope.servers.is_tls(server)
        verdict = self._on_block(block, scope, self.request[tls])
        if server is not None and server in scope.incomplete and not verdict.holds:
            # A missing include in the server may add a `listen … ssl`: wrong only if wrong either way.
            other = self._on_block(block, scope, self.request[not tls])
            return verdict if not other.holds else other
        return verdict

    def _on_block(self, block: Node, scope: Scope, request: Request) -> Verdict:
        wanted = self.header.lower()
        written = scope.effective.headers_named(block, self.list, wanted)
        sent = []
        for header in written:
            value = header.value if self.as_written else scope.evaluated(header.value, request)
            if value != "":  # nginx does not send a header whose value is empty
                sent.append((header, value))
        # Point at the line that set the header (even to ""), else at the block.
        culprit = next((h.node for h in reversed(written) if h.node), block)
        holds, node = self.operator.judge(sent, culprit, block)
        return Verdict(holds, node, lambda: self._fields(sent, culprit, block, bool(written), scope))

    def _fields(self, sent: list[Sent], culprit: Node, block: Node, written: bool, scope: Scope) -> dict[str, str]:
        origin = culprit.where() if culprit is not block else f"default for nginx {scope.effective.version_text}" if written else "not set"
        return {"header": self.header, "list": self.list, "directive": self.list, "expected": self.operator.shown,
                "actual": ", ".join(_shown(h.value, v) for h, v in sent) or "not sent", "origin": origin}


def _request(request: Map, tls: bool) -> Request:
    known = request_variables(dict(request))
    known.update(https="on" if tls else "", scheme="https" if tls else "http")
    return Request(known)


def _shown(written: str, evaluated: str | None) -> str:
    """A header value as written, and what it evaluates to when that differs."""
    return written if evaluated in (None, written) else f"{written} (= {evaluated})"
