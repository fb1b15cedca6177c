"""Which blocks the WebSocket pack checks, and what TLS means (design §4,
semantics §4.9, §6.1)."""
from __future__ import annotations

import re

import pytest

from nginxlint.commands.check import CheckOptions, prepare

from .conftest import rule_lines

COMPLETE = """\
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection upgrade;
        proxy_set_header X-Forwarded-Ssl on;
        proxy_set_header X-Forwarded-Host $host;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_request_buffering off;
        proxy_read_timeout 1d;
        proxy_send_timeout 1d;
        client_max_body_size 10M;
"""


def _rules(result) -> set[str]:
    return {f.rule for f in result.findings}


def test_uwsgi_and_scgi_locations_are_not_held_to_proxy_rules(lint_files):
    site = "server {\n    listen 80;\n    location /ws/ { uwsgi_pass 127.0.0.1:9000; }\n" \
           "    location /wss/ { scgi_pass 127.0.0.1:9001; }\n}\n"
    assert lint_files({"site.conf": site}).findings == ()


def test_proxy_pass_inside_if_is_checked_on_the_if_block(lint_files):
    site = ("server {\n    listen 80;\n    location /ws/ {\n        proxy_http_version 1.1;\n"
            "        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection upgrade;\n"
            "        if ($http_upgrade) {\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n")
    result = lint_files({"site.conf": site})
    assert {line for _, _, line in rule_lines(result)} == {7}  # the if block, which proxies
    assert _rules(result) == {"WS005", "WS006", "WS007", "WS008", "WS009", "WS010"}


def test_location_that_only_inherits_proxying_from_nothing_is_skipped(lint_files):
    site = "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:8000;\n" + COMPLETE + \
           "        if ($arg_debug) { return 403; }\n    }\n}\n"
    assert lint_files({"site.conf": site}).findings == ()


def test_x_forwarded_host_from_the_host_header_is_sent(lint_files):
    site = "server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:8000;\n" + \
        COMPLETE.replace("X-Forwarded-Host $host", "X-Forwarded-Host $http_host") + "    }\n}\n"
    assert lint_files({"site.conf": site}).findings == ()


def test_missing_include_inside_a_location_does_not_fake_findings(lint_files):
    site = ("server {\n    listen 80;\n    location /ws/ {\n        include snippets/websocket-proxy.conf;\n"
            "        proxy_pass http://127.0.0.1:8000;\n    }\n}\n")
    assert rule_lines(lint_files({"sites-enabled/site": site})) == {("INC003", "sites-enabled/site", 4)}


def test_tls_socket_is_normalised(lint_files):
    """0.0.0.0:443 and 443 are one socket; a server without listen is on *:80."""
    ws = "    location /ws/ {\n        proxy_pass http://127.0.0.1:8000;\n" + \
        COMPLETE.replace("        proxy_set_header X-Forwarded-Ssl on;\n", "") + "    }\n"
    tls_neighbour = "server {\n    listen 443 ssl;\n    server_name other;\n}\n"
    assert _rules(lint_files({"a.conf": tls_neighbour + "server {\n    listen 0.0.0.0:443;\n" + ws + "}\n"})) == {"WS004"}
    assert _rules(lint_files({"b.conf": "server {\n    listen 80 ssl;\n}\nserver {\n" + ws + "}\n"})) == {"WS004"}
    assert lint_files({"c.conf": tls_neighbour + "server {\n    listen 8443;\n" + ws + "}\n"}).findings == ()


