"""nginx's value grammars (semantics §3), and the thresholds built on them."""
from __future__ import annotations

import math

import pytest

from nginxlint.semantics.values import measure, parse_flag, parse_size, parse_time

from .conftest import rule_lines


@pytest.mark.parametrize("text, ms", [
    ("86400", 86_400_000), ("86400s", 86_400_000), ("1d", 86_400_000), ("24h", 86_400_000),
    ("1440m", 86_400_000), ("1h30m", 5_400_000), ("1h 30m", 5_400_000), ("500ms", 500),
    ("1w", 604_800_000), ("0", 0), ("12 34", 46_000), ("30s 5", 35_000), ("1d 1", 86_401_000), ("01", 1000),
    ("1ms", 1), (" 5", 5000), ("1m s", 60_000),
])
def test_times(text, ms):
    assert parse_time(text) == ms


@pytest.mark.parametrize("text", ["30m1h", "1h1h", "1.5s", "-1", "1H", "", "s", "1y", "1M", "90x", "5 m", "1 ms",
                                  "12 34 5", "12 34s", "1D", "1\t2", "106751991168d"])
def test_invalid_times_for_msec_directives(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_second_directives_reject_ms_and_accept_months():
    assert parse_time("1M", "time-s") == 30 * 86_400_000
    with pytest.raises(ValueError):
        parse_time("500ms", "time-s")


@pytest.mark.parametrize("text, size", [("50m", 50 << 20), ("50M", 50 << 20), ("10k", 10240), ("512", 512)])
def test_sizes(text, size):
    assert parse_size(text) == size


def test_g_only_for_offsets():
    assert parse_size("2g", "offset") == 2 << 30
    for bad in ("2g", "10mb", "1.5m", "m", "-1"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_zero_body_size_is_unlimited():
    assert measure("client_max_body_size", "offset", "0") == math.inf
    assert measure("proxy_max_temp_file_size", "size", "0") == 0


@pytest.mark.parametrize("text, value", [("on", True), ("OFF", False), ("On", True)])
def test_flags(text, value):
    assert parse_flag(text) is value


@pytest.mark.parametrize("text", ["yes", "true", "1"])
def test_flags_nginx_refuses(text):
    with pytest.raises(ValueError):
        parse_flag(text)


WS_SITE = """\
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 80;
        location /ws/ {{
            proxy_pass http://127.0.0.1:8000;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection {connection};
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_request_buffering off;
            proxy_read_timeout {timeout};
            proxy_send_timeout 1d;
            client_max_body_size {body};
        }}
    }}
"""
DIRECTIVE_LINES = {"WS003": 8, "WS008": 12, "WS010": 14}


def _ws(lint_files, connection="$connection_upgrade", timeout="1d", body="50M", extra=""):
    return lint_files({"site.conf": extra + WS_SITE.format(connection=connection, timeout=timeout, body=body)})


@pytest.mark.parametrize("timeout", ["1d", "24h", "1440m", "86400", "2d"])
def test_read_timeouts_that_pass(lint_files, timeout):
    assert rule_lines(_ws(lint_files, timeout=timeout), "WS008") == set()


@pytest.mark.parametrize("timeout", ["86399s", "23h", "60"])
def test_read_timeouts_that_fail_at_their_line(lint_files, timeout):
    assert rule_lines(_ws(lint_files, timeout=timeout), "WS008") == {("WS008", "site.conf", 12)}


@pytest.mark.parametrize("timeout", ["1.5d", "1D", "1y"])
def test_a_timeout_nginx_refuses_is_that_error_and_nothing_else(lint_files, timeout):
    """Not "closes idle sessions after 1D": nginx never holds that value."""
    result = _ws(lint_files, timeout=timeout)
    assert [(f.rule, f.line) for f in result.findings if f.line == 12] == [("SYN004", 12)]
    assert [f.message for f in result.findings if f.rule == "SYN004"] == [
        f'"proxy_read_timeout" directive invalid value "{timeout}" (times: ms s m h d w, largest first, e.g. 1d or 1h30m)']


def test_a_body_size_nginx_refuses_is_that_error_and_nothing_else(lint_files):
    result = _ws(lint_files, body="50MB")
    assert [(f.rule, f.line) for f in result.findings if f.line == 14] == [("SYN004", 14)]


@pytest.mark.parametrize("body, fails", [("50m", False), ("50M", False), ("10M", False), ("51M", True), ("0", True), ("1g", True)])
def test_body_size_limit(lint_files, body, fails):
    expected = {("WS010", "site.conf", 14)} if fails else set()
    assert rule_lines(_ws(lint_files, body=body), "WS010") == expected


def test_standard_connection_map_passes(lint_files):
    assert rule_lines(_ws(lint_files), "WS003") == set()


def test_map_whose_upgrade_branch_yields_close_fails(lint_files):
    result = lint_files({"site.conf": WS_SITE.replace("default upgrade; '' close;", "default close; '' close;")
                         .format(connection="$connection_upgrade", timeout="1d", body="50M")})
    assert rule_lines(result, "WS003") == {("WS003", "site.conf", 8)}


def test_regex_map_branch_is_followed(lint_files):
    site = WS_SITE.replace("default upgrade; '' close;", "default close; ~*^websocket$ upgrade;")
    result = lint_files({"site.conf": site.format(connection="$connection_upgrade", timeout="1d", body="50M")})
    assert rule_lines(result, "WS003") == set()


@pytest.mark.parametrize("connection, fails", [('""', True), ("close", True), ("upgrade", False), ('"keep-alive, Upgrade"', False)])
def test_literal_connection_values(lint_files, connection, fails):
    expected = {("WS003", "site.conf", 8)} if fails else set()
    assert rule_lines(_ws(lint_files, connection=connection), "WS003") == expected


def test_map_in_another_included_file_is_followed(lint_files):
    files = {
        "nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n    include sites-enabled/*;\n}\n",
        "conf.d/ws-map.conf": "map $http_upgrade $connection_upgrade { default close; '' close; }\n",
        "sites-enabled/site": WS_SITE.split("\n", 1)[1].format(connection="$connection_upgrade", timeout="1d", body="50M"),
    }
    assert rule_lines(lint_files(files, "nginx.conf"), "WS003") == {("WS003", "sites-enabled/site", 7)}


def test_unknown_map_in_a_lone_fragment_is_not_reported(lint_files):
    site = WS_SITE.split("\n", 1)[1].format(connection="$connection_upgrade", timeout="1d", body="50M")
    assert rule_lines(lint_files({"site.conf": site}), "WS003") == set()


def test_invalid_values_only_for_the_slots_nginx_parses(lint_files):
    """SYN004 judges time, size, offset, flag, number and buffers slots (and the
    core keepalive_timeout) in the context where the directive stands, enums
    (server_tokens is one: on, off, build) and bounds checked after parsing;
    not values with a variable."""
    site = """\
server {
    listen 80;
    proxy_read_timeout $timeout;
    ssl_session_timeout 1y;
    keepalive_timeout 1D;
    proxy_buffering YES;
    client_max_body_size 2g;
    client_body_buffer_size 2g;
    server_tokens of;
    return 200 "1D";
    keepalive_requests 1k;
    proxy_buffers 8 4kb;
    gzip_comp_level 10;
    proxy_buffers $n 4k;
}
"""
    assert rule_lines(lint_files({"sites-enabled/site": site}), "SYN004") == {
        ("SYN004", "sites-enabled/site", line) for line in (5, 6, 8, 9, 11, 12, 13)}
