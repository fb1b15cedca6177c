"""The statement-level words of the policy language (directive:, args:,
statement:, last_is, not_matches, written, only:, python:) — what they
select, and that each misuse is refused with the policy's own file:line."""
from __future__ import annotations

import textwrap

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.policy.model import PolicyError


def _policy(tmp_path, rules: str):
    path = tmp_path / "p.yaml"
    path.write_text("pack: p\nrules:\n" + textwrap.indent(textwrap.dedent(rules), "  "))
    return path


def _findings(tmp_path, rules: str, config: str) -> set[tuple[str, int, str]]:
    options = CheckOptions(policies=[str(_policy(tmp_path, rules))])
    (tmp_path / "site.conf").write_text(textwrap.dedent(config))
    result = check([str(tmp_path / "site.conf")], options, prepare(options))
    return {(f.rule, f.line, f.message) for f in result.findings if f.rule.startswith("P")}


RULE = """\
- id: P{n:03d}
  name: r{n}
  severity: warning
  summary: s
  message: "{{directive}} {{actual}}"
"""
STATEMENT_RULE = RULE.replace("{{actual}}", "{{actual}} {{statement}}")  # for rules that select statements


def test_statement_rules_report_each_statement_and_judge_its_block(tmp_path):
    rules = STATEMENT_RULE.format(n=1) + """\
  select: {directive: return, kind: location, args: '^30'}
  assert: {directive: auth_basic, exists: "false"}
""" + STATEMENT_RULE.format(n=2) + """\
  select: {directive: if, kind: location}
  assert: {statement: children, within: [return]}
"""
    config = """\
        server {
            listen 80;
            return 301 https://example.com;
            location /a/ {
                auth_basic "x";
                return 302 /b;
                return 404;
                if ($arg_x) {
                    set $y 1;
                    return 403;
                }
            }
        }
    """
    # P001: only the 30x return of the location with auth (not the server's, not the 404),
    # reported at the return with the auth value; P002: the set inside the if.
    assert _findings(tmp_path, rules, config) == {
        ("P001", 6, "auth_basic x 302 /b"),
        ("P002", 9, "set $y 1 $arg_x"),  # {statement}: the selected if's condition
    }


def test_last_is_not_matches_and_written_headers(tmp_path):
    rules = RULE.format(n=3) + """\
  select: {kind: location, own: allow}
  assert: {directive: allow, last_is: deny all}
""" + RULE.format(n=4) + """\
  select: {kind: location, proxies: "true"}
  assert: {header: Host, written: "true", not_matches: '^\\$http_host$'}
""" + RULE.format(n=5) + """\
  select: {kind: location}
  assert: {directive: root, not_matches: '^/srv'}
"""
    config = """\
        server {
            listen 80;
            proxy_set_header Host $http_host;
            location /a/ { allow 10.0.0.0/8; root /srv/a; }
            location /b/ { allow 10.0.0.0/8; deny all; proxy_pass http://b; }
            location /c/ { proxy_pass http://c; proxy_set_header Host $host; root /var/c; }
        }
    """
    assert {(r, line) for r, line, _ in _findings(tmp_path, rules, config)} == {
        ("P003", 4), ("P004", 3), ("P005", 4)}  # /b/'s default root "html" does not match


@pytest.mark.parametrize("rules, line, words", [
    (RULE.format(n=1) + "  select: {kind: location}\n  assert: {statement: args, matches: x}\n", 9, "needs a selector with directive"),
    (RULE.format(n=1) + "  select: {kind: location, args: x}\n  assert: {directive: root, exists: \"true\"}\n", 8, "args needs directive"),
    (RULE.format(n=1) + "  select: {directive: [root, {a: b}]}\n  assert: {statement: args, matches: x}\n", 8, "directive must be"),
    (RULE.format(n=1) + "  select: {directive: root}\n  assert: {statement: body, matches: x}\n", 9, "args or children"),
    (RULE.format(n=1) + "  select: {directive: if}\n  assert: {statement: children, within: return}\n", 9, "within must be a list"),
    (RULE.format(n=1) + "  select: {directive: if}\n  assert: {statement: args, not_matches: '('}\n", 9, "regular expression"),
    (RULE.format(n=1) + "  select: {kind: server}\n  assert: {keeps_inherited: add_header, only: '['}\n", 9, "regular expression"),
    (RULE.format(n=1) + "  select: {kind: server}\n  assert: {header: Host, written: yes, present: \"true\"}\n", 9, "written must be"),
    (RULE.format(n=1) + "  python: no-such-check\n", 8, "unknown built-in check"),
    (RULE.format(n=1) + "  python: duplicate-server\n  select: {kind: server}\n", 9, "has no select"),
    (RULE.format(n=1) + "  select: {kind: server, whole: maybe}\n  assert: {directive: root, exists: \"true\"}\n", 8, "whole must be"),
    (RULE.format(n=1) + "  python: [header-injection]\n", 8, "unknown built-in check"),
    (RULE.format(n=1) + "  select: {directive: root}\n  assert: {statement: [args], matches: x}\n", 9, "args or children"),
    (RULE.format(n=1) + "  select: {kind: location, modifier: {a: b}}\n  assert: {directive: root, exists: \"true\"}\n", 8, "modifier must be"),
    (RULE.format(n=1) + "  select: {serves: {uri: /x}, directive: alias}\n  assert: {statement: args, matches: x}\n", 8, "cannot be combined"),
    (STATEMENT_RULE.format(n=1) + "  select: {kind: location}\n  assert: {directive: root, exists: \"true\"}\n", 7,
     "{statement} in message is not filled"),
    (RULE.format(n=1).replace("{actual}", "{dropped}") + "  select: {directive: root}\n  assert: {statement: args, matches: x}\n",
     7, "{dropped} in message is not filled"),
])
def test_misuse_names_the_policy_line(tmp_path, rules, line, words):
    path = _policy(tmp_path, rules)
    with pytest.raises(PolicyError) as error:
        prepare(CheckOptions(policies=[str(path)]))
    assert str(error.value).startswith(f"{path}:{line}:") and words in str(error.value)


def test_a_missing_include_hides_the_blocks_config_but_not_its_statements(tmp_path):
    rules = RULE.format(n=6) + """\
  select: {directive: if, kind: location}
  assert: {statement: children, within: [return]}
""" + RULE.format(n=7) + """\
  select: {directive: return, kind: location}
  assert: {directive: allow, exists: "true"}
"""
    config = """\
        server {
            listen 80;
            location /b/ { return 302 /c; }
            location /a/ {
                include missing_params;
                if ($arg_x) { set $y 1; }
                return 302 /b;
            }
        }
    """
    # The set is written as it is; whether an allow list is in force in /a/ depends
    # on the unread include, so P007 says nothing there rather than guess (in /b/ it knows).
    assert {(r, line) for r, line, _ in _findings(tmp_path, rules, config)} == {("P007", 3), ("P006", 6)}
