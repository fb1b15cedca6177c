"""Inheritance as nginx merges it (semantics §2), through the effective
configuration API and through the rules that depend on it."""
from __future__ import annotations

import textwrap

import pytest

from nginxlint.reading.loader import load
from nginxlint.reading.tree import walk
from nginxlint.semantics.effective import Effective
from nginxlint.semantics.servers import location_path

from .conftest import rule_lines


def _blocks(tmp_path, text: str):
    """Load one fragment; return {location path or 'server': block}."""
    path = tmp_path / "site.conf"
    path.write_text(textwrap.dedent(text))
    config = load([str(path)])
    assert not config.problems, config.problems
    found = {}
    for node in walk(config.roots[0]):
        if node.inner == "location":
            found[location_path(node)[1]] = node
        elif node.inner in ("server", "if-in-location", "limit_except"):
            found[node.inner] = node
    return found


def _value(block, directive, version="1.28"):
    setting = Effective(version).get(block, directive)
    return None if setting is None else (setting.value, setting.origin().rsplit(":", 1)[-1])


NESTED = """\
    server {
        listen 80;
        proxy_read_timeout 3600s;
        proxy_set_header X-Srv 1;
        allow 10.0.0.0/8;
        deny all;
        location /outer/ {
            proxy_pass http://127.0.0.1:8000;
            try_files $uri @fallback;
            deny 192.0.2.1;
            location /outer/inner/ {
                proxy_read_timeout 5s;
            }
            if ($http_x) {
                return 418;
            }
        }
    }
"""


def test_scalar_inherits_from_nearest_level_with_origin(tmp_path):
    blocks = _blocks(tmp_path, NESTED)
    assert _value(blocks["/outer/"], "proxy_read_timeout") == ("3600s", "3")
    assert _value(blocks["/outer/inner/"], "proxy_read_timeout") == ("5s", "12")
    assert _value(blocks["/outer/"], "proxy_send_timeout") == ("60s", "default for nginx 1.28")


def test_nested_location_does_not_inherit_proxy_pass_or_try_files(tmp_path):
    blocks = _blocks(tmp_path, NESTED)
    assert _value(blocks["/outer/inner/"], "proxy_pass") is None
    assert _value(blocks["/outer/inner/"], "try_files") is None
    assert _value(blocks["/outer/"], "try_files") == ("$uri @fallback", "9")


def test_if_block_inherits_proxy_pass_but_not_try_files(tmp_path):
    blocks = _blocks(tmp_path, NESTED)
    assert _value(blocks["if-in-location"], "proxy_pass") == ("http://127.0.0.1:8000", "8")
    assert _value(blocks["if-in-location"], "try_files") is None


def test_allow_and_deny_are_one_list(tmp_path):
    blocks = _blocks(tmp_path, NESTED)
    effective = Effective("1.28")
    assert [n.args for n in effective.get(blocks["server"], "allow").nodes] == [("10.0.0.0/8",), ("all",)]
    # The location's single deny discards the server's allow and deny: open to everyone else.
    assert [n.args for n in effective.get(blocks["/outer/"], "allow").nodes] == [("192.0.2.1",)]


def test_list_inherited_only_when_the_level_has_none(tmp_path):
    blocks = _blocks(tmp_path, NESTED)
    effective = Effective("1.28")
    headers = [(h.name, h.value, h.node is None) for h in effective.headers(blocks["/outer/inner/"])]
    assert headers == [("X-Srv", "1", False), ("Host", "$proxy_host", True), ("Connection", "close", True)]


@pytest.mark.parametrize("version", ["1.28", "1.30"])
def test_headers_named_are_the_headers_of_that_name(tmp_path, version):
    blocks = _blocks(tmp_path, NESTED)
    effective = Effective(version)
    for block in blocks.values():
        for name in ("x-srv", "host", "connection", "upgrade"):
            assert effective.headers_named(block, "proxy_set_header", name) == tuple(
                h for h in effective.headers(block) if h.name.lower() == name)


def test_defaults_follow_the_nginx_version(tmp_path):
    blocks = _blocks(tmp_path, NESTED)
    assert _value(blocks["/outer/"], "proxy_http_version", "1.29.6")[0] == "1.0"
    assert _value(blocks["/outer/"], "proxy_http_version", "1.29.7")[0] == "1.1"
    assert [h.name for h in Effective("1.30").headers(blocks["server"])] == ["X-Srv", "Host"]


def test_bitmask_lines_accumulate_in_one_block(tmp_path):
    blocks = _blocks(tmp_path, "server {\n  ssl_protocols TLSv1.2;\n  ssl_protocols TLSv1.3;\n}\n")
    setting = Effective("1.28").get(blocks["server"], "ssl_protocols")
    assert setting.value == "TLSv1.2 TLSv1.3" and [n.line for n in setting.nodes] == [2, 3]