def test_tls_socket_spelled_another_way_is_the_same_socket(lint_files):
    """localhost:443 and 127.0.0.1:443 are one socket to nginx: `ssl` on
    either listen makes both servers TLS, so WS004 judges the plain one too."""
    ws = "    location /ws/ {\n        proxy_pass http://127.0.0.1:8000;\n" + \
        COMPLETE.replace("        proxy_set_header X-Forwarded-Ssl on;\n", "") + "    }\n"
    for ssl_listen, plain_listen in (("localhost:443", "127.0.0.1:443"), ("[::]:443", "[0:0::0]:443"),
                                     ("127.0.0.1:443", "localhost")):
        site = f"server {{\n    listen {ssl_listen} ssl;\n    server_name a;\n}}\n" \
               f"server {{\n    listen {plain_listen};\n    server_name b;\n{ws}}}\n"
        expected = {("WS004", "site.conf", 8)} if plain_listen != "localhost" else set()  # localhost is port 80
        assert rule_lines(lint_files({"site.conf": site})) == expected, (ssl_listen, plain_listen)


def test_quic_makes_its_own_server_tls_but_not_tcp_neighbours(lint_files):
    ws = "    location /ws/ {\n        proxy_pass http://127.0.0.1:8000;\n" + \
        COMPLETE.replace("        proxy_set_header X-Forwarded-Ssl on;\n", "") + "    }\n"
    quic = "server {\n    listen 443 quic;\n    server_name h3;\n}\n"
    assert lint_files({"a.conf": quic + "server {\n    listen 443;\n" + ws + "}\n"}).findings == ()
    assert _rules(lint_files({"b.conf": "server {\n    listen 443 quic;\n" + ws + "}\n"})) == {"WS004"}


def test_hdr001_ignores_an_outer_header_that_restates_the_default(lint_files):
    site = ("server {\n    listen 80;\n    proxy_set_header Host $proxy_host;\n    location / {\n"
            "        proxy_pass http://127.0.0.1:8000;\n        proxy_set_header X-A 1;\n    }\n}\n")
    assert lint_files({"site.conf": site}).findings == ()


# -- what makes a location a WebSocket location (issue 12) ----------------------------

PROXY_ONLY = "        proxy_pass http://127.0.0.1:8000;\n        proxy_http_version 1.1;\n"


def _site(locations: str, server_level: str = "") -> str:
    return "server {\n    listen 80;\n" + server_level + locations + "}\n"


def test_regex_websocket_location_without_upgrade_gets_ws002_and_ws003_at_its_line(lint_files):
    site = _site("    location ~ ^/socket\\.io/ {\n" + PROXY_ONLY + "    }\n"
                 "    location ~ ^/ws$ {\n" + PROXY_ONLY + "    }\n")
    result = lint_files({"site.conf": site}, packs=[])
    assert rule_lines(result) == {(rule, "site.conf", line) for rule in ("WS002", "WS003") for line in (3, 7)}


def test_regex_location_counts_by_its_compiled_regex_not_its_text(lint_files):
    """`~* ^/(chat|WS)/` names no probe in its text as written; run on /ws/ it
    matches (case-insensitive). `~ /` and `~ ^/api/` also serve ordinary
    paths; `~ \\.ws$` is a file suffix no probe has."""
    counted = "    location ~* ^/(chat|WS)/ {\n" + PROXY_ONLY + "    }\n"
    not_counted = ("    location ~ / {\n" + PROXY_ONLY + "    }\n    location ~ ^/api/ {\n" + PROXY_ONLY + "    }\n"
                   "    location ~ \\.ws$ {\n" + PROXY_ONLY + "    }\n")
    assert rule_lines(lint_files({"a.conf": _site(counted)}, packs=[])) == {("WS002", "a.conf", 3), ("WS003", "a.conf", 3)}
    assert lint_files({"b.conf": _site(not_counted)}, packs=[]).findings == ()


def test_server_level_upgrade_alone_makes_no_websocket_location(lint_files):
    server_level = ("    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection upgrade;\n")
    site = _site("    location /prometheus/ { proxy_pass http://127.0.0.1:9090; }\n"
                 "    location @proxy { proxy_pass http://127.0.0.1:8000; }\n"
                 "    location / { try_files $uri @proxy; }\n", server_level)
    assert lint_files({"site.conf": site}).findings == ()  # not even the streaming pack: nothing is a WebSocket location
    # The same server-level headers on a WebSocket path still count: the path says what it is.
    ws = _site("    location /ws/ { proxy_pass http://127.0.0.1:8000; }\n", server_level)
    assert rule_lines(lint_files({"ws.conf": ws}, packs=[])) == {("WS001", "ws.conf", 5)}


