"""Read and validate policy packs, before any nginx config is read.

A pack is one YAML file: `pack`, optional `description`, `params` (typed,
with defaults, overridable with --param), `selectors` (named, reusable) and
`rules`. Every mistake is a PolicyError naming the policy file and line.
"""
from __future__ import annotations

import os
import re
import stat
from importlib import resources
from pathlib import Path

from .. import checks
from ..findings.records import SEVERITIES
from ..reading.source import not_regular
from ..semantics.values import parse_size, parse_time
from . import assertions, selectors
from .model import PARAM_TYPES, Param, PolicyError, PolicySet, Rule
from .scope import referenced_params
from .yamlload import Map, Seq, YamlError, load_yaml

PACK_KEYS = ("pack", "description", "params", "selectors", "rules")
RULE_KEYS = ("id", "name", "severity", "summary", "message", "docs", "select", "assert", "python")
PARAM_KEYS = ("type", "default", "help")
RULE_ID = re.compile(r"[A-Z][A-Z0-9]*[0-9]{3}")
RULE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def builtin_policy_dir() -> Path:
    """policies/ ships inside the wheel as nginxlint/policies; in a source
    checkout it is the top-level policies/ folder."""
    packaged = Path(str(resources.files("nginxlint"))) / "policies"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "policies"


def policy_files(path: str) -> list[str]:
    if os.path.isdir(path):
        return sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith((".yaml", ".yml")))
    if not os.path.exists(path):
        raise PolicyError(path, None, "policy file not found")
    return [path]


def load_policies(extra: list[str], overrides: dict[str, str]) -> PolicySet:
    """The built-in packs plus `extra` files or folders, with --param values."""
    policy_set = PolicySet()
    policy_set.rules.extend(_input_rules())
    packs = []
    for path in [str(builtin_policy_dir())] + list(extra):
        for file in policy_files(path):
            packs.append((file, _read(file)))
    for file, doc in packs:
        _collect_params(doc, file, policy_set)
    for name, value in overrides.items():
        if name not in policy_set.params:
            known = ", ".join(sorted(policy_set.params)) or "none"
            raise PolicyError("--param", None, f"unknown parameter {name!r} (known: {known})")
        _check_param_value(policy_set.params[name], value, "--param", None)
        policy_set.values[name] = value
    for file, doc in packs:
        _collect_rules(doc, file, policy_set)
    return policy_set


def _input_rules() -> list[Rule]:
    """Metadata of the findings the loader emits (data/input_rules.yaml)."""
    file = str(resources.files("nginxlint").joinpath("data/input_rules.yaml"))
    doc = _read(file)
    return [parse_rule(item, file, PolicySet(), Map(), needs_check=False) for item in doc["rules"]]


