"""What every selector key and assertion compiles against: the policy file
(for errors at its lines), the parameter values (substituted once, here) and
the directive names a pack may use.

Each compile step raises PolicyError at the first problem of its own piece;
`Compiler.collect` catches it at the piece's boundary, so one run reports
every broken piece of every rule (`nginxlint policy validate`).
"""
from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ..semantics import directives
from .model import PolicyError
from .scope import substitute
from .yamlload import Map, Seq

T = TypeVar("T")
MESSAGE_NAMES = frozenset({"server", "location"})  # placeholders every finding fills


class AlreadyReported(Exception):
    """A piece that cannot be built because a part of it was broken, and
    that part's error is already recorded."""
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class Compiler:
    file: str
    params: Mapping[str, str]  # parameter name -> value in force
    # Directive names the pack declares as third-party (`third_party_directives:`):
    # the stock table does not know them, so they are accepted as written.
    third_party: frozenset[str] = frozenset()
    errors: list[PolicyError] = field(default_factory=list)

    def error(self, line: int | None, message: str) -> PolicyError:
        return PolicyError(self.file, line, message)

    def collect(self, compile_piece: Callable[[], T]) -> T | None:
        """The piece compiled, or None with its error recorded."""
        try:
            return compile_piece()
        except PolicyError as exc:
            self.errors.append(exc)
        except AlreadyReported:
            pass
        return None

    def message(self, template: object, line: int, fields: frozenset[str]) -> str:
        """A message template whose placeholders are all filled: by `fields`,
        the server and location, or a parameter."""
        if not isinstance(template, str):
            raise self.error(line, "message must be a string")
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as exc:
            raise self.error(line, f"bad message template: {exc}") from None
        for name in names:
            if name not in fields | MESSAGE_NAMES and name not in self.params:
                raise self.error(line, f"placeholder {{{name}}} in message is not filled by this rule; it can use "
                                       f"{', '.join(sorted(fields | MESSAGE_NAMES))} and parameters")
        return template

    def text(self, value: object, line: int, what: str) -> str:
        """A string value with the parameters filled in."""
        if not isinstance(value, str):
            raise self.error(line, f"{what} must be a string")
        return substitute(value, self.params)

    def texts(self, value: object, line: int, what: str) -> tuple[str, ...]:
        if not isinstance(value, Seq) or not all(isinstance(v, str) for v in value):
            raise self.error(line, f"{what} must be a list of strings")
        return tuple(substitute(v, self.params) for v in value)

    def flag(self, value: object, line: int, what: str) -> bool:
        if value not in BOOLEANS:
            raise self.error(line, f"{what} must be true or false")
        return BOOLEANS[value]

    def regex(self, value: object, line: int, what: str = "a regular expression") -> re.Pattern:
        if not isinstance(value, str):
            raise self.error(line, f"{what} must be a regular expression string")
        try:
            return re.compile(substitute(value, self.params))
        except re.error as exc:
            raise self.error(line, f"invalid regular expression for {what}: {exc}") from None

    def directive(self, value: object, line: int, what: str) -> str:
        """One directive name nginx (or a declared third-party module) knows."""
        if not isinstance(value, str) or not value:
            raise self.error(line, f"{what} must be a directive name")
        if value not in self.third_party and not directives.is_known(value):
            import difflib  # only to name a close match in an error: most runs never need it

            close = difflib.get_close_matches(value, _stock_names(), n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]}?" if close else \
                " (a third-party directive? list it under third_party_directives: in the pack)"
            raise self.error(line, f"unknown directive {value}{hint}")
        return value

    def directives(self, value: object, line: int, what: str) -> tuple[str, ...]:
        """One directive name or a list of them."""
        names = list(value) if isinstance(value, Seq) else [value]
        if not names or not all(isinstance(n, str) and n for n in names):
            raise self.error(line, f"{what} must be a directive name or a list of them")
        return tuple(self.directive(name, line, what) for name in names)


def mapping(value: object, line: int | None, compiler: Compiler, what: str) -> Map:
    if not isinstance(value, Map):
        raise compiler.error(getattr(value, "line", line), f"{what} must be a mapping")
    return value


def _stock_names() -> list[str]:
    return directives.names()
