"""Read and validate policy packs, before any nginx config is read.

A pack is one YAML file: `pack`, optional `description`, `default` (on, or
off for a pack that runs only when asked for by name), `params` (typed,
with defaults, overridable with --param), `selectors` (named, reusable) and
`rules`. Every mistake is a PolicyError naming the policy file and line.
"""
from __future__ import annotations

import dataclasses
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TypeVar

from ..reading.source import not_regular
from ..semantics.values import parse_size, parse_time
from .compiling import Compiler
from .files import builtin_policy_dir, policy_files
from .model import PARAM_TYPES, GivenValue, Pack, Param, PolicyError, PolicyErrors, PolicySet, Rule
from .rules import NamedSelector, parse_rule
from .selectors import compile_selector
from .yamlload import Map, Seq, YamlError, load_yaml

T = TypeVar("T")
PACK_KEYS = ("pack", "description", "default", "params", "selectors", "third_party_directives", "rules")
PACK_DEFAULTS = {"on": True, "off": False}
PARAM_KEYS = ("type", "default", "help")


class UnknownPack(PolicyError):
    """`--pack NAME` (or `packs:` in a project config) names no pack: not a
    mistake in a policy file, so it is reported without "bad policy"."""


def load_policies(extra: list[str], overrides: Mapping[str, str], enabled: Sequence[str] = ()) -> PolicySet:
    """The built-in packs plus `extra` files or folders, with --param values
    (or a project config's, as GivenValue: an error names their file and
    line), and the opt-in packs turned on by name (`enabled`: --pack or a
    project config's `packs:`). Every mistake of every pack is collected:
    PolicyErrors."""
    errors: list[PolicyError] = []
    policy_set = PolicySet()
    policy_set.rules.extend(_input_rules())
    packs = []
    read: set[str] = set()  # a built-in pack given again (`policy validate policies/tls.yaml`) is read once
    for path in [str(builtin_policy_dir()), *extra]:
        for file in _collect(errors, lambda path=path: policy_files(path)) or ():
            if os.path.realpath(file) in read:
                continue
            read.add(os.path.realpath(file))
            doc = _collect(errors, lambda file=file: _read(file))
            if doc is not None:
                packs.append((file, doc))
    for file, doc in packs:
        _collect(errors, lambda file=file, doc=doc: _declare_pack(doc, file, policy_set))
        _collect_params(doc, file, policy_set, errors)
    for name in enabled:
        _collect(errors, lambda name=name: _enable(policy_set, name))
    for name, value in overrides.items():
        _collect(errors, lambda name=name, value=value: _override(policy_set, name, value))
    for file, doc in packs:
        _collect_rules(doc, file, policy_set, errors)
    if errors:
        raise PolicyErrors(errors)
    return policy_set


def _collect(errors: list[PolicyError], step: Callable[[], T]) -> T | None:
    try:
        return step()
    except PolicyError as exc:
        errors.append(exc)
        return None


def _declare_pack(doc: Map, file: str, policy_set: PolicySet) -> None:
    """The pack's name, once across every policy file (`--pack NAME` must
    name one pack), and whether it is on by default."""
    name, default = doc["pack"], doc.get("default", "on")
    if default not in PACK_DEFAULTS:
        raise PolicyError(file, doc.line_of("default"), "default must be on or off (off: the pack runs only with --pack NAME)")
    if name in policy_set.packs:
        other = policy_set.packs[name]
        raise PolicyError(file, doc.line_of("pack"), f"pack {name!r} already declared in {other.file}:{other.line}")
    description = doc.get("description", "")
    policy_set.packs[name] = Pack(name, file, doc.line_of("pack"), description if isinstance(description, str) else "",
                                  PACK_DEFAULTS[default])


def _enable(policy_set: PolicySet, name: str) -> None:
    file, line = (name.file, name.line) if isinstance(name, GivenValue) else ("--pack", None)
    if name not in policy_set.packs:
        raise UnknownPack(file, line, f"unknown pack {str(name)!r} (known: {', '.join(sorted(policy_set.packs))})")
    policy_set.enabled = policy_set.enabled | {str(name)}


def _override(policy_set: PolicySet, name: str, value: str) -> None:
    file, line = (value.file, value.line) if isinstance(value, GivenValue) else ("--param", None)
    if name not in policy_set.params:
        known = ", ".join(sorted(policy_set.params)) or "none"
        raise PolicyError(file, line, f"unknown parameter {name!r} (known: {known})")
    _check_param_value(policy_set.params[name], value, file, line)
    policy_set.values[name] = str(value)


def _input_rules() -> list[Rule]:
    """Metadata of the findings the loader emits (data/input_rules.yaml)."""
    file = str(resources.files("nginxlint").joinpath("data/input_rules.yaml"))
    compiler = Compiler(file, {})
    rules = [parse_rule(item, compiler, {}, needs_check=False) for item in _read(file)["rules"]]
    if compiler.errors:
        raise PolicyErrors(compiler.errors)
    return rules


