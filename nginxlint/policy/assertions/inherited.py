"""Assertions about what a block inherits from the levels around it:
`keeps_inherited: LIST` (the block's own lines do not drop the outer
level's entries) and `keeps_always: add_header|add_trailer` (an entry the
outer level sends `always` is not re-added here without it). Both take
`only:`, a regex of the entry names that count, and `except:`, one of the
names that do not (another rule's, judged more severely there)."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar

from ...findings.records import Related
from ...reading.tree import Node
from ...semantics.effective import Effective
from ..compiling import Compiler
from ..scope import Scope
from ..yamlload import Map
from .base import Assertion, Failure, judged_block, written

FIELDS = frozenset({"list", "dropped", "header", "directive", "actual", "origin", "expected"})


@dataclass(frozen=True)
class _ListAssertion(Assertion):
    key: ClassVar[str]
    fields: ClassVar[frozenset[str]] = FIELDS
    list: str
    only: re.Pattern | None  # entry names that count; None: all
    unless: re.Pattern | None = None  # `except:` entry names that do not count

    @classmethod
    def from_yaml(cls, check: Map, compiler: Compiler, message: str | None) -> _ListAssertion:
        for key in check:
            if key not in (cls.key, "only", "except", "message"):
                raise compiler.error(check.line_of(key), f"unexpected key {key!r} here")
        name = compiler.directive(check[cls.key], check.line_of(cls.key), cls.key)
        only, unless = (compiler.regex(check[key], check.line_of(key), key) if key in check else None
                        for key in ("only", "except"))
        return cls(message=message, list=cls.valid_list(name, check, compiler), only=only, unless=unless)

    @classmethod
    def valid_list(cls, name: str, check: Map, compiler: Compiler) -> str:
        return name

    def counts(self, entry: Node) -> bool:
        name = entry.args[0]
        return ((self.only is None or self.only.search(name) is not None)
                and (self.unless is None or self.unless.search(name) is None))

    def find(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        block = judged_block(target, statement)
        if block is None or not scope.known(block):
            return []  # nothing to judge, or an include it needs is missing: unknown is never wrong
        found = self.on_block(block, scope)
        if statement:
            return [dataclasses.replace(f, node=target, fields={**f.fields, "statement": written(target.args)}) for f in found]
        return found

    def on_block(self, block: Node, scope: Scope) -> list[Failure]:
        raise NotImplementedError


class KeepsInherited(_ListAssertion):
    """One failure, at the block's first own line, listing every dropped entry."""

    key = "keeps_inherited"

    def on_block(self, block: Node, scope: Scope) -> list[Failure]:
        dropped = scope.effective.dropped_entries(block, self.list)
        if dropped and (self.only is not None or self.unless is not None):
            dropped = [n for n in dropped if self.counts(n)]
        if not dropped:
            return []
        related = tuple(self._not_applied(n, scope) for n in dropped)
        fields = {"list": self.list, "dropped": ", ".join(n.args[0] for n in dropped), "directive": self.list,
                  "origin": dropped[0].where(), "actual": "", "expected": ""}
        return [Failure(scope.effective.own(block, self.list)[0], fields, None, related)]

    def _not_applied(self, entry: Node, scope: Scope) -> Related:
        """A dropped outer entry as a related place; one per entry and tree:
        every block below it that writes its own list drops it again."""
        key = (self.list, entry)
        found = scope.dropped_places.get(key)
        if found is None:
            found = scope.dropped_places[key] = Related(entry.file, entry.line, f"{self.list} {written(entry.args)} is not applied here")
        return found


class KeepsAlways(_ListAssertion):
    """An add_header/add_trailer entry set above with `always` that this
    block re-adds without it: the header survives on 2xx/3xx responses but
    is no longer sent on errors. One failure per such line."""

    key = "keeps_always"

    @classmethod
    def valid_list(cls, name: str, check: Map, compiler: Compiler) -> str:
        if name not in ("add_header", "add_trailer"):
            raise compiler.error(check.line_of(cls.key), "keeps_always is about add_header or add_trailer (the lists with always)")
        return name

    def on_block(self, block: Node, scope: Scope) -> list[Failure]:
        if scope.effective.get(block, self.list + "_inherit").value != "on":
            return []
        parent = Effective.parent_level(block)
        inherited = scope.effective.get(parent, self.list) if parent is not None else None
        above = {n.args[0].lower(): n for n in inherited.nodes if n.args and "always" in n.args[2:]} if inherited else {}
        return [Failure(own, {"list": self.list, "header": own.args[0], "directive": self.list, "origin": above[own.args[0].lower()].where(),
                              "dropped": own.args[0], "actual": written(own.args), "expected": "always"}, None)
                for own in scope.effective.own(block, self.list)
                if own.args and own.args[0].lower() in above and "always" not in own.args[2:] and self.counts(own)]
