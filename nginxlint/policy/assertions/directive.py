"""`directive: NAME` with one operator: the directive's effective value in
the block. `OPERATORS` is the table of operators: one class each, holding
its own validation and its test side by side."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from ...reading.tree import Node
from ...semantics import directives
from ...semantics.effective import Setting
from ...semantics.values import measure, parse_flag
from ..compiling import Compiler
from ..scope import Scope
from ..yamlload import Map
from .base import OnBlock, Verdict, shown

COMPARABLE = ("time-ms", "time-s", "size", "offset")


class Value(NamedTuple):
    """The directive's value in force in a block, as operators see it (a
    tuple: one is made per block judged)."""

    name: str
    kind: str  # how its value is parsed (directives.value_kind)
    setting: Setting | None
    text: str  # the last value, "" when there is none

    @property
    def explicit(self) -> bool:
        return self.setting is not None and not self.setting.is_default


@dataclass(frozen=True)
class _Operator:
    key: ClassVar[str]
    when_unset: ClassVar[bool] = False  # the verdict when neither a line nor a default sets the directive
    expected: str

    @classmethod
    def from_yaml(cls, value: object, line: int, name: str, compiler: Compiler) -> _Operator:
        return cls(compiler.text(value, line, cls.key))

    @property
    def shown(self) -> str:
        return self.expected

    def holds(self, value: Value) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Exists(_Operator):
    key: ClassVar[str] = "exists"

    @classmethod
    def from_yaml(cls, value: object, line: int, name: str, compiler: Compiler) -> Exists:
        return cls("true" if compiler.flag(value, line, cls.key) else "false")

    def holds(self, value: Value) -> bool:
        return value.explicit == (self.expected == "true")


class Eq(_Operator):
    key = "eq"

    def holds(self, value: Value) -> bool:
        return same(value, self.expected)


class Ne(_Operator):
    key = "ne"
    when_unset = True

    def holds(self, value: Value) -> bool:
        return not same(value, self.expected)


@dataclass(frozen=True)
class In(_Operator):
    key: ClassVar[str] = "in"
    choices: tuple[str, ...] = ()

    @classmethod
    def from_yaml(cls, value: object, line: int, name: str, compiler: Compiler) -> In:
        choices = compiler.texts(value, line, cls.key)
        return cls(shown(choices), choices)

    def holds(self, value: Value) -> bool:
        return any(same(value, choice) for choice in self.choices)


@dataclass(frozen=True)
class Matches(_Operator):
    key: ClassVar[str] = "matches"
    pattern: re.Pattern | None = None

    @classmethod
    def from_yaml(cls, value: object, line: int, name: str, compiler: Compiler) -> Matches:
        pattern = compiler.regex(value, line, cls.key)
        return cls(pattern.pattern, pattern)

    def holds(self, value: Value) -> bool:
        return self.pattern.search(value.text) is not None


class NotMatches(Matches):
    key = "not_matches"
    when_unset = True

    def holds(self, value: Value) -> bool:
        return self.pattern.search(value.text) is None


@dataclass(frozen=True)
class Gte(_Operator):
    """A time or size at least this large (`lte`: at most)."""

    key: ClassVar[str] = "gte"
    bound: float = 0

    @classmethod
    def from_yaml(cls, value: object, line: int, name: str, compiler: Compiler) -> Gte:
        kind = directives.value_kind(name)
        if kind not in COMPARABLE:
            raise compiler.error(line, f"{cls.key} needs a time or size directive; {name} is neither")
        text = compiler.text(value, line, cls.key)
        try:
            return cls(text, measure(name, kind, text))
        except ValueError as exc:
            raise compiler.error(line, f"{cls.key}: {exc}") from None

    def holds(self, value: Value) -> bool:
        try:
            return self.compare(measure(value.name, value.kind, value.text))
        except ValueError:
            return False  # nginx would refuse the value; never a pass

    def compare(self, have: float) -> bool:
        return have >= self.bound


class Lte(Gte):
    key = "lte"

    def compare(self, have: float) -> bool:
        return have <= self.bound


class LastIs(_Operator):
    """The last line of a list directive (allow/deny: the access list's end), as written."""

    key = "last_is"

    def holds(self, value: Value) -> bool:
        return last_line(value) == self.expected


def last_line(value: Value) -> str:
    nodes = value.setting.nodes if value.setting else ()
    return " ".join((nodes[-1].name, *nodes[-1].args)) if nodes else value.text


def same(value: Value, expected: str) -> bool:
    """Equal as nginx would read both: on/off, sizes and times by their
    value, enums case-insensitively, the rest as text."""
    kind, name, actual = value.kind, value.name, value.text
    try:
        if kind == "flag":
            return parse_flag(actual) == parse_flag(expected)
        if kind in COMPARABLE:
            return measure(name, kind, actual) == measure(name, kind, expected)
    except ValueError:
        return False
    if kind in ("bitmask", "enum"):
        return actual.lower() == expected.lower()
    return actual == expected


OPERATORS = {cls.key: cls for cls in (Exists, Eq, Ne, In, Matches, NotMatches, Gte, Lte, LastIs)}


@dataclass(frozen=True)
class DirectiveAssertion(OnBlock):
    """`directive: NAME` and one operator of OPERATORS, on the value in force in the block."""

    key: ClassVar[str] = "directive"
    fields: ClassVar[frozenset[str]] = frozenset({"directive", "actual", "origin", "expected"})
    name: str
    operator: _Operator
    kind: str  # how the directive's value is parsed (directives.value_kind), looked up once

    @classmethod
    def from_yaml(cls, check: Map, compiler: Compiler, message: str | None) -> DirectiveAssertion:
        name = compiler.directive(check[cls.key], check.line_of(cls.key), cls.key)
        key, value, line = only_operator(check, cls.key, OPERATORS, compiler)
        return cls(message=message, name=name, operator=OPERATORS[key].from_yaml(value, line, name, compiler),
                   kind=directives.value_kind(name))

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.name,)

    def on_block(self, block: Node, scope: Scope) -> Verdict:
        setting = scope.effective.get(block, self.name)
        value = Value(self.name, self.kind, setting, setting.value if setting else "")
        if setting is None and not isinstance(self.operator, Exists):
            holds = self.operator.when_unset
        else:
            holds = self.operator.holds(value)
        return Verdict(holds, setting.nodes[-1] if value.explicit else block, lambda: self._fields(value))

    def _fields(self, value: Value) -> dict[str, str]:
        setting = value.setting
        actual = "not set" if setting is None else last_line(value) if isinstance(self.operator, LastIs) else setting.value
        return {"directive": self.name, "expected": self.operator.shown, "actual": actual,
                "origin": setting.origin() if setting else "not set"}


def only_operator(check: Map, subject: str, operators: dict, compiler: Compiler, extra: tuple[str, ...] = ()) -> tuple[str, object, int]:
    """The one operator key of an assertion mapping: (key, value, line)."""
    for key in check:
        if key not in (subject, "message", *operators, *extra):
            raise compiler.error(check.line_of(key), f"unknown operator {key!r} for a {subject} assertion; use one of: {', '.join(operators)}")
    present = [key for key in operators if key in check]
    if len(present) != 1:
        raise compiler.error(check.line, f"{subject} assertion needs exactly one of: {', '.join(operators)}")
    return present[0], check[present[0]], check.line_of(present[0])