def _read(file: str) -> Map:
    try:
        mode = os.stat(file).st_mode
        if not stat.S_ISREG(mode):  # a FIFO would block the open below forever
            raise PolicyError(file, None, f"cannot read policy: {not_regular(mode)}")
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PolicyError(file, None, f"cannot read policy: {exc.strerror or exc}") from None
    text = _text(file, data)
    try:
        doc = load_yaml(text)
    except YamlError as exc:
        raise PolicyError(file, exc.line, exc.message.splitlines()[0]) from None
    if not isinstance(doc, Map):
        raise PolicyError(file, getattr(doc, "line", 1), "a policy file must be a mapping with pack and rules")
    for key in doc:
        if key not in PACK_KEYS:
            raise PolicyError(file, doc.line_of(key), f"unknown key {key!r}; a pack has {', '.join(PACK_KEYS)}")
    if "pack" not in doc or not isinstance(doc["pack"], str):
        raise PolicyError(file, doc.line, "missing pack name (pack: NAME)")
    return doc


def _text(file: str, data: bytes) -> str:
    """A policy's text; a binary file (NUL bytes, not UTF-8) is one clear error."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise PolicyError(file, data.count(b"\n", 0, nul) + 1, "not a policy: a NUL byte (a binary file?); policies are YAML text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PolicyError(file, line, f"not a policy: byte 0x{data[exc.start]:02x} is not UTF-8 (a binary file?); "
                                      "policies are UTF-8 YAML text") from None


def _collect_params(doc: Map, file: str, policy_set: PolicySet, errors: list[PolicyError]) -> None:
    params = doc.get("params", Map())
    if not isinstance(params, Map):
        errors.append(PolicyError(file, doc.line_of("params"), "params must be a mapping"))
        return
    for name, spec in params.items():
        param = _collect(errors, lambda name=name, spec=spec: _param(name, spec, params.line_of(name), file, policy_set))
        if param is not None:
            policy_set.params[name] = param
            policy_set.values[name] = param.default


def _param(name: str, spec: object, line: int, file: str, policy_set: PolicySet) -> Param:
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
    return param


def _check_param_value(param: Param, value: str, file: str, line: int | None) -> None:
    try:
        if param.type == "time":
            parse_time(value)
        elif param.type == "size":
            parse_size(value, "offset")
        elif param.type == "regex":
            re.compile(value)
        elif param.type == "flag" and value not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
    except (ValueError, re.error) as exc:
        raise PolicyError(file, line, f"parameter {param.name}: {exc}") from None


def _collect_rules(doc: Map, file: str, policy_set: PolicySet, errors: list[PolicyError]) -> None:
    compiler = Compiler(file, dict(policy_set.values), _third_party(doc, file, errors))
    named = doc.get("selectors", Map())
    if not isinstance(named, Map):
        errors.append(PolicyError(file, doc.line_of("selectors"), "selectors must be a mapping of name to selector"))
        named = Map()
    # Compiled once: the rules that name a selector share it (and the engine selects once for them).
    selectors = {name: NamedSelector(compile_selector(select, compiler), select) for name, select in named.items()}
    rules = doc.get("rules")
    if not isinstance(rules, Seq):
        errors.append(PolicyError(file, doc.line_of("rules") if "rules" in doc else doc.line, "rules must be a list"))
        rules = Seq()
    for item in rules:
        rule = parse_rule(item, compiler, selectors)
        if rule is None:
            continue
        rule = dataclasses.replace(rule, pack=doc["pack"])
        previous = policy_set.rule(rule.id)
        if previous is not None:
            compiler.errors.append(PolicyError(file, rule.line, f"duplicate rule id {rule.id} (also {previous.file}:{previous.line})"))
        else:
            policy_set.rules.append(rule)
    errors.extend(compiler.errors)


def _third_party(doc: Map, file: str, errors: list[PolicyError]) -> frozenset[str]:
    names = doc.get("third_party_directives", Seq())
    if not isinstance(names, Seq) or not all(isinstance(n, str) and n for n in names):
        errors.append(PolicyError(file, doc.line_of("third_party_directives"), "third_party_directives must be a list of directive names"))
        return frozenset()
    return frozenset(names)


def rule_params(rule: Rule, policies: PolicySet) -> list[str]:
    """The parameters a rule reads, in its selector, assertion or message."""
    return [name for name in rule.params if name in policies.params]


def is_builtin(rule: Rule) -> bool:
    """Shipped with nginxlint (a built-in pack or the loader's own rules)."""
    shipped = (builtin_policy_dir(), Path(str(resources.files("nginxlint"))) / "data")
    return Path(rule.file).resolve().parent in {d.resolve() for d in shipped}
