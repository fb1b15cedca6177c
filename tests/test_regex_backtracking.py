"""SEC016's decision: a repeated group holding an unbounded repeat."""
from __future__ import annotations

import re
import time

import pytest

from nginxlint.checks.regex_backtracking import has_nested_repeat

NESTED = [
    r"(a+)+",
    r"^(\w+\s?)*$",
    r"(.*a){2,}",
    r"(.*a){1,}x",
    r"^/(\w+/?)+\.json$",
    r"^/tags/([a-z]+-?)*$",
    r"^/ids/(\d{1,}\.)+$",
    r"^/slugs/((\w)+-?)+$",
    r"((a|(b))+)+",  # three levels deep
    r"(((a*)))+",
    r"(?:a+)+",
    r"(?<name>\w+,?)*",
    r"(a+?)+",  # lazy repeats backtrack just the same
]
SAFE = [
    r"^/[\w/]+\.json$",
    r"^/users/(\w+)/(\d+)$",
    r"^/(ab)+$",
    r"^/hex/([0-9a-f]{2})+$",
    r"^/plus/(a[+]b)+$",  # a + in a class is a character
    r"^/pairs/(ab{2,3})+$",  # bounded inside
    r"(\+a)+",  # an escaped +
    r"(a+)?",  # the group is not repeated without bound
    r"(a+){2}",
    r"(a+)(b+)",
    r"(*UTF8)(ab)+",  # a PCRE verb, not a repeat
    r"[(a+)+]",  # all one class
    r"(a|b)*",  # overlapping alternatives are out of reach (documented)
    r"(",
    r")+",
    "",
]


@pytest.mark.parametrize("regex", NESTED)
def test_nested_repeats_are_found(regex):
    assert has_nested_repeat(regex)


@pytest.mark.parametrize("regex", SAFE)
def test_single_repeats_pass(regex):
    assert not has_nested_repeat(regex)


def test_what_it_finds_does_backtrack():
    """The reason for the rule, measured: a found pattern slows down on a near miss; its rewrite does not."""
    def seconds(pattern: str, text: str) -> float:
        """The fastest of five runs: a busy machine only ever adds time."""
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            re.match(pattern, text)
            runs.append(time.perf_counter() - start)
        return min(runs)
    assert has_nested_repeat(r"^(\w+\s?)*$") and not has_nested_repeat(r"^[\w\s]*$")
    assert seconds(r"^(\w+\s?)*$", "a" * 18 + "!") > 20 * seconds(r"^[\w\s]*$", "a" * 18 + "!")
