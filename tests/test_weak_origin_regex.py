"""SEC007's decision: how an Origin/Referer regex fails to pin down one site."""
from __future__ import annotations

import pytest

from nginxlint.checks.weak_origin_regex import (
    NOT_ANCHORED_AT_END,
    NOT_ANCHORED_AT_START,
    PLAIN_HTTP,
    UNESCAPED_DOT,
    accepts_http,
    looks_at_origin,
    weaknesses,
)
from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.findings.selection import Selection

START, END, DOT = NOT_ANCHORED_AT_START, NOT_ANCHORED_AT_END, UNESCAPED_DOT


@pytest.mark.parametrize("regex, expected", [
    ("example.com", [START, END, DOT]),
    (r"example\.com", [START, END]),
    (r"^https://app\.example\.com", [END]),
    (r"https://app\.example\.com/$", [START]),
    (r"^https://www.example\.com$", [DOT]),
    (r"^https://app\\.example\.com$", [DOT]),  # an escaped backslash, then a bare dot
    (r"^https://example\.com\$", [END]),  # an escaped $ is a character
    ("", [START, END]),
])
def test_weaknesses(regex, expected):
    assert weaknesses(regex) == expected


@pytest.mark.parametrize("regex", [
    r"^https://(www\.)?example\.com$",
    r"^https://example\.com/",
    r"^https://example\.com\/",
    r"^https://[a-z0-9-]+\.example\.com(:\d+)?$",
    r"(^https://[.a-z0-9-]+\.example\.com$)",  # dots in a class are literal
    r"^https://example\.com(/|$)",
    r"(?:^https://example\.com$)",
    r"(?i)^https://example\.com$",
    r"^https?://.*\.example\.com$",  # .* is a wildcard, not a dot before a name
])
def test_strong_regexes(regex):
    assert weaknesses(regex) == []


@pytest.mark.parametrize("regex, judged", [
    ("/admin/", False),  # a path route: where the visitor came from on this site
    (r"^/wp-admin/post\.php", False),
    (r"\.(jpg|png)$", False),
    (r"/blog/index\.php", False),  # a dotted name after the first / is a file
    ("example.com", True),
    (r"(www\.)?example\.com", True),
    (r"^https?://", True),
    (r"^https?:\/\/app", True),
    ("localhost:8080/", False),
])
def test_a_referer_regex_is_judged_only_when_it_looks_at_the_origin(regex, judged):
    assert looks_at_origin(regex) == judged


def test_every_weakness_of_one_if_is_one_finding(tmp_path):
    conf = tmp_path / "site.conf"
    conf.write_text('server {\n    listen 80;\n    if ($http_origin ~* "example.com") { return 403; }\n'
                    '    if ($http_referer ~* /admin/) { return 403; }\n}\n')
    options = CheckOptions(selection=Selection(select=("SEC007",)))
    findings = check([str(conf)], options, prepare(options)).findings
    assert [(f.line, f.message) for f in findings] == [
        (3, 'if ($http_origin ~* example.com): ' + "; ".join([START, END, DOT]))]


@pytest.mark.parametrize("regex, accepts", [
    (r"^https?://example\.com/", True),
    (r"^(http|https)://example\.com$", True),
    (r"^http[s]?://example\.com$", True),
    (r"^(?:https://a\.example\.com|http://b\.example\.com)$", True),
    (r"example\.com$", True),  # no scheme pinned: any scheme
    (r"^https://example\.com$", False),
    (r"^https:\/\/example\.com$", False),
    (r"^(https://)(www\.)?example\.com$", False),
    (r"(^https://[.a-z0-9-]+\.example\.com$)", False),
])
def test_accepts_http(regex, accepts):
    assert accepts_http(regex) is accepts


def test_origin_https_only_is_off_unless_asked_for(tmp_path):
    conf = tmp_path / "site.conf"
    conf.write_text('server {\n    listen 80;\n    if ($http_origin !~ \'^https?://example\\.com$\') { return 403; }\n'
                    '    if ($http_origin !~ \'^https://example\\.com$\') { return 403; }\n}\n')
    lines = {}
    for https_only in ("false", "true"):
        options = CheckOptions(selection=Selection(select=("SEC007",)), params={"origin_https_only": https_only})
        lines[https_only] = [(f.line, f.message) for f in check([str(conf)], options, prepare(options)).findings]
    assert lines == {"false": [], "true": [(3, "if ($http_origin !~ ^https?://example\\.com$): " + PLAIN_HTTP)]}
