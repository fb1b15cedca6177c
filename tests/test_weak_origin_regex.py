"""SEC007's decision: how an Origin/Referer regex fails to pin down one site."""
from __future__ import annotations

import pytest

from nginxlint.checks.weak_origin_regex import NOT_ANCHORED_AT_END, NOT_ANCHORED_AT_START, UNESCAPED_DOT, weaknesses

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
