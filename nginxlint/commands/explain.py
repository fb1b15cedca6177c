"""Rule documentation, rendered from the policies themselves: the rule
list (`nginxlint rules`) and one rule's explanation (`nginxlint explain`)."""
from __future__ import annotations

import json
import os
import textwrap

from tabulate import tabulate

from ..policy.load import is_builtin, rule_params
from ..policy.model import PolicySet, Rule

DOC_SECTIONS = (("what", "What it checks"), ("why", "Why"), ("bad", "Bad"), ("good", "Good"))


def _pack_file(rule: Rule) -> str:
    """Built-in packs by file name; user policies by their path."""
    return os.path.basename(rule.file) if is_builtin(rule) else os.path.relpath(rule.file)


def _pack_name(rule: Rule) -> str:
    """The pack a rule belongs to; the loader's own findings are the input pack, always on."""
    return rule.pack or "input"


def _on(rule: Rule, policies: PolicySet) -> str:
    return "on" if policies.is_on(rule) else "off"


def rules_table(policies: PolicySet) -> str:
    rows = [(r.id, r.name, r.severity, _pack_name(r), _on(r, policies), _fix(r), r.summary) for r in policies.rules]
    return tabulate(rows, headers=("id", "name", "severity", "pack", "on", "fix", "summary")) + "\n"


def _fix(rule: Rule) -> str:
    """Whether `nginxlint fix` (and the editor's code action) fixes the rule's findings: safe, unsafe (--unsafe-fixes), or -."""
    return "-" if rule.fix is None else "unsafe" if rule.fix.unsafe else "safe"


def rules_json(policies: PolicySet) -> str:
    rules = [{"id": r.id, "name": r.name, "severity": r.severity, "pack": _pack_name(r), "on": policies.is_on(r),
              "policy": _pack_file(r), "summary": r.summary,
              "fix": None if r.fix is None else {"kind": r.fix.key, "what": r.fix.describe, "unsafe": r.fix.unsafe},
              "docs": dict(r.docs or {}), "params": {p: policies.values[p] for p in rule_params(r, policies)}}
             for r in policies.rules]
    return json.dumps({"version": 1, "rules": rules}, indent=2, ensure_ascii=False) + "\n"


def _pack_line(rule: Rule, policies: PolicySet) -> str:
    name = _pack_name(rule)
    if policies.is_on(rule):
        return f"Pack {name} ({_pack_file(rule)}): on."
    return f"Pack {name} ({_pack_file(rule)}): off; turn it on with --pack {name} or packs: [{name}] in .nginxlint.yaml."


def explain_text(rule: Rule, policies: PolicySet) -> str:
    lines = [f"{rule.id} {rule.name} ({rule.severity}) — {_pack_file(rule)}", "", rule.summary, "", _pack_line(rule, policies)]
    docs = rule.docs or {}
    for key, title in DOC_SECTIONS:
        if docs.get(key):
            body = docs[key].rstrip("\n")
            if key in ("what", "why"):
                body = textwrap.fill(" ".join(body.split()), width=88)
            lines += ["", f"{title}:", textwrap.indent(body, "    ")]
        if key == "what":
            lines += _which_blocks(rule)
    if rule.fix is not None:
        unsafe = " (unsafe: made with --unsafe-fixes)" if rule.fix.unsafe else ""
        lines += ["", f"Fix (nginxlint fix): {rule.fix.describe}{unsafe}"]
    params = rule_params(rule, policies)
    if params:
        lines += ["", "Parameters (set with --param NAME=VALUE or params: in .nginxlint.yaml):"]
        for name in params:
            param = policies.params[name]
            default = "" if policies.values[name] == param.default else f" (default {param.default})"
            lines.append(f"    {name} = {policies.values[name]}{default}  [{param.type}] {param.help}")
    return "\n".join(lines) + "\n"


def _which_blocks(rule: Rule) -> list[str]:
    """What the rule's selector counts, for selector keys that say it
    (a WebSocket location: what makes one)."""
    conditions = rule.select.condition.conditions if rule.select is not None else ()
    said = [c.description() for c in conditions if hasattr(c, "description")]
    return [line for text in said for line in ("", "Which blocks:", textwrap.indent(textwrap.fill(text, width=88), "    "))]

