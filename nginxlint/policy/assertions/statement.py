"""`statement: args` (matches / not_matches) or `statement: children`
(includes / within): a selected statement as written, for rules that select
statements (`directive:`). `OPERATORS` is the table, by part."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from ...reading.tree import Node
from ..compiling import Compiler
from ..scope import Scope
from ..yamlload import Map
from .base import Failure, Judged, Verdict, shown, written
from .directive import only_operator

Spot = tuple[Node, dict[str, str]]  # where a failure points, and its fields
Fields = Callable[[], dict[str, str]]  # the statement's fields, built only for a spot that fails


@dataclass(frozen=True)
class _Operator:
    key: ClassVar[str]
    expected: str

    def bad(self, node: Node, statement: str, fields: Fields) -> list[Spot]:
        """The failing spots of the statement (its arguments as written:
        `statement`); empty when the operator holds."""
        raise NotImplementedError


@dataclass(frozen=True)
class Matches(_Operator):
    key: ClassVar[str] = "matches"
    pattern: re.Pattern | None = None

    @classmethod
    def from_yaml(cls, value: object, line: int, compiler: Compiler) -> Matches:
        pattern = compiler.regex(value, line, cls.key)
        return cls(pattern.pattern, pattern)

    def bad(self, node: Node, statement: str, fields: Fields) -> list[Spot]:
        return [] if self.pattern.search(statement) else [(node, fields())]


class NotMatches(Matches):
    key = "not_matches"

    def bad(self, node: Node, statement: str, fields: Fields) -> list[Spot]:
        return [(node, fields())] if self.pattern.search(statement) else []


class Includes(_Operator):
    """The block holds a statement of this name (a map's default)."""

    key = "includes"

    @classmethod
    def from_yaml(cls, value: object, line: int, compiler: Compiler) -> Includes:
        return cls(compiler.text(value, line, cls.key))

    def bad(self, node: Node, statement: str, fields: Fields) -> list[Spot]:
        return [] if any(c.name == self.expected for c in node.children or ()) else [(node, fields())]


@dataclass(frozen=True)
class Within(_Operator):
    """Every statement in the block has one of these names; each other one fails."""

    key: ClassVar[str] = "within"
    names: tuple[str, ...] = ()

    @classmethod
    def from_yaml(cls, value: object, line: int, compiler: Compiler) -> Within:
        names = compiler.texts(value, line, cls.key)
        return cls(shown(names), names)

    def bad(self, node: Node, statement: str, fields: Fields) -> list[Spot]:
        return [(c, {**fields(), "directive": c.name, "actual": written(c.args), "origin": c.where()})
                for c in node.children or () if c.name not in self.names]


OPERATORS = {
    "args": {cls.key: cls for cls in (Matches, NotMatches)},
    "children": {cls.key: cls for cls in (Includes, Within)},
}


@dataclass(frozen=True)
class StatementAssertion(Judged):
    """`statement: args|children` and one operator of OPERATORS[part], on the selected statement as written."""

    key: ClassVar[str] = "statement"
    fields: ClassVar[frozenset[str]] = frozenset({"directive", "actual", "statement", "origin", "expected"})
    needs_statement: ClassVar[bool] = True
    part: str
    operator: _Operator

    @classmethod
    def from_yaml(cls, check: Map, compiler: Compiler, message: str | None) -> StatementAssertion:
        part = check[cls.key]
        if not isinstance(part, str) or part not in OPERATORS:
            raise compiler.error(check.line_of(cls.key), "statement must be args or children")
        key, value, line = only_operator(check, cls.key, OPERATORS[part], compiler)
        return cls(message=message, part=part, operator=OPERATORS[part][key].from_yaml(value, line, compiler))

    def judgeable(self, node: Node, scope: Scope) -> bool:
        """Not a block an include inside could not be read into: its lines are not all known."""
        return self.part == "args" or node not in scope.incomplete

    def verdict(self, target: Node, scope: Scope, statement: bool) -> Verdict | None:
        if not self.judgeable(target, scope):
            return None
        statement_text = written(target.args)
        fields = self._fields(target, statement_text)
        bad = self.operator.bad(target, statement_text, fields)
        return Verdict(False, bad[0][0], lambda: bad[0][1]) if bad else Verdict(True, target, fields)

    def find(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        if not self.judgeable(target, scope):
            return []
        statement_text = written(target.args)
        return [Failure(node, fields, None) for node, fields in self.operator.bad(target, statement_text, self._fields(target, statement_text))]

    def _fields(self, node: Node, text: str) -> Fields:
        return lambda: {"directive": node.name, "actual": text, "statement": text, "expected": self.operator.expected,
                        "origin": node.where()}
