"""Assertions: what must hold on a selected block's effective configuration
(or on a selected statement as written).

`KEYS` is the language: one entry per kind of assertion, each a class that
reads its mapping from the policy (errors at the policy's lines) and judges
a target, side by side. Kinds: `directive:`, `header:`, `keeps_inherited:`,
`keeps_always:`, `statement:`; `all:`, `any:` and `not:` combine them. Each
kind keeps its own table of operators. A failure points at the directive
that set the offending value, or at the block when the value is missing or
default; in a rule that selects statements, at the statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...reading.tree import Node
from ..compiling import AlreadyReported, Compiler, mapping
from ..scope import Scope
from ..yamlload import Map, Seq
from .base import Assertion, Failure, Judged, Verdict
from .directive import DirectiveAssertion
from .header import HeaderAssertion
from .inherited import KeepsAlways, KeepsInherited
from .statement import StatementAssertion

__all__ = ["KEYS", "Assertion", "compile_assertion"]


@dataclass(frozen=True)
class _Combination(Assertion):
    key: ClassVar[str]
    items: tuple[Assertion, ...]

    @classmethod
    def from_yaml(cls, check: Map, compiler: Compiler, message: str | None) -> _Combination:
        _only(check, cls.key, compiler)
        items = check[cls.key]
        if not isinstance(items, Seq) or not items:
            raise compiler.error(check.line_of(cls.key), f"{cls.key} must be a non-empty list of assertions")
        compiled = [compile_assertion(item, compiler) for item in items]
        if None in compiled:
            raise AlreadyReported
        return cls(message=message, items=tuple(compiled))

    @property
    def needs_statement(self) -> bool:
        return any(item.needs_statement for item in self.items)

    def supplied_fields(self, statement: bool) -> frozenset[str]:
        return frozenset().union(*(item.supplied_fields(statement) for item in self.items))


class All(_Combination):
    """Every item holds; the failures of each one that does not."""

    key = "all"

    def find(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        return [f for item in self.items for f in item.failures(target, scope, statement)]


class Any(_Combination):
    """Holds when one item holds; else the first item's failures."""

    key = "any"

    def find(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        first = None
        for item in self.items:
            failures = item.failures(target, scope, statement)
            if not failures:
                return []
            first = failures if first is None else first
        return first


@dataclass(frozen=True)
class Not(Judged):
    """`not: {…}`: fails where the assertion inside holds, pointing where
    that one would have pointed, with its values."""

    key: ClassVar[str] = "not"
    item: Judged

    @classmethod
    def from_yaml(cls, check: Map, compiler: Compiler, message: str | None) -> Not:
        _only(check, cls.key, compiler)
        inner = mapping(check[cls.key], check.line_of(cls.key), compiler, "not")
        if "message" in inner:
            raise compiler.error(inner.line_of("message"), "a message inside not: is never shown; put it beside not:")
        item = compile_assertion(inner, compiler)
        if item is None:
            raise AlreadyReported
        if not isinstance(item, Judged):
            raise compiler.error(check.line_of(cls.key), "not takes a directive, header or statement assertion "
                                                         "(for all/any, put not inside them)")
        return cls(message=message, item=item)

    @property
    def needs_statement(self) -> bool:
        return self.item.needs_statement

    def supplied_fields(self, statement: bool) -> frozenset[str]:
        return self.item.supplied_fields(statement)

    def verdict(self, target: Node, scope: Scope, statement: bool) -> Verdict | None:
        inner = self.item.verdict(target, scope, statement)
        return None if inner is None else Verdict(not inner.holds, inner.node, inner.explain)


KEYS = {cls.key: cls for cls in (All, Any, Not, DirectiveAssertion, HeaderAssertion, KeepsInherited, KeepsAlways, StatementAssertion)}
MESSAGE_FIELDS = frozenset().union(*(cls.fields for cls in KEYS.values()))


def compile_assertion(check: object, compiler: Compiler) -> Assertion | None:
    """The assertion, or None with its errors recorded in `compiler`."""
    def build() -> Assertion:
        checked = mapping(check, None, compiler, "assert")
        message = checked.get("message")
        if "message" in checked:
            compiler.message(message, checked.line_of("message"), MESSAGE_FIELDS)
        kind = next((cls for key, cls in KEYS.items() if key in checked), None)
        if kind is None:
            raise compiler.error(checked.line, f"assert needs one of: {', '.join(KEYS)}")
        return kind.from_yaml(checked, compiler, message)
    return compiler.collect(build)


def _only(check: Map, key: str, compiler: Compiler) -> None:
    for other in check:
        if other not in (key, "message"):
            raise compiler.error(check.line_of(other), f"unexpected key {other!r} here")