def _read(file: str) -> Map:
    try:
        mode = os.stat(file).st_mode
        if not stat.S_ISREG(mode):  # a FIFO would block the open below forever
            raise PolicyError(file, None, f"cannot read policy: {not_regular(mode)}")
        with open(file, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(file, None, f"cannot read policy: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        doc = load_yaml(text)
    except YamlError as exc:
        raise PolicyError(file, exc.line, exc.message) from None
    if not isinstance(doc, Map):
        raise PolicyError(file, getattr(doc, "line", 1), "a policy file must be a mapping with pack and rules")
    for key in doc:
        if key not in PACK_KEYS:
            raise PolicyError(file, doc.line_of(key), f"unknown key {key!r}; a pack has {', '.join(PACK_KEYS)}")
    if "pack" not in doc or not isinstance(doc["pack"], str):
        raise PolicyError(file, doc.line, "missing pack name (pack: NAME)")
    return doc


def _collect_params(doc: Map, file: str, policy_set: PolicySet) -> None:
    params = doc.get("params", Map())
    if not isinstance(params, Map):
        raise PolicyError(file, doc.line_of("params"), "params must be a mapping")
    for name, spec in params.items():
        line = params.line_of(name)
        if not isinstance(spec, Map):
            raise PolicyError(file, line, f"parameter {name!r} must be a mapping with type and default")
        for key in spec:
            if key not in PARAM_KEYS:
                raise PolicyError(file, spec.line_of(key), f"unknown parameter key {key!r}")
        if spec.get("type") not in PARAM_TYPES:
            raise PolicyError(file, spec.line_of("type"), f"parameter type must be one of {', '.join(PARAM_TYPES)}")
        if not isinstance(spec.get("default"), str):
            raise PolicyError(file, spec.line_of("default"), f"parameter {name!r} needs a default value")
        if name in policy_set.params:
            other = policy_set.params[name]
            raise PolicyError(file, line, f"parameter {name!r} already defined in {other.file}:{other.line}")
        param = Param(name, spec["type"], spec["default"], spec.get("help", ""), file, line)
        _check_param_value(param, param.default, file, spec.line_of("default"))
        policy_set.params[name] = param
        policy_set.values[name] = param.default


def _check_param_value(param: Param, value: str, file: str, line: int | None) -> None:
    try:
        if param.type == "time":
            parse_time(value)
        elif param.type == "size":
            parse_size(value, "offset")
        elif param.type == "regex":
            re.compile(value)
    except (ValueError, re.error) as exc:
        raise PolicyError(file, line, f"parameter {param.name}: {exc}") from None


def _collect_rules(doc: Map, file: str, policy_set: PolicySet) -> None:
    named = doc.get("selectors", Map())
    if not isinstance(named, Map):
        raise PolicyError(file, doc.line_of("selectors"), "selectors must be a mapping of name to selector")
    for selector in named.values():
        selectors.validate(selector, file, policy_set.values)
    rules = doc.get("rules")
    if not isinstance(rules, Seq):
        raise PolicyError(file, doc.line_of("rules") if "rules" in doc else doc.line, "rules must be a list")
    for item in rules:
        rule = parse_rule(item, file, policy_set, named)
        previous = policy_set.rule(rule.id)
        if previous is not None:
            raise PolicyError(file, rule.line, f"duplicate rule id {rule.id} (also {previous.file}:{previous.line})")
        policy_set.rules.append(rule)


def parse_rule(item, file: str, policy_set: PolicySet, named: Map, needs_check: bool = True) -> Rule:
    """Validate one rule mapping. Rules the loader emits (SYN…, INC…) have
    metadata only: no select/assert."""
    line = getattr(item, "line", None)
    if not isinstance(item, Map):
        raise PolicyError(file, line, "each rule must be a mapping")
    for key in item:
        if key not in RULE_KEYS:
            raise PolicyError(file, item.line_of(key), f"unknown rule key {key!r}; a rule has {', '.join(RULE_KEYS)}")
    coded = "python" in item
    required = RULE_KEYS[:5] + (("select", "assert") if needs_check and not coded else ())
    for key in required:
        if key not in item:
            raise PolicyError(file, item.line, f"rule {item.get('id', '?')} has no {key}")
        if key not in ("select", "assert") and not isinstance(item[key], str):
            raise PolicyError(file, item.line_of(key), f"{key} must be a string")
    if not RULE_ID.fullmatch(item["id"]):
        raise PolicyError(file, item.line_of("id"), f"rule id {item['id']!r} must look like ABC123 (capitals, then 3 digits)")
    if not RULE_NAME.fullmatch(item["name"]):
        raise PolicyError(file, item.line_of("name"), f"rule name {item['name']!r} must be kebab-case")
    if item["severity"] not in SEVERITIES:
        raise PolicyError(file, item.line_of("severity"), f"severity must be one of {', '.join(SEVERITIES)}")
    params = set(policy_set.values)
    assertions.validate_message(item["message"], file, item.line_of("message"), params)
    select = check = None
    if coded:
        _validate_python(item, file)
    elif needs_check:
        select = item["select"]
        if isinstance(select, str):
            if select not in named:
                raise PolicyError(file, item.line_of("select"), f"no selector named {select!r} in this pack")
            select = named[select]
        else:
            selectors.validate(select, file, policy_set.values)
        check = item["assert"]
        assertions.validate(check, file, policy_set.values, params)
        if assertions.uses_statement(check) and "directive" not in select:
            raise PolicyError(file, item.line_of("assert"), "a statement assertion needs a selector with directive:")
        assertions.validate_message(item["message"], file, item.line_of("message"), params,
                                    assertions.supplied_fields(check, "directive" in select))
        for name in _params_used(check):
            if name not in params:
                raise PolicyError(file, item.line_of("assert"), f"unknown parameter {{{name}}}")
    docs = item.get("docs")
    if docs is not None and not isinstance(docs, Map):
        raise PolicyError(file, item.line_of("docs"), "docs must be a mapping (what, why, bad, good)")
    return Rule(item["id"], item["name"], item["severity"], item["summary"], item["message"],
                docs, select, check, file, item.line, item.get("python"))


def _validate_python(item: Map, file: str) -> None:
    """A rule checked in code names a built-in check, and has nothing else to evaluate."""
    for key in ("select", "assert"):
        if key in item:
            raise PolicyError(file, item.line_of(key), f"a rule with python: has no {key}")
    if not isinstance(item["python"], str) or item["python"] not in checks.CHECKS:
        raise PolicyError(file, item.line_of("python"), f"unknown built-in check {str(item['python'])!r}; "
                                                        f"known: {', '.join(sorted(checks.CHECKS))}")


def _params_used(value) -> list[str]:
    if isinstance(value, str):
        return referenced_params(value)
    if isinstance(value, dict):
        return [p for k, v in value.items() if k != "message" for p in _params_used(v)]
    if isinstance(value, list):
        return [p for v in value for p in _params_used(v)]
    return []


def rule_params(rule: Rule, policies: PolicySet) -> list[str]:
    """The parameters a rule reads, in its selector, assertion or message."""
    names = _params_used(rule.select) + _params_used(rule.check) + referenced_params(rule.message)
    return [name for name in dict.fromkeys(names) if name in policies.params]


def is_builtin(rule: Rule) -> bool:
    """Shipped with nginxlint (a built-in pack or the loader's own rules)."""
    shipped = (builtin_policy_dir(), Path(str(resources.files("nginxlint"))) / "data")
    return Path(rule.file).resolve().parent in {d.resolve() for d in shipped}
