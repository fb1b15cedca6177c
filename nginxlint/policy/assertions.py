"""Assertions: what must hold on a selected block's effective configuration.

Four kinds, each with one operator:
- `directive: NAME` with exists / eq / ne / in / matches / not_matches /
  gte / lte / last_is;
- `header: NAME` (in `list:`, default proxy_set_header) with present / eq /
  in / matches / not_matches / has_token, values evaluated through maps for
  `request:`, or compared as written with `written: true`;
- `keeps_inherited: LIST` (optionally `only:` a regex of entry names) — the
  block does not drop entries of an outer level;
- `statement: args` (matches / not_matches) or `statement: children`
  (includes / within), for rules that select statements (`directive:`).
`all:` and `any:` combine them. A failure points at the directive that set
the offending value, or at the block when the value is missing or default;
in a rule that selects statements, at the statement.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from ..findings.records import Related
from ..reading.tree import Node
from ..semantics import directives
from ..semantics.effective import LEVELS, Effective
from ..semantics.servers import enclosing_server
from ..semantics.values import measure, parse_flag
from ..semantics.variables import evaluate, request_variables
from .model import PolicyError
from .scope import Scope, substitute
from .yamlload import Map, Seq

DIRECTIVE_OPS = ("exists", "eq", "ne", "in", "matches", "not_matches", "gte", "lte", "last_is")
HEADER_OPS = ("present", "eq", "in", "matches", "not_matches", "has_token")
STATEMENT_OPS = {"args": ("matches", "not_matches"), "children": ("includes", "within")}
# The placeholders each kind of assertion fills in its failures.
FIELDS = {
    "directive": {"directive", "actual", "origin", "expected"},
    "header": {"header", "list", "directive", "actual", "origin", "expected"},
    "keeps_inherited": {"list", "dropped", "header", "directive", "actual", "origin", "expected"},
    "statement": {"directive", "actual", "statement", "origin", "expected"},
}
MESSAGE_FIELDS = set().union(*FIELDS.values())
COMPARABLE = ("time-ms", "time-s", "size", "offset")


@dataclass(frozen=True)
class Failure:
    node: Node
    fields: dict[str, str]
    message: str | None  # the assertion's own message template, if any
    related: tuple[Related, ...] = ()


# -- validation (before any config is read) ----------------------------------

def validate(check, file: str, params: dict[str, str], param_names: set[str]) -> None:
    line = getattr(check, "line", None)
    if not isinstance(check, Map):
        raise PolicyError(file, line, "assert must be a mapping")
    if "message" in check:
        validate_message(check["message"], file, check.line_of("message"), param_names)
    if "all" in check or "any" in check:
        key = "all" if "all" in check else "any"
        _only(check, {key, "message"}, file)
        items = check[key]
        if not isinstance(items, Seq) or not items:
            raise PolicyError(file, check.line_of(key), f"{key} must be a non-empty list of assertions")
        for item in items:
            validate(item, file, params, param_names)
        return
    if "directive" in check:
        _validate_op(check, "directive", DIRECTIVE_OPS, file, params)
    elif "header" in check:
        _validate_op(check, "header", HEADER_OPS, file, params, extra={"list", "request", "written"})
        if "request" in check and not (isinstance(check["request"], Map) and all(isinstance(v, str) for v in check["request"].values())):
            raise PolicyError(file, check.line_of("request"), "request must map header names to values")
        if "written" in check and check["written"] not in ("true", "false"):
            raise PolicyError(file, check.line_of("written"), "written must be true or false")
    elif "keeps_inherited" in check:
        _only(check, {"keeps_inherited", "only", "message"}, file)
        if "only" in check:
            _compile(check["only"], file, check.line_of("only"), params)
    elif "statement" in check:
        if not isinstance(check["statement"], str) or check["statement"] not in STATEMENT_OPS:
            raise PolicyError(file, check.line_of("statement"), "statement must be args or children")
        _validate_op(check, "statement", STATEMENT_OPS[check["statement"]], file, params)
    else:
        raise PolicyError(file, line, "assert needs one of: directive, header, keeps_inherited, statement, all, any")


def uses_statement(check: Map) -> bool:
    """Does the assertion look at the selected statement itself (so the rule
    must select statements)?"""
    if "statement" in check:
        return True
    return any(uses_statement(item) for item in check.get("all", check.get("any", ())))


def supplied_fields(check: Map, statement: bool) -> set[str]:
    """The placeholders a rule's failures can fill: those of its assertion
    kinds, and {statement} when it selects statements."""
    if "all" in check or "any" in check:
        return set().union(*(supplied_fields(item, statement) for item in check.get("all", check.get("any"))))
    kind = next(k for k in FIELDS if k in check)
    return FIELDS[kind] | ({"statement"} if statement else set())


def validate_message(template, file: str, line: int, param_names: set[str], fields: set[str] = MESSAGE_FIELDS) -> None:
    if not isinstance(template, str):
        raise PolicyError(file, line, "message must be a string")
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise PolicyError(file, line, f"bad message template: {exc}") from None
    for name in names:
        if name not in fields | param_names | {"server", "location"}:
            raise PolicyError(file, line, f"placeholder {{{name}}} in message is not filled by this rule; it can use "
                                          f"{', '.join(sorted(fields | {'server', 'location'}))} and parameters")


def _only(check: Map, allowed: set[str], file: str) -> None:
    for key in check:
        if key not in allowed:
            raise PolicyError(file, check.line_of(key), f"unexpected key {key!r} here")


def _validate_op(check: Map, subject: str, ops, file: str, params, extra=frozenset()) -> None:
    for key in check:
        if key not in (subject, "message", *ops, *extra):
            raise PolicyError(file, check.line_of(key), f"unknown operator {key!r} for a {subject} assertion; "
                                                        f"use one of: {', '.join(ops)}")
    present = [op for op in ops if op in check]
    if len(present) != 1:
        raise PolicyError(file, check.line, f"{subject} assertion needs exactly one of: {', '.join(ops)}")
    op, value, line = present[0], check[present[0]], check.line_of(present[0])
    if op in ("exists", "present"):
        if value not in ("true", "false"):
            raise PolicyError(file, line, f"{op} must be true or false")
    elif op in ("in", "within"):
        if not isinstance(value, Seq) or not all(isinstance(v, str) for v in value):
            raise PolicyError(file, line, f"{op} must be a list of strings")
    elif not isinstance(value, str):
        raise PolicyError(file, line, f"{op} must be a string")
    elif op in ("matches", "not_matches"):
        _compile(value, file, line, params)
    elif op in ("gte", "lte"):
        kind = directives.value_kind(check["directive"])
        if kind not in COMPARABLE:
            raise PolicyError(file, line, f"{op} needs a time or size directive; {check['directive']} is neither")
        try:
            measure(check["directive"], kind, substitute(value, params))
        except ValueError as exc:
            raise PolicyError(file, line, f"{op}: {exc}") from None


def _compile(value, file: str, line: int, params) -> None:
    if not isinstance(value, str):
        raise PolicyError(file, line, "a regular expression must be a string")
    try:
        re.compile(substitute(value, params))
    except re.error as exc:
        raise PolicyError(file, line, f"invalid regular expression: {exc}") from None


# -- evaluation ------------------------------------------------------------------

def run(check: Map, target: Node, scope: Scope, statement: bool = False) -> list[Failure]:
    """The failures of `check` on `target`; empty when it holds. With
    `statement`, `target` is a selected statement: directive, header and
    keeps_inherited assertions then judge the block it stands in (or the
    statement itself when it is such a block), and their failures point at
    the statement."""
    if "all" in check:
        failures = [f for item in check["all"] for f in run(item, target, scope, statement)]
    elif "any" in check:
        results = [run(item, target, scope, statement) for item in check["any"]]
        failures = [] if any(not r for r in results) else results[0]
    elif "statement" in check:
        failures = _statement(check, target, scope)
    else:
        block = target if not statement or target.inner in LEVELS else Effective.parent_level(target)
        if block is None or not scope.known(block):
            return []  # nothing to judge, or an include it needs is missing: unknown is never wrong
        if "directive" in check:
            failures = _directive(check, block, scope)
        elif "header" in check:
            failures = _header(check, block, scope)
        else:
            failures = _keeps_inherited(check, block, scope)
        if statement:
            failures = [Failure(target, {**f.fields, "statement": _written(target.args)}, f.message, f.related)
                        for f in failures]
    if failures and "message" in check:
        return [Failure(f.node, f.fields, check["message"], f.related) for f in failures]
    return failures


def _directive(check: Map, block: Node, scope: Scope) -> list[Failure]:
    name = check["directive"]
    setting = scope.effective.get(block, name)
    op = next(op for op in DIRECTIVE_OPS if op in check)
    expected = check[op]
    expected = [substitute(v, scope.params) for v in expected] if op == "in" else substitute(expected, scope.params)
    actual = setting.value if setting else None
    explicit = setting is not None and not setting.is_default
    kind = directives.value_kind(name)
    if op == "exists":
        ok = explicit == (expected == "true")
    elif actual is None:
        ok = op in ("ne", "not_matches")
    elif op in ("eq", "ne"):
        ok = _same(kind, name, actual, expected) == (op == "eq")
    elif op == "in":
        ok = any(_same(kind, name, actual, e) for e in expected)
    elif op in ("matches", "not_matches"):
        ok = (re.search(expected, actual) is None) == (op == "not_matches")
    elif op == "last_is":
        actual = " ".join((setting.nodes[-1].name, *setting.nodes[-1].args)) if setting.nodes else actual
        ok = actual == expected
    else:
        try:
            have, want = measure(name, kind, actual), measure(name, kind, expected)
        except ValueError:
            ok = False  # nginx would refuse the value; never a pass
        else:
            ok = have >= want if op == "gte" else have <= want
    if ok:
        return []
    fields = {"directive": name, "expected": _show(expected),
              "actual": actual if actual is not None else "not set",
              "origin": setting.origin() if setting else "not set"}
    node = setting.nodes[-1] if explicit else block
    return [Failure(node, fields, None)]


def _same(kind: str, name: str, actual: str, expected: str) -> bool:
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


def _header(check: Map, block: Node, scope: Scope) -> list[Failure]:
    wanted = check["header"].lower()
    list_name = check.get("list", "proxy_set_header")
    server = enclosing_server(block)
    tls = server is not None and scope.tls.is_tls(server)
    op = next(op for op in HEADER_OPS if op in check)
    key = ("header", id(check), tls)
    if key not in scope.memo:  # the same for every block a rule runs on, but for TLS
        known = request_variables(dict(check.get("request", {})))
        known.update(https="on" if tls else "", scheme="https" if tls else "http")
        expected = check[op]
        scope.memo[key] = known, [substitute(v, scope.params) for v in expected] if op == "in" \
            else substitute(expected, scope.params)
    known, expected = scope.memo[key]
    written = [h for h in scope.effective.headers(block, list_name) if h.name.lower() == wanted]
    as_written = check.get("written") == "true"
    sent = []  # (header, evaluated value or None when unknown)
    for header in written:
        value = header.value if as_written else evaluate(header.value, known, scope.maps)
        if value != "":  # nginx does not send a header whose value is empty
            sent.append((header, value))
    fields = {"header": check["header"], "list": list_name, "directive": list_name, "expected": _show(expected),
              "actual": ", ".join(_shown(h.value, v) for h, v in sent) or "not sent", "origin": "not set"}
    # Point at the line that set the header (even to ""), else at the block.
    culprit = next((h.node for h in reversed(written) if h.node), block)
    if culprit is not block:
        fields["origin"] = culprit.where()
    elif written:
        fields["origin"] = f"default for nginx {scope.effective.version_text}"
    if op == "present":
        return [] if bool(sent) == (expected == "true") else [Failure(culprit, fields, None)]
    if op == "not_matches":
        bad = [h for h, v in sent if v is not None and re.search(expected, v)]
        return [Failure(bad[-1].node or block, fields, None)] if bad else []
    if not sent:
        return [Failure(culprit, fields, None)]
    for _header, value in sent:
        if value is None or _header_ok(op, expected, value):
            return []  # unknown (a map we cannot see) is never reported as wrong
    return [Failure(culprit, fields, None)]


def _shown(written: str, evaluated: str | None) -> str:
    """A header value as written, and what it evaluates to when that differs."""
    return written if evaluated in (None, written) else f"{written} (= {evaluated})"


def _header_ok(op: str, expected, value: str) -> bool:
    if op == "eq":
        return value == expected
    if op == "in":
        return value in expected
    if op == "matches":
        return re.search(expected, value) is not None
    tokens = re.split(r"[\s,]+", value.lower())
    return expected.lower() in tokens


def _keeps_inherited(check: Map, block: Node, scope: Scope) -> list[Failure]:
    name = check["keeps_inherited"]
    only = re.compile(substitute(check["only"], scope.params)) if "only" in check else None
    wanted = [n for n in scope.effective.dropped_entries(block, name) if only is None or only.search(n.args[0])]
    failures = [Failure(own, {"list": name, "header": own.args[0], "directive": name, "origin": above.where(),
                              "dropped": own.args[0], "actual": _written(own.args), "expected": "always"},
                        f"{name} {own.args[0]} here lacks always, which {above.where()} has: it is no longer "
                        "sent on error responses")
                for own, above in _always_lost(block, name, scope) if only is None or only.search(own.args[0])]
    if wanted:
        related = tuple(Related(n.file, n.line, f"{name} {_written(n.args)} is not applied here") for n in wanted)
        fields = {"list": name, "dropped": ", ".join(n.args[0] for n in wanted), "directive": name,
                  "origin": wanted[0].where(), "actual": "", "expected": ""}
        failures.insert(0, Failure(scope.effective.own(block, name)[0], fields, None, related))
    return failures


def _always_lost(block: Node, name: str, scope: Scope) -> list[tuple[Node, Node]]:
    """(own line, outer line) for add_header/add_trailer entries set above
    with `always` that this block re-adds without it: the header survives
    on 2xx/3xx responses but is no longer sent on errors."""
    if name not in ("add_header", "add_trailer") or scope.effective.get(block, name + "_inherit").value != "on":
        return []
    parent = Effective.parent_level(block)
    inherited = scope.effective.get(parent, name) if parent is not None else None
    above = {n.args[0].lower(): n for n in inherited.nodes if n.args and "always" in n.args[2:]} if inherited else {}
    return [(n, above[n.args[0].lower()]) for n in scope.effective.own(block, name)
            if n.args and n.args[0].lower() in above and "always" not in n.args[2:]]


def _statement(check: Map, node: Node, scope: Scope) -> list[Failure]:
    """A selected statement as written: its arguments, or the statements
    inside its block (map entries, the body of an if)."""
    op = next(op for op in STATEMENT_OPS[check["statement"]] if op in check)
    if op in ("includes", "within") and id(node) in scope.incomplete:
        return []  # an include inside it could not be read: its lines are not all known
    expected = check[op]
    written = _written(node.args)
    fields = {"directive": node.name, "actual": written, "statement": written, "expected": _show(expected),
              "origin": node.where()}
    if op in ("matches", "not_matches"):
        found = re.search(substitute(expected, scope.params), written) is not None
        return [] if found == (op == "matches") else [Failure(node, fields, None)]
    children = node.children or []
    if op == "includes":
        return [] if any(c.name == expected for c in children) else [Failure(node, fields, None)]
    return [Failure(c, {**fields, "directive": c.name, "actual": _written(c.args), "origin": c.where()}, None)
            for c in children if c.name not in expected]


def _written(args: tuple[str, ...]) -> str:
    """Arguments as they would be written: an empty one as ""."""
    return " ".join(arg or '""' for arg in args)


def _show(expected) -> str:
    return ", ".join(expected) if isinstance(expected, list) else expected
