"""Edits an independent review found to make an incremental run (policy/units.py)
differ from a run from scratch, each kept as a case: the edit changes what is
reported, and the incremental run reports what the run from scratch does.

- a log_format moved below the sites that use it (order at http level);
- two includes of servers with the same summary swapped (which one is first);
- an include cycle in one server (the tree is no longer complete);
- two trees on one command line (variables of one do not count in the other);
- a `serves:` rule routing to a server left out of the linted part;
- a `contains:` condition judged at http level (hardening's SEC004).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, lint_paths, prepare
from nginxlint.policy.engine import Memo
from nginxlint.reading.parse_cache import ParseCache
from nginxlint.reading.probe import Probe

SERVES_POLICY = """\
pack: review
rules:
  - id: REV001
    name: b-api-body
    severity: error
    summary: b's API takes 2m bodies.
    message: "{location} on {server} has client_max_body_size {actual}"
    select: {serves: {host: b.example, uri: /api/x}}
    assert: {directive: client_max_body_size, eq: "2m"}
"""


def _site(name: str, body: str, listen: str = "80") -> str:
    return f"server {{\n    listen {listen};\n    server_name {name}.example;\n{body}}}\n"


def _edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(tree: Path) -> None:
        text = (tree / path).read_text()
        assert old in text
        (tree / path).write_text(text.replace(old, new, 1))
    return edit


CASES = {
    "log_format moved below the sites that use it": (
        {"nginx.conf": "events {}\nhttp {\n    log_format main '$remote_addr $request';\n    include sites/*.conf;\n}\n",
         "sites/a.conf": _site("a", "    access_log /var/log/nginx/a.log main;\n    location / { return 200 a; }\n"),
         "sites/b.conf": _site("b", "    location / { return 200 b; }\n")},
        _edit("nginx.conf", "    log_format main '$remote_addr $request';\n    include sites/*.conf;\n",
              "    include sites/*.conf;\n    log_format main '$remote_addr $request';\n"), ("nginx.conf",), {}),
    "two servers of one name swap places": (
        {"nginx.conf": "events {}\nhttp {\n    include sites/a.conf;\n    include sites/b.conf;\n}\n",
         "sites/a.conf": _site("dup", "    location / { return 200 a; }\n"),
         "sites/b.conf": _site("dup", "    location / { return 200 b; }\n")},
        _edit("nginx.conf", "    include sites/a.conf;\n    include sites/b.conf;\n",
              "    include sites/b.conf;\n    include sites/a.conf;\n"), ("nginx.conf",), {}),
    "an include cycle in one server": (
        {"nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
         "sites/a.conf": _site("a", '    location / { return 200 "$no_such_variable"; }\n'),
         "sites/b.conf": _site("b", "    location / { return 200 b; }\n"),
         "snippets/loop.conf": "include snippets/loop.conf;\n"},
        _edit("sites/b.conf", "return 200 b;", "include snippets/loop.conf; return 200 b;"), ("nginx.conf",), {}),
    "two trees on one command line": (
        {"x/nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
         "x/sites/a.conf": _site("a", '    location / { return 200 "$foo"; }\n'),
         "y/nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
         "y/sites/y.conf": _site("y", "    location / { set $foo 1; return 200 $foo; }\n")},
        _edit("x/sites/a.conf", "return 200", "return 201"), ("x/nginx.conf", "y/nginx.conf"), {}),
    "a serves: rule routes to a server left out": (
        {"nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
         "sites/a.conf": _site("a", "    location /api/ { return 200 a; }\n", "80 default_server"),
         "sites/b.conf": _site("b", "    location /api/ { client_max_body_size 2m; return 200 b; }\n"),
         "policy.yaml": SERVES_POLICY},
        _edit("sites/a.conf", "return 200 a;", "return 200 aa;"), ("nginx.conf",), {"policies": ["policy.yaml"]}),
    "a contains: condition judged at http level": (
        {"nginx.conf": "proxy_set_header Host $http_host;\ninclude sites/*.conf;\n",  # a fragment: http level
         "sites/a.conf": _site("a", "    location / { proxy_pass http://127.0.0.1:8001; }\n"),
         "sites/b.conf": _site("b", "    location / { return 200 b; }\n")},
        _edit("sites/b.conf", "return 200 b;", "return 200 bb;"), ("nginx.conf",), {"packs": ["hardening"]}),
}


def _findings(tree: Path, paths: tuple[str, ...], settings: dict, memo: Memo | None):
    options = CheckOptions(parse_cache=ParseCache(tree.parent / "cache"),
                           **{k: [str(tree / p) for p in v] if k == "policies" else v for k, v in settings.items()})
    return lint_paths([str(tree / p) for p in paths], options, prepare(options), Probe(options.parse_cache), memo)[1].findings


@pytest.mark.parametrize("case", CASES)
def test_an_edit_the_review_found_gives_the_output_of_a_run_from_scratch(tmp_path: Path, case: str) -> None:
    files, edit, paths, settings = CASES[case]
    tree = tmp_path / "etc"
    for path, text in files.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text)
    memo = Memo(None)
    before = _findings(tree, paths, settings, memo)
    edit(tree)
    memo = Memo(memo.kept)
    after = _findings(tree, paths, settings, memo)
    assert after == _findings(tree, paths, settings, None)
    # The case tests something: the edit changes what is reported, or
    # verdicts were reused (each case failed before its fix).
    assert after != before or memo.reused > 0