@pytest.mark.parametrize("mode, expected", [
    ("on", ["X-Loc"]), ("merge", ["X-Loc", "X-Srv"]), ("off", ["X-Loc"]),
])
def test_add_header_inherit(tmp_path, mode, expected):
    blocks = _blocks(tmp_path, f"""\
        server {{
            add_header X-Srv 1;
            location / {{
                add_header_inherit {mode};
                add_header X-Loc 1;
            }}
        }}
    """)
    effective = Effective("1.30")
    assert [h.name for h in effective.headers(blocks["/"], "add_header")] == expected
    assert bool(effective.dropped_entries(blocks["/"], "add_header")) == (mode == "on")


# -- the same semantics, seen through the rules --------------------------------

SERVER_HEADERS = """\
    server {{
        listen 443 ssl;
        server_name api.gmai.sa;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header X-Forwarded-Ssl on;
        proxy_set_header X-Forwarded-Host $host;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_request_buffering off;
        proxy_read_timeout 1d;
        proxy_send_timeout 1d;
        client_max_body_size 10M;
        location /ws/ {{
            proxy_pass http://127.0.0.1:8000;{own}
        }}
    }}
"""


def test_headers_set_at_server_level_are_inherited(lint_files):
    assert lint_files({"site.conf": SERVER_HEADERS.format(own="")}).findings == ()


def test_own_proxy_set_header_drops_server_headers(lint_files):
    result = lint_files({"site.conf": SERVER_HEADERS.format(own="\n        proxy_set_header X-Real-IP $remote_addr;")})
    assert rule_lines(result) == {
        ("HDR001", "site.conf", 16),  # the line that starts the location's own list
        ("WS002", "site.conf", 14), ("WS003", "site.conf", 14), ("WS004", "site.conf", 14),
        ("WS005", "site.conf", 14), ("WS006", "site.conf", 14),  # the location that lacks them
    }
    hdr = next(f for f in result.findings if f.rule == "HDR001")
    assert [r.line for r in hdr.related] == [5, 6, 7, 8, 9]


TREE = {
    "nginx.conf": """\
        events {}
        http {
            proxy_read_timeout 86400s;
            proxy_send_timeout 86400s;
            include sites-enabled/*;
        }
    """,
    "sites-enabled/api": """\
        server {
            listen 80;
            location /ws/ {
                proxy_pass http://127.0.0.1:8000;
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection upgrade;
                proxy_set_header X-Forwarded-Host $host;
                proxy_set_header X-Forwarded-Port $server_port;
                proxy_request_buffering off;
                client_max_body_size 10M;
            }
        }
    """,
}


def test_http_level_timeout_in_nginx_conf_satisfies_the_site(lint_files):
    assert lint_files(TREE, "nginx.conf").findings == ()


def test_the_same_site_alone_gets_the_default_timeouts(lint_files):
    result = lint_files(TREE, "sites-enabled/api")
    assert rule_lines(result) == {("WS008", "sites-enabled/api", 3), ("WS009", "sites-enabled/api", 3)}


def test_nested_location_without_proxy_pass_is_not_a_websocket_proxy(lint_files):
    result = lint_files({"site.conf": """\
        server {
            listen 80;
            location /ws/ {
                proxy_pass http://127.0.0.1:8000;
                proxy_http_version 1.1;
                location /ws/static/ {
                    root /srv;
                }
            }
        }
    """})
    assert {f.location for f in result.findings} == {"/ws/"}


def test_tls_is_a_property_of_the_socket(lint_files):
    """A plain `listen 443` is TLS when another server has `listen 443 ssl` (§6.1)."""
    site = SERVER_HEADERS.format(own="").replace("listen 443 ssl;", "listen 443;").replace(
        "proxy_set_header X-Forwarded-Ssl on;", "")
    assert lint_files({"site.conf": site}).findings == ()
    result = lint_files({"site.conf": "server { listen 443 ssl; server_name other; }\n" + site})
    assert {f.rule for f in result.findings} == {"WS004"}


def test_if_in_a_websocket_location_does_not_repeat_its_findings(lint_files):
    site = TREE["sites-enabled/api"].replace("client_max_body_size 10M;", "client_max_body_size 10M;\n"
                                             "                if ($http_x_block) { return 403; }")
    result = lint_files({"sites-enabled/api": site})
    assert rule_lines(result) == {("WS008", "sites-enabled/api", 3), ("WS009", "sites-enabled/api", 3)}
