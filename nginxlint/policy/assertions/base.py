"""What every assertion shares: its failures, its own message, and how an
assertion about a block judges a selected statement's block."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from ...findings.records import Failure
from ...reading.tree import Node
from ...semantics.effective import LEVELS, Effective
from ..scope import Scope


class Verdict(NamedTuple):
    """One assertion's answer on one target: whether it holds, and where and
    with which values a failure (or, under `not:`, a success) is reported.
    `explain` builds those values (actual, origin...) when one is reported:
    most verdicts hold, and theirs are never read. A tuple: one is made per
    target and assertion, and a frozen dataclass costs three times as much."""

    holds: bool
    node: Node
    explain: Callable[[], dict[str, str]]


@dataclass(frozen=True)
class Assertion:
    """Base of every assertion: `fields` are the placeholders its failures
    fill; `needs_statement` says it judges a selected statement itself."""

    fields: ClassVar[frozenset[str]] = frozenset()
    needs_statement: ClassVar[bool] = False
    message: str | None

    def failures(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        """The failures on `target`; empty when the assertion holds. With
        `statement`, `target` is a selected statement."""
        found = self.find(target, scope, statement)
        if found and self.message is not None:
            return [dataclasses.replace(f, message=self.message) for f in found]
        return found

    def find(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        raise NotImplementedError

    def supplied_fields(self, statement: bool) -> frozenset[str]:
        return self.fields | ({"statement"} if statement else set())


class Judged(Assertion):
    """An assertion with one verdict per target, so `not:` can turn it round."""

    def verdict(self, target: Node, scope: Scope, statement: bool) -> Verdict | None:
        """None when nothing can be judged (no block, or an include it needs is missing)."""
        raise NotImplementedError

    def find(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        verdict = self.verdict(target, scope, statement)
        return [] if verdict is None or verdict.holds else [Failure(verdict.node, verdict.explain(), None)]


class OnBlock(Judged):
    """An assertion about a block's effective configuration. In a rule that
    selects statements it judges the block the statement stands in (or the
    statement itself when it is such a block), and points at the statement."""

    @property
    def reads(self) -> tuple[str, ...] | None:
        """The directives whose values in force decide the verdict; None: any."""
        return None

    def verdict(self, target: Node, scope: Scope, statement: bool) -> Verdict | None:
        block = judged_block(target, statement) if statement else target
        if block is None or scope.incomplete and not scope.settled(block, self.reads):
            return None  # nothing to judge, or a missing include could change it: unknown is never wrong
        verdict = self.on_block(block, scope)
        return at_statement(verdict, target) if statement else verdict

    def on_block(self, block: Node, scope: Scope) -> Verdict:
        raise NotImplementedError


def judged_block(target: Node, statement: bool) -> Node | None:
    return target if not statement or target.inner in LEVELS else Effective.parent_level(target)


def at_statement(verdict: Verdict, target: Node) -> Verdict:
    return Verdict(verdict.holds, target, lambda: {**verdict.explain(), "statement": written(target.args)})


def written(args: tuple[str, ...]) -> str:
    """Arguments as they would be written: an empty one as ""."""
    return " ".join(arg or '""' for arg in args)


def shown(expected: str | tuple[str, ...]) -> str:
    return ", ".join(expected) if isinstance(expected, tuple) else expected
