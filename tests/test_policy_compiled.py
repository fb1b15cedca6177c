"""The compiled policy language: has:, not:, serves_prefix:, the proxies
alias, directive names checked against the table, and a policy's every
mistake reported in one run."""
from __future__ import annotations

import textwrap

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.policy import assertions, selectors
from nginxlint.policy.assertions import directive, header, statement
from nginxlint.policy.model import PolicyError

from .conftest import run_cli
from .test_policy_language import RULE, _findings, _policy


def _lines(tmp_path, select: str, config: str, check_yaml: str = '{directive: root, exists: "true"}') -> set[int]:
    """Lines of the blocks a selector picks (the assertion fails everywhere)."""
    rules = RULE.format(n=1) + f"  select: {select}\n  assert: {check_yaml}\n"
    return {line for _, line, _ in _findings(tmp_path, rules, config)}


SERVER = """\
    server {
        listen 80;
        auth_basic "site";
        location /open/ { auth_basic off; proxy_pass http://a; }
        location /inherit/ { }
        location /pass/ { proxy_pass http://b; }
        location /both/ { proxy_pass http://c; auth_request /auth; }
    }
"""


def test_has_selects_a_value_in_force_written_here_or_above_not_a_default(tmp_path):
    # auth_basic "site" is inherited by /inherit/ and /pass/; /open/ writes off (a value, written).
    assert _lines(tmp_path, "{kind: location, has: auth_basic}", SERVER) == {4, 5, 6, 7}
    assert _lines(tmp_path, "{kind: location, has: [auth_request, proxy_pass]}", SERVER) == {4, 6, 7}
    # proxy_http_version has a default (1.0): a default is not "has".
    assert _lines(tmp_path, "{kind: location, has: proxy_http_version}", SERVER) == set()


def test_proxies_is_an_alias_of_has_proxy_pass(tmp_path):
    assert _lines(tmp_path, '{kind: location, proxies: "true"}', SERVER) == _lines(tmp_path, "{kind: location, has: proxy_pass}", SERVER)
    assert _lines(tmp_path, '{kind: location, proxies: "false"}', SERVER) == {5}


def test_not_selector(tmp_path):
    assert _lines(tmp_path, "{kind: location, not: {has: proxy_pass}}", SERVER) == {5}
    assert _lines(tmp_path, "{kind: location, not: {has: proxy_pass, path: open}}", SERVER) == {5, 6, 7}


def test_not_assertion_points_where_the_inner_one_would(tmp_path):
    rules = RULE.format(n=1) + """\
  select: {kind: location}
  assert: {not: {directive: autoindex, eq: "on"}, message: "autoindex {actual} in {location}"}
"""
    config = """\
        server {
            listen 80;
            autoindex on;
            location /a/ { }
            location /b/ { autoindex off; }
            location /c/ {
                autoindex on;
            }
        }
    """
    # /a/ inherits the server's line 3: reported there, once (findings are unique by line and message).
    assert _findings(tmp_path, rules, config) == {("P001", 3, "autoindex on in /a/"), ("P001", 7, "autoindex on in /c/")}


@pytest.mark.parametrize("check_yaml, words", [
    ("{not: {all: [{directive: root, exists: \"true\"}]}}", "not takes a directive, header or statement assertion"),
    ("{not: {directive: root, exists: \"true\", message: x}}", "a message inside not: is never shown"),
    ("{not: [a]}", "not must be a mapping"),
])
def test_not_misuse(tmp_path, check_yaml, words):
    path = _policy(tmp_path, RULE.format(n=1) + f"  select: {{kind: server}}\n  assert: {check_yaml}\n")
    with pytest.raises(PolicyError, match=words):
        prepare(CheckOptions(policies=[str(path)]))


API = """\
    server {
        listen 80;
        location / { }
        location /api/ { }
        location ~ ^/api/v[0-9]+/bulk { }
        location ~* ^/API/admin { }
        location = /api/health { }
        location = /apis { }
        location ~ ^/static/ { }
        location ~ \\.php$ { }
        location ~ ^/(api|v2)/x { }
        location @fallback { }
        location /docs/ {
            location ~ ^/docs/api/ { }
        }
    }
    server {
        listen 81;
        location / { }
        location ^~ /api/ { }
        location ~ ^/api/ { }
    }
    server {
        listen 82;
        location / { }
    }
"""