def test_location_that_writes_upgrade_itself_counts_whatever_its_path(lint_files):
    site = _site("    location /live/ {\n        proxy_pass http://127.0.0.1:8000;\n"
                 "        proxy_set_header Upgrade $http_upgrade;\n    }\n")
    assert rule_lines(lint_files({"site.conf": site}, packs=[])) == {("WS001", "site.conf", 3), ("WS003", "site.conf", 3)}


def test_proxy_pass_in_an_if_of_a_location_that_writes_upgrade(lint_files):
    site = _site("    location /live/ {\n        proxy_set_header Upgrade $http_upgrade;\n"
                 "        proxy_set_header Connection upgrade;\n"
                 "        if ($http_upgrade) {\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n")
    assert rule_lines(lint_files({"site.conf": site}, packs=[])) == {("WS001", "site.conf", 6)}


SEEDED = {  # a correct WebSocket location, then one line changed: what an operator breaks
    "http-1.0": ("        proxy_http_version 1.1;\n", "        proxy_http_version 1.0;\n", "WS001"),
    "no-upgrade": ("        proxy_set_header Upgrade $http_upgrade;\n", "", "WS002"),
    "no-connection": ("        proxy_set_header Connection upgrade;\n", "", "WS003"),
    "connection-close": ("        proxy_set_header Connection upgrade;\n", '        proxy_set_header Connection "close";\n', "WS003"),
}


@pytest.mark.parametrize("path", ["/ws/", "/chat/"])
@pytest.mark.parametrize("breakage", sorted(SEEDED))
def test_seeded_breakages_are_caught_at_the_right_line(lint_files, breakage, path):
    before, after, rule = SEEDED[breakage]
    good = ("    location " + path + " {\n        proxy_pass http://127.0.0.1:8000;\n        proxy_http_version 1.1;\n"
            "        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection upgrade;\n    }\n")
    assert lint_files({"good.conf": _site(good)}, packs=[]).findings == ()
    bad = _site(good.replace(before, after))
    line = bad.splitlines().index(after.rstrip("\n")) + 1 if after else 3  # a wrong value at its line, a missing one at the location
    assert rule_lines(lint_files({"bad.conf": bad}, packs=[])) == {(rule, "bad.conf", line)}


def test_location_level_proxy_set_header_drops_the_server_headers(lint_files):
    site = _site("    location /ws/ {\n        proxy_pass http://127.0.0.1:8000;\n        proxy_http_version 1.1;\n"
                 "        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection upgrade;\n    }\n",
                 "    proxy_set_header X-Real-IP $remote_addr;\n")
    assert rule_lines(lint_files({"site.conf": site}, packs=[])) == {("HDR001", "site.conf", 7)}


def test_every_probe_is_a_websocket_path_and_no_control_is():
    from nginxlint.policy.selectors.websocket import CONTROLS, PROBES

    default = re.compile(next(p for p in prepare(CheckOptions()).params.values() if p.name == "websocket_path_pattern").default)
    assert all(default.search(p) for p in PROBES) and not any(default.search(c) for c in CONTROLS)


def test_finding_says_what_made_the_location_a_websocket_one(lint_files):
    site = _site("    location ~ ^/socket\\.io/ {\n" + PROXY_ONLY + "    }\n"
                 "    location /live/ {\n" + PROXY_ONLY + "        proxy_set_header Upgrade $http_upgrade;\n    }\n")
    related = {(f.rule, f.line): [(r.line, r.message) for r in f.related] for f in lint_files({"site.conf": site}, packs=[]).findings}
    assert related[("WS002", 3)] == [(3, "a WebSocket location because its regex ^/socket\\.io/ matches the WebSocket path /socket.io/")]
    assert related[("WS003", 7)] == [(10, "a WebSocket location because it sets proxy_set_header Upgrade $http_upgrade")]
