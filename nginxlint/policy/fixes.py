"""A rule's `fix:`, compiled: what to change in the tree so the rule holds.

Fixes are data in the pack, like the rule they belong to, so a site policy
declares them too. The vocabulary is small and each word is a frozen class
that turns one Failure into Changes on nodes (which statement gets which
arguments, which block gets which lines); commands/fix/ turns Changes into
byte edits of the files and verifies them. `unsafe: "true"` marks a judgement
(a timeout, a body limit, a header policy): applied only with --unsafe-fixes.

    fix: {set: "proxy_http_version 1.1"}          the directive in force gets these arguments
    fix: {rename: "{meant}"}                      the statement's name becomes this (failure fields filled)
    fix: {copy_inherited: proxy_set_header}       the entries the block drops are copied into it
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..findings.records import Failure
from ..reading.tree import Node
from ..semantics.effective import Effective
from .compiling import Compiler
from .scope import Scope
from .yamlload import Map


@dataclass(frozen=True)
class SetArgs:
    """Give a statement these arguments (as written, quotes kept)."""

    node: Node
    args: str


@dataclass(frozen=True)
class Rename:
    """Call a statement by another directive name."""

    node: Node
    name: str


@dataclass(frozen=True)
class AddLines:
    """Append statements to a block: a text to write, or a node whose written line is copied."""

    block: Node
    lines: tuple[str | Node, ...]


Change = SetArgs | Rename | AddLines


@dataclass(frozen=True)
class Fix:
    key: ClassVar[str]
    unsafe: bool

    def changes(self, failure: Failure, target: Node, cause: Node, scope: Scope) -> tuple[Change, ...]:
        """The changes that make the rule hold for this failure; () when this fix cannot say."""
        raise NotImplementedError

    @property
    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class SetDirective(Fix):
    """`set: "DIRECTIVE ARGS"`. Where the finding's cause is a line of that
    directive (for a list such as proxy_set_header, with the same first
    argument), that line gets the arguments; else the block's own line does;
    else a line is added to the block (the cause's block: an http block for
    a finding moved there), with the entries of the list it would otherwise
    drop copied in front of it."""

    key = "set"
    directive: str
    args: str

    @property
    def describe(self) -> str:
        return f"{self.directive} {self.args};"

    def changes(self, failure: Failure, target: Node, cause: Node, scope: Scope) -> tuple[Change, ...]:
        effective = scope.effective
        keyed = effective.is_list(self.directive)
        name = self.args.split(None, 1)[0].strip("\"'").lower() if keyed else None

        def same(node: Node) -> bool:
            return node.name == self.directive and (name is None or (bool(node.args) and node.args[0].lower() == name))

        if cause.children is None and same(cause):
            return (SetArgs(cause, self.args),)
        block = cause if cause.children is not None else target if target.children is not None else Effective.parent_level(target)
        if block is None:
            return ()
        own = [n for n in effective.own(block, self.directive) if same(n)]
        if own:
            return (SetArgs(own[-1], self.args),)
        kept: tuple[Node, ...] = ()
        if keyed and not effective.own(block, self.directive):
            parent = Effective.parent_level(block)
            inherited = effective.get(parent, self.directive) if parent is not None else None
            if inherited is not None and not inherited.is_default:
                kept = tuple(n for n in inherited.nodes if not same(n))
        return (AddLines(block, (*kept, f"{self.directive} {self.args};")),)


@dataclass(frozen=True)
class RenameDirective(Fix):
    """`rename: TEMPLATE`: the failing statement's name, e.g. "{meant}" (SYN005's did-you-mean)."""

    key = "rename"
    template: str

    @property
    def describe(self) -> str:
        return "rename the directive to the stock one it misspells" if "{" in self.template else f"rename to {self.template}"

    def changes(self, failure: Failure, target: Node, cause: Node, scope: Scope) -> tuple[Change, ...]:
        name = self.template.format_map(failure.fields) if "{" in self.template else self.template
        return (Rename(failure.node, name),) if name and "{" not in name else ()


@dataclass(frozen=True)
class CopyInherited(Fix):
    """`copy_inherited: LIST`: the entries an outer level sets that the
    block's own list drops, copied into the block as they are written."""

    key = "copy_inherited"
    list: str

    @property
    def describe(self) -> str:
        return f"copy the inherited {self.list} lines into the block"

    def changes(self, failure: Failure, target: Node, cause: Node, scope: Scope) -> tuple[Change, ...]:
        block = target if target.children is not None else Effective.parent_level(target)
        dropped = tuple(scope.effective.dropped_entries(block, self.list)) if block is not None else ()
        return (AddLines(block, dropped),) if dropped else ()


KINDS: dict[str, type[Fix]] = {kind.key: kind for kind in (SetDirective, RenameDirective, CopyInherited)}


def compile_fix(value: object, line: int, compiler: Compiler) -> Fix:
    """`fix:` of a rule: one action key of KINDS and an optional `unsafe`."""
    if not isinstance(value, Map):
        raise compiler.error(line, f"fix must be a mapping with one of {', '.join(KINDS)} (and unsafe)")
    actions = [key for key in value if key in KINDS]
    for key in value:
        if key not in KINDS and key != "unsafe":
            raise compiler.error(value.line_of(key), f"unknown fix key {key!r}; a fix has one of {', '.join(KINDS)}, and unsafe")
    if len(actions) != 1:
        raise compiler.error(value.line, f"a fix has exactly one of {', '.join(KINDS)}")
    action = actions[0]
    at = value.line_of(action)
    unsafe = compiler.flag(value["unsafe"], value.line_of("unsafe"), "unsafe") if "unsafe" in value else False
    text = compiler.text(value[action], at, action)
    if action == "set":
        directive, _, args = text.strip().rstrip(";").partition(" ")
        if not args.strip():
            raise compiler.error(at, "set needs a directive and its arguments: set: \"proxy_http_version 1.1\"")
        return SetDirective(unsafe, compiler.directive(directive, at, "set"), args.strip())
    if action == "rename":
        return RenameDirective(unsafe, text)
    return CopyInherited(unsafe, compiler.directive(text, at, "copy_inherited"))
