"""What a policy file means, once validated: packs, parameters and rules.

Selectors and assertions stay as the validated YAML mappings (plain data
with line numbers); selectors.py and assertions.py interpret them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .yamlload import Map

PARAM_TYPES = ("time", "size", "regex", "string")


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
    select: Map | None  # None for findings the loader emits (SYN…, INC…)
    check: Map | None
    file: str
    line: int
    python: str | None = None  # a built-in check in code (checks/), for what the language cannot say


@dataclass
class PolicySet:
    rules: list[Rule] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # param name -> value in force

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class PolicyError(Exception):
    """A policy file that cannot be used; names the file and line."""

    def __init__(self, file: str, line: int | None, message: str):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"