def test_serves_prefix_selects_the_locations_that_can_serve_a_uri_under_it(tmp_path):
    assert _lines(tmp_path, "{kind: location, serves_prefix: /api/}", API) == {
        4, 5, 6, 7,  # /api/ itself, a regex whose literal start is under it (any case for ~*), = under it
        10, 11,      # an unanchored regex can match inside any URI; ^/( leaves only "/" literal
        20,          # ^~ /api/ (the ~ ^/api/ beside it is never tried for /api/... URIs)
        25,          # / where nothing else takes /api/...
    }   # not: / beside /api/, = /apis, ^/static/, @fallback, ^/docs/api/ inside /docs/
    # path: matches only the written text (missing the regex at line 5), which is why serves_prefix exists.
    assert _lines(tmp_path, "{kind: location, path: '^/api(/|$)'}", API) == {4, 7, 20}


def test_serves_prefix_misuse(tmp_path):
    path = _policy(tmp_path, RULE.format(n=1) + "  select: {kind: location, serves_prefix: api}\n  assert: {directive: root, exists: \"true\"}\n")
    with pytest.raises(PolicyError, match="serves_prefix must be a path starting with /"):
        prepare(CheckOptions(policies=[str(path)]))


@pytest.mark.parametrize("select, check_yaml, words", [
    ("{kind: location}", "{directive: proxy_http_verison, eq: \"1.1\"}", "unknown directive proxy_http_verison; did you mean proxy_http_version?"),
    ("{kind: location, has: auth_basci}", "{directive: root, exists: \"true\"}", "unknown directive auth_basci; did you mean auth_basic?"),
    ("{kind: location, own: [allow, dney]}", "{directive: root, exists: \"true\"}", "unknown directive dney; did you mean deny?"),
    ("{directive: retrun}", "{statement: args, matches: x}", "unknown directive retrun; did you mean return?"),
    ("{kind: server}", "{keeps_inherited: add_headr}", "did you mean add_header?"),
    ("{kind: server}", "{keeps_always: proxy_set_header}", "keeps_always is about add_header or add_trailer"),
    ("{kind: server}", "{directive: lua_code_cache, eq: \"on\"}", "unknown directive lua_code_cache (a third-party directive? list it"),
])
def test_directive_names_are_checked_against_the_table(tmp_path, select, check_yaml, words):
    path = _policy(tmp_path, RULE.format(n=1) + f"  select: {select}\n  assert: {check_yaml}\n")
    with pytest.raises(PolicyError) as error:
        prepare(CheckOptions(policies=[str(path)]))
    assert str(error.value).startswith(f"{path}:") and words in str(error.value)


