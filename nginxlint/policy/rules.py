"""One rule of a pack, compiled: its metadata checked, its selector and
assertion compiled (or its built-in check named), its message's
placeholders checked against what they fill, and the parameters it reads.
Every mistake is recorded in the pack's Compiler, at the policy's line."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .. import checks
from ..findings.records import SEVERITIES, Failure
from ..reading.tree import Node
from . import assertions
from .assertions import Assertion
from .compiling import Compiler, mapping
from .fixes import compile_fix
from .model import Rule
from .scope import Scope, referenced_params
from .selectors import Selector, compile_selector
from .yamlload import Map

RULE_KEYS = ("id", "name", "severity", "summary", "message", "docs", "select", "assert", "python", "fix")
RULE_ID = re.compile(r"[A-Z][A-Z0-9]*[0-9]{3}")
RULE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class NamedSelector:
    """A pack's named selector: compiled (None when broken: already reported), and as written."""

    selector: Selector | None
    written: object


def parse_rule(item: object, compiler: Compiler, named: dict[str, NamedSelector], needs_check: bool = True) -> Rule | None:
    """One rule compiled, or None with its errors recorded in `compiler`.
    Rules the loader emits (SYN…, INC…) have metadata only: no select/assert."""
    before = len(compiler.errors)
    item = compiler.collect(lambda: mapping(item, None, compiler, "each rule"))
    if item is None:
        return None
    for key in item:
        if key not in RULE_KEYS:
            compiler.errors.append(compiler.error(item.line_of(key), f"unknown rule key {key!r}; a rule has {', '.join(RULE_KEYS)}"))
    coded = "python" in item
    required = RULE_KEYS[:5] + (("select", "assert") if needs_check and not coded else ())
    missing = [key for key in required if key not in item]
    if missing:  # the first one only: the rest of a rule's skeleton says little more
        compiler.errors.append(compiler.error(item.line, f"rule {item.get('id', '?')} has no {missing[0]}"))
    for key in RULE_KEYS[:5]:
        if key in item and not isinstance(item[key], str):
            compiler.errors.append(compiler.error(item.line_of(key), f"{key} must be a string"))
    if len(compiler.errors) > before:
        return None
    for key, pattern, what in (("id", RULE_ID, "must look like ABC123 (capitals, then 3 digits)"), ("name", RULE_NAME, "must be kebab-case")):
        if not pattern.fullmatch(item[key]):
            compiler.errors.append(compiler.error(item.line_of(key), f"rule {key} {item[key]!r} {what}"))
    if item["severity"] not in SEVERITIES:
        compiler.errors.append(compiler.error(item.line_of("severity"), f"severity must be one of {', '.join(SEVERITIES)}"))
    docs = item.get("docs")
    if docs is not None and not isinstance(docs, Map):
        compiler.errors.append(compiler.error(item.line_of("docs"), "docs must be a mapping (what, why, bad, good)"))
    message_ok = compiler.collect(lambda: compiler.message(item["message"], item.line_of("message"), assertions.MESSAGE_FIELDS))
    select = check = None
    written = []
    if coded:
        compiler.collect(lambda: _validate_python(item, compiler))
    elif needs_check:
        select, check, written = _compile_check(item, compiler, named, message_ok is not None)
    fix = compiler.collect(lambda: compile_fix(item["fix"], item.line_of("fix"), compiler)) if "fix" in item else None
    if len(compiler.errors) > before:
        return None
    params = [p for p in dict.fromkeys(_params_used(written) + referenced_params(item["message"])) if p in compiler.params]
    return Rule(item["id"], item["name"], item["severity"], item["summary"], item["message"],
                docs, select, check, compiler.file, item.line, item.get("python"), tuple(params), fix=fix)


def _compile_check(item: Map, compiler: Compiler, named: dict[str, NamedSelector],
                   message_ok: bool) -> tuple[Selector | None, Assertion | None, list]:
    """The rule's selector and assertion, and both as written (for the
    parameters they read); then whether its message uses only the
    placeholders they fill."""
    before = len(compiler.errors)
    select, written_select = item["select"], item["select"]
    if isinstance(select, str):
        if select not in named:
            compiler.errors.append(compiler.error(item.line_of("select"), f"no selector named {select!r} in this pack"))
            select = None
        else:
            select, written_select = named[select].selector, named[select].written
    else:
        select = compile_selector(select, compiler)
    check = assertions.compile_assertion(item["assert"], compiler)
    for name in _params_used(item["assert"]):
        if name not in compiler.params:
            compiler.errors.append(compiler.error(item.line_of("assert"), f"unknown parameter {{{name}}}"))
    if select is None or check is None or len(compiler.errors) > before:
        return None, None, []
    statement = select.selects_statements
    if check.needs_statement and not statement:
        compiler.errors.append(compiler.error(item.line_of("assert"), "a statement assertion needs a selector with directive:"))
        return None, None, []
    fields = check.supplied_fields(statement)
    if message_ok and compiler.collect(lambda: compiler.message(item["message"], item.line_of("message"), fields)) is None:
        return None, None, []
    if select.explains:
        check = Explained(check, select)
    return select, check, [written_select, item["assert"]]


@dataclass(frozen=True)
class Explained:
    """A rule's assertion whose failures also carry why the selector chose
    the block (a WebSocket location: the header it writes, or the path it
    serves), among the finding's related places. The engine sees an
    assertion like any other."""

    check: Assertion
    select: Selector

    @property
    def needs_statement(self) -> bool:
        return self.check.needs_statement

    def supplied_fields(self, statement: bool) -> frozenset[str]:
        return self.check.supplied_fields(statement)

    def failures(self, target: Node, scope: Scope, statement: bool) -> list[Failure]:
        failures = self.check.failures(target, scope, statement)
        reasons = self.select.reasons(target, scope) if failures else ()
        return [dataclasses.replace(f, related=(*f.related, *reasons)) for f in failures] if reasons else failures


def _validate_python(item: Map, compiler: Compiler) -> None:
    """A rule checked in code names a built-in check, and has nothing else to evaluate."""
    for key in ("select", "assert"):
        if key in item:
            raise compiler.error(item.line_of(key), f"a rule with python: has no {key}")
    if not isinstance(item["python"], str) or item["python"] not in checks.CHECKS:
        raise compiler.error(item.line_of("python"), f"unknown built-in check {str(item['python'])!r}; "
                                                     f"known: {', '.join(sorted(checks.CHECKS))}")


def _params_used(value: object) -> list[str]:
    if isinstance(value, str):
        return referenced_params(value)
    if isinstance(value, dict):
        return [p for k, v in value.items() if k != "message" for p in _params_used(v)]
    if isinstance(value, list):
        return [p for v in value for p in _params_used(v)]
    return []
