"""SYN009 and SYN011 judge only what a whole configuration shows: not a
fragment, not a config with an include nginxlint could not read, not a file
holding only `http { }` (often included from an nginx.conf with events)."""
from __future__ import annotations

from nginxlint.findings.selection import Selection

from .conftest import rule_lines

WHOLE_RULES = Selection(("SYN009", "SYN011"))


def test_a_whole_config_is_judged(lint_files):
    conf = "http {\n    server {\n        listen 443 ssl;\n    }\n}\n"
    assert rule_lines(lint_files({"nginx.conf": conf}, selection=WHOLE_RULES)) == {
        ("SYN011", "nginx.conf", 1), ("SYN009", "nginx.conf", 2)}


def test_a_fragment_is_not(lint_files):
    site = "server {\n    listen 443 ssl;\n}\n"
    assert not lint_files({"sites-enabled/site": site}, selection=WHOLE_RULES).findings


def test_an_http_only_file_may_be_included_where_events_is(lint_files):
    assert not lint_files({"http.conf": "http {\n    server {\n        listen 80;\n    }\n}\n"}, selection=WHOLE_RULES).findings


def test_a_missing_include_could_hold_the_certificate(lint_files):
    conf = "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        include tls/site.conf;\n    }\n}\n"
    assert not lint_files({"nginx.conf": conf}, selection=WHOLE_RULES).findings
