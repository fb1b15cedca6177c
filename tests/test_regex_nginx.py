"""Real nginx decides: every pattern below is accepted by routing.pcre
(SYN007 silent) exactly when `nginx -t` accepts it as a location regex, and
a refusal reads as nginx's own line, message and all.

The list mixes PCRE2 syntax Python's re lacks (nginx accepts it), syntax
both refuse, and patterns where the two dialects disagree. nginx stops at
its first error, so each pattern gets its own config; the runs go in
parallel. Without nginx the tests skip locally; under CI they fail.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from nginxlint.routing.pcre import compile_error

from .conftest import require_tool
from .test_variables_nginx import _nginx_verdict as nginx_verdict  # nginx -t's first error, or None

pytestmark = pytest.mark.nginx

PATTERNS = [
    # PCRE2-only or read differently by Python's re: valid in nginx
    r"\Q.a\E", r"\x{41}", r"^/h\h+x", r"[[:^digit:]]", r"(?x) ^/a / b", r"^/k/\Kz", r"(?|(a)|(b))", r"\p{L}",
    r"(?<n>a)\k<n>", r"(?'n'a)\g{n}", r"a*+b", r"(?>a+)b", r"\N", r"\R", r"(?i)ABC", r"a{,3}", r"\z", r"\Z", r"\G",
    r"(?#comment)a", r"(?P<n>a)(?P=n)", r"[\w-]", r"\cA", r"\o{101}", r"(*ANY)a", r"(?<=a|bc)x", r"[]a]", r"[^]]",
    r"^/ws(/|$)", r"\.php$", r"a{2,}?",
    r"^/i/([^/\\\]+)$",  # nginx reads \\ as one backslash first: the class is [^/\\], valid (a corpus file)
    # refused by PCRE2 (nginx -t fails)
    r"^/ws(", r"/ws/[", r"(", r")", r"a)b", r"[z-a]", r"a{3,2}", r"*a", r"a**", r"\8", r"(?<n>a)(?<n>b)", r"(?",
    r"(?<=a+)b", r"\p{Nope}", r"(?P<1a>x)", r"[[:nope:]]", r"\x{110000}", r"\c", r"(?z)",
]


@pytest.fixture(scope="module")
def nginx():
    return require_tool("nginx", "regex verdicts cannot be compared with nginx's", "/usr/sbin/nginx")


def _nginx_verdict(nginx: str, tmp_path, index: int, pattern: str) -> str | None:
    """None when nginx -t accepts `location ~ "pattern"`, else its error text."""
    work = tmp_path / f"p{index}"
    work.mkdir()
    conf = work / "nginx.conf"
    conf.write_text(f'pid {work}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n    access_log off;\n'
                    f'    server {{\n        location ~ "{pattern}" {{ return 200; }}\n    }}\n}}\n')
    return nginx_verdict(nginx, conf)


# PCRE2 reworded one message after 10.42 (Debian 12's): same verdict, other words.
REWORDED = {"lookbehind assertion is not fixed length": "length of lookbehind assertion is not limited"}


def test_regex_verdicts_agree_with_nginx(nginx, tmp_path):
    with ThreadPoolExecutor(8) as pool:
        verdicts = list(pool.map(lambda item: _nginx_verdict(nginx, tmp_path, *item), enumerate(PATTERNS)))
    disagreements = []
    for pattern, nginx_said in zip(PATTERNS, verdicts):
        error = compile_error(pattern)
        ours = None if error is None else error.nginx_text(pattern)
        theirs = None if nginx_said is None else nginx_said.split(f' in "{pattern}"')[0] + f' in "{pattern}"'
        for old, new in REWORDED.items():
            theirs = theirs and theirs.replace(old, new)
        if ours != theirs:
            disagreements.append(f"{pattern!r}: nginx {nginx_said!r}, nginxlint {ours!r}")
    assert not disagreements, "\n".join(disagreements)
    assert sum(v is None for v in verdicts) >= 30 and sum(v is not None for v in verdicts) >= 15