def test_third_party_directives_are_declared_by_the_pack(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("pack: p\nthird_party_directives: [more_set_headers]\nrules:\n" + textwrap.indent(
        RULE.format(n=1) + "  select: {directive: more_set_headers}\n  assert: {statement: args, not_matches: 'Server'}\n", "  "))
    options = CheckOptions(policies=[str(path)])
    (tmp_path / "site.conf").write_text("server {\n    listen 80;\n    more_set_headers 'Server: x';\n}\n")
    result = check([str(tmp_path / "site.conf")], options, prepare(options))
    assert [(f.rule, f.line) for f in result.findings if f.rule == "P001"] == [("P001", 3)]


BROKEN = """\
pack: broken
rules:
  - id: P001
    name: one
    severity: warning
    summary: s
    message: m
    select: {kind: location, colour: blue}
    assert: {directive: proxy_http_verison, eq: "1.1"}
  - id: P002
    name: two
    severity: fatal
    summary: s
    message: "{nothing}"
    select: {kind: server}
    assert: {directive: root, exists: maybe}
  - id: P003
    name: three
    severity: warning
    summary: s
    message: m
    select: {kind: server}
    assert: {all: [{directive: root, gte: 1s}, {header: Host, colour: x}]}
"""


def test_validate_reports_every_mistake_in_one_run(tmp_path):
    (tmp_path / "broken.yaml").write_text(BROKEN)
    code, out, err = run_cli(["policy", "validate", "broken.yaml"], tmp_path)
    assert all(line.startswith("nginxlint: error: bad policy: ") for line in err.splitlines()), err
    lines = [line.removeprefix("nginxlint: error: bad policy: ") for line in err.splitlines()]
    assert code == 2 and out == ""
    assert [line.split(": ", 1)[0] for line in lines] == [f"broken.yaml:{n}" for n in (8, 9, 12, 14, 16, 23, 23)], lines
    assert "unknown selector key 'colour'" in lines[0] and "did you mean proxy_http_version?" in lines[1]
    assert "root is neither" in lines[5] and "unknown operator 'colour'" in lines[6]


@pytest.mark.parametrize("content, words", [
    (b"pack: p\nrules: []\n\x00\x01\x02", "broken.yaml:3: not a policy: a NUL byte"),
    (b"pack: p\n\xff\xfe\x00", "broken.yaml:2: not a policy: a NUL byte"),
    (b"pack: p\nrules: []\n# \xff\xfe\n", "broken.yaml:3: not a policy: byte 0xff is not UTF-8"),
])
def test_a_binary_policy_is_one_clear_line(tmp_path, content, words):
    (tmp_path / "broken.yaml").write_bytes(content)
    code, _, err = run_cli(["policy", "validate", "broken.yaml"], tmp_path)
    assert code == 2 and len(err.splitlines()) == 1 and words in err, err


def test_every_key_and_operator_is_one_documented_class():
    """The registries are the language: a key is one class in one table."""
    for table in (selectors.KEYS, assertions.KEYS, directive.OPERATORS, header.OPERATORS, *statement.OPERATORS.values()):
        for key, cls in table.items():
            assert cls.key == key and hasattr(cls, "from_yaml"), key
    for cls in (*selectors.KEYS.values(), *assertions.KEYS.values()):
        assert cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("), f"{cls.__name__} says what it is for"


CONTAINS = """\
    server {
        listen 80;
        proxy_set_header Host $host;
        location / {
            proxy_pass http://app;
        }
    }
    server {
        listen 81;
        proxy_set_header Host $host;
        location / {
            root /srv;
        }
    }
"""


def test_any_and_contains_select_a_level_nothing_below_uses(tmp_path):
    # contains: the server holding a proxy_pass somewhere below (line 1), and that location (4)
    assert _lines(tmp_path, "{kind: [server, location], contains: proxy_pass}", CONTAINS) == {1, 4}
    # any: a proxying location, or a level that writes proxy_set_header and proxies nowhere below
    select = "{kind: [server, location], any: [{has: proxy_pass}, {own: proxy_set_header, not: {contains: proxy_pass}}]}"
    assert _lines(tmp_path, select, CONTAINS) == {4, 8}


@pytest.mark.parametrize("select, words", [
    ("{kind: server, any: {has: proxy_pass}}", "any needs a list of selector mappings"),
    ("{kind: server, any: [{}]}", "each any branch needs at least one selector key"),
    ("{kind: server, any: [{directive: root}]}", "directive cannot stand inside any"),
])
def test_any_misuse(tmp_path, select, words):
    path = _policy(tmp_path, RULE.format(n=1) + f"  select: {select}\n  assert: {{directive: root, exists: \"true\"}}\n")
    with pytest.raises(PolicyError, match=words):
        prepare(CheckOptions(policies=[str(path)]))


def test_serves_names_the_block_that_answers_after_the_rewrite_phases(tmp_path):
    config = """\
    server {
        listen 80;
        return 301 https://$host$request_uri;
        location /ws/ { }
    }
    server {
        listen 81;
        rewrite ^/old/ /new/ last;
        location /old/ { }
        location /new/ { }
    }
"""
    # The server-level return answers before any location is chosen: the server is what serves /ws/.
    assert _lines(tmp_path, "{serves: {uri: /ws/}}", config) == {1}
    assert _lines(tmp_path, "{serves: {uri: /old/x, port: '81'}}", config) == {10}
