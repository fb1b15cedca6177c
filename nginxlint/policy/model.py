"""What a policy file means, once validated: packs, parameters and rules.

A rule's selector and assertion are compiled once, at load, into typed
objects (selectors/, assertions/) with the parameter values filled in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import FileError
from .yamlload import Map

if TYPE_CHECKING:
    from .assertions import Assertion
    from .fixes import Fix
    from .selectors import Selector

PARAM_TYPES = ("time", "size", "regex", "string", "flag")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str
    help: str
    file: str
    line: int


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    summary: str
    message: str
    docs: Map | None
    select: Selector | None  # None for findings the loader emits (SYN…, INC…) and rules in code
    check: Assertion | None
    file: str
    line: int
    python: str | None = None  # a built-in check in code (checks/), for what the language cannot say
    params: tuple[str, ...] = ()  # the parameters its selector, assertion and message read
    pack: str = ""  # the name of the pack that declares it ("" for the loader's own rules: always on)
    fix: Fix | None = None  # what `nginxlint fix` changes so the rule holds (policy/fixes.py)


@dataclass(frozen=True)
class Pack:
    """A pack as declared: its name, file, and whether it is on without
    being asked for (`default: off` makes it opt-in: `--pack NAME` or
    `packs:` in the project config)."""

    name: str
    file: str
    line: int
    description: str = ""
    default_on: bool = True


@dataclass
class PolicySet:
    rules: list[Rule] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # param name -> value in force
    packs: dict[str, Pack] = field(default_factory=dict)  # by name, in load order
    enabled: frozenset[str] = frozenset()  # packs turned on by name (--pack, packs:), besides the default ones

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def pack_on(self, name: str) -> bool:
        """Is the pack of this name on in this run? The loader's own rules ("") always are."""
        pack = self.packs.get(name)
        return pack is None or pack.default_on or name in self.enabled

    def is_on(self, rule: Rule) -> bool:
        return self.pack_on(rule.pack)


class PolicyError(FileError):
    """A policy file that cannot be used; names the file and line."""


class PolicyErrors(PolicyError):
    """Every mistake found in one load, one `file:line: message` a line; as a
    PolicyError it is the first of them."""

    def __init__(self, errors: list[PolicyError]):
        first = errors[0]
        super().__init__(first.file, first.line, first.message)
        self.errors = tuple(errors)

    def __str__(self) -> str:
        return "\n".join(FileError.__str__(e) for e in self.errors)


class GivenValue(str):
    """A parameter value that remembers where it was given (a project
    config's file and line), so that a bad value is reported there."""

    file: str
    line: int | None

    def __new__(cls, text: str, file: str, line: int | None) -> GivenValue:
        value = super().__new__(cls, text)
        value.file, value.line = file, line
        return value
