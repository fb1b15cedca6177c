"""Which blocks the WebSocket pack checks, and what TLS means (design §4,
semantics §4.9, §6.1)."""
from __future__ import annotations

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
