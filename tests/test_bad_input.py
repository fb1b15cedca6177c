"""Bad input, end to end: the real CLI, one case per row; in this process,
except the cases in SUBPROCESS (one per exit path, and every case that
could hang or must be timed as a whole process).

The contract (README "Exit codes", design §3): every bad input gets a clear
one-line error naming file and line, a documented exit code, never a
traceback, never a hang, and never stops the other files from being linted;
nginxlint never writes to the files it reads.

Config cases run `check PATH... --format json` in a fresh tmp_path and
compare the findings *not* coming from the companion file GOOD exactly with
the expected (rule, file, line) set; every GOOD file a case builds (passed
alongside the bad input, or in a linted folder) must still show its WS001.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import run_cli, run_cli_here

TIMEOUT = 60

# Run as a user runs them, in a fresh interpreter with a timeout: a FIFO or
# a huge file could hang, and one case per exit code proves the console
# entry point (exit 0, 1, 2 and click's usage error).
SUBPROCESS = frozenset({
    "fifo-argument", "include-fifo", "dir-fifo", "50-MiB-file", "policy-is-a-fifo", "policy-dir-holds-a-fifo",
    "stdin-valid", "stdin-invalid", "nonexistent-path", "policy-invalid-yaml", "nginx-version-banana",
})

# A valid fragment with known findings: WS001 (error) on the location, line 3.
GOOD = "good.conf"
GOOD_TEXT = """\
server {
    listen 80;
    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
    }
}
"""
GOOD_FINDING = ("WS001", GOOD, 3)

# A fragment whose only finding is SYN001 on line 4 (a stray "}").
BROKEN = "server {\n    listen 80;\n}\n}\n"

# A valid fragment without any finding.
CLEAN = """\
server {
    listen 80;
    server_name example.test;
    location / {
        root /var/www;
    }
}
"""


# -- running the CLI ------------------------------------------------------------

@dataclass
class Run:
    code: int
    doc: dict | None  # the JSON document, when stdout holds one
    err: str
    seconds: float

    def findings(self) -> set[tuple[str, str, int]]:
        return {(f["rule"], f["file"], f["line"]) for f in (self.doc or {}).get("findings", [])}

    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run(args: list[str], cwd: Path, stdin: bytes | None = None, timeout: float = TIMEOUT, isolated: bool = True) -> Run:
    """Run `nginxlint check ARGS --format json`; fail on a hang or a traceback."""
    start = time.monotonic()
    command = ["check", *args, "--format", "json"]
    code, out, err = (run_cli(command, cwd, stdin or b"", timeout) if isolated else run_cli_here(command, cwd, stdin or b""))
    return Run(code, json.loads(out) if out.strip() else None, err, time.monotonic() - start)


# -- building input trees -------------------------------------------------------

@dataclass(frozen=True)
class Symlink:
    target: str


@dataclass(frozen=True)
class Fifo:
    pass


def build(root: Path, files: dict) -> None:
    """name -> str (UTF-8 text) | bytes | Symlink | Fifo, under root."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Symlink):
            os.symlink(content.target, path)
        elif isinstance(content, Fifo):
            os.mkfifo(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


# -- config cases ---------------------------------------------------------------

@dataclass
class Case:
    id: str
    files: dict
    args: list[str]
    code: int
    expect: set = field(default_factory=set)  # exact findings outside GOOD
    stdin: bytes | None = None
    error: str | None = None  # exit 2: regex of the single stderr line
    timeout: float = TIMEOUT
    slow: bool = False  # seconds of work: runs in CI, not in the quick subset


def _nested(depth: int) -> str:
    return ("server {\n    listen 80;\n" + "location / {\n" * depth
            + "    root /var/www;\n" + "}\n" * depth + "}\n")


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

CONFIG_CASES = [
    # -- file content ------------------------------------------------------------
    Case("empty-file", {"empty.conf": ""}, ["empty.conf"], 0),
    Case("comments-only", {"c.conf": "# nothing\n   # here\n#\n"}, ["c.conf"], 0),
    Case("png-bytes", {"logo.png": PNG, GOOD: GOOD_TEXT}, ["logo.png", GOOD], 1,
         {("SYN001", "logo.png", 3)}),  # the PNG signature holds two \n before the first NUL
    Case("nul-bytes", {"nul.conf": b"server {\n    listen 80;\n    \0\0\0;\n}\n", GOOD: GOOD_TEXT},
         ["nul.conf", GOOD], 1, {("SYN001", "nul.conf", 3)}),
    Case("utf16-le-bom", {"u16.conf": CLEAN.encode("utf-16"), GOOD: GOOD_TEXT}, ["u16.conf", GOOD], 1,
         {("SYN001", "u16.conf", 1)}),
    Case("utf16-be-bom", {"u16be.conf": "\ufeff".encode("utf-16-be") + CLEAN.encode("utf-16-be")},
         ["u16be.conf"], 1, {("SYN001", "u16be.conf", 1)}),
    Case("latin1-comment", {"l1.conf": CLEAN.replace("listen 80;", "listen 80;  # caf\xe9").encode("latin-1")},
         ["l1.conf"], 0, {("ENC001", "l1.conf", 2)}),  # info < warning: exit 0
    Case("crlf-valid", {"crlf.conf": CLEAN.replace("\n", "\r\n")}, ["crlf.conf"], 0),
    Case("crlf-finding-line", {"crlf.conf": GOOD_TEXT.replace("\n", "\r\n")}, ["crlf.conf"], 1,
         {("WS001", "crlf.conf", 3), ("WS002", "crlf.conf", 3), ("WS003", "crlf.conf", 3)}),
    Case("crlf-syntax-line", {"crlf.conf": "server {\r\n    listen 80;\r\n}\r\n}\r\n"}, ["crlf.conf"], 1,
         {("SYN001", "crlf.conf", 4)}),
    Case("no-final-newline", {"nonl.conf": CLEAN.rstrip("\n")}, ["nonl.conf"], 0),
    Case("bare-word-at-end-without-newline",  # crossplane's lexer drops it; nginx: unexpected end of file
         {"word.conf": CLEAN + "foo", GOOD: GOOD_TEXT}, ["word.conf", GOOD], 1, {("SYN001", "word.conf", 8)}),
    Case("utf8-bom", {"bom.conf": b"\xef\xbb\xbf" + CLEAN.encode(), GOOD: GOOD_TEXT}, ["bom.conf", GOOD], 1,
         {("SYN001", "bom.conf", 1)}),
    Case("malformed-lua-block", {"lua.conf": "server {\n    location / {\n        content_by_lua_block ;\n    }\n}\n",
                                 GOOD: GOOD_TEXT}, ["lua.conf", GOOD], 1, {("SYN001", "lua.conf", 3)}),
    # -- syntax ------------------------------------------------------------------
    Case("unterminated-quote",
         {"q.conf": 'server {\n    listen 80;\n    return 200 "hello;\n}\n', GOOD: GOOD_TEXT},
         ["q.conf", GOOD], 1, {("SYN001", "q.conf", 5)}),  # nginx names the end of the file
    Case("missing-close-brace",  # the server opened on line 1 is never closed: nginx names the end of the file
         {"open.conf": "server {\n    listen 80;\n    location / {\n        root /x;\n    }\n", GOOD: GOOD_TEXT},
         ["open.conf", GOOD], 1, {("SYN001", "open.conf", 6)}),  # at the end of the file, as nginx
    Case("extra-close-brace", {"extra.conf": "server {\n    listen 80;\n}\n}\n", GOOD: GOOD_TEXT},
         ["extra.conf", GOOD], 1, {("SYN001", "extra.conf", 4)}),
    Case("toplevel-location-in-fragment",  # sites-enabled/ is included in http {}
         {"sites-enabled/frag": "# a fragment\nlocation / {\n    root /x;\n}\n", GOOD: GOOD_TEXT},
         ["sites-enabled/frag", GOOD], 1, {("SYN002", "sites-enabled/frag", 2)}),
    # -- includes ----------------------------------------------------------------
    Case("include-missing", {"inc.conf": "server {\n    listen 80;\n    include missing.conf;\n}\n", GOOD: GOOD_TEXT},
         ["inc.conf", GOOD], 1, {("INC003", "inc.conf", 3)}),  # a fragment: a notice; a whole nginx.conf: INC001
    Case("include-self", {"self.conf": "# includes itself\ninclude self.conf;\n", GOOD: GOOD_TEXT},
         ["self.conf", GOOD], 1, {("INC002", "self.conf", 2)}),
    Case("include-cycle-via-glob",
         {"etc/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
          "etc/conf.d/a.conf": "# pulls in the whole folder, itself included\ninclude conf.d/*.conf;\n",
          GOOD: GOOD_TEXT},
         ["etc/nginx.conf", GOOD], 1, {("INC002", "etc/conf.d/a.conf", 2)}),
    Case("include-two-file-cycle",
         {"a.conf": "include b.conf;\n", "b.conf": "\ninclude a.conf;\n"}, ["a.conf"], 1,
         {("INC002", "b.conf", 2)}),
    Case("include-directory", {"d.conf": "server {\n    listen 80;\n    include snippets;\n}\n",
                               "snippets/x.conf": "gzip on;\n", GOOD: GOOD_TEXT},
         ["d.conf", GOOD], 1, {("INC001", "d.conf", 3)}),
    Case("include-fifo", {"p.conf": "server {\n    listen 80;\n    include pipe;\n}\n", "pipe": Fifo(), GOOD: GOOD_TEXT},
         ["p.conf", GOOD], 1, {("INC001", "p.conf", 3)}),
    Case("include-glob-matches-nothing", {"g.conf": "server {\n    listen 80;\n    include nothing/*.conf;\n}\n"},
         ["g.conf"], 0),
    Case("include-quoted-path-with-space",
         {"s.conf": 'server {\n    listen 80;\n    include "my snippets/ws site.conf";\n}\n',
          "my snippets/ws site.conf": "location /ws/ {\n    proxy_pass http://127.0.0.1:8000;\n}\n"},
         ["s.conf"], 1, {(r, "my snippets/ws site.conf", 1) for r in
                         ("WS001", "WS002", "WS003")}),
    # -- a directory argument with unreadable members -------------------------------
    Case("dir-symlink-loop", {"sites/loop": Symlink("loop"), f"sites/{GOOD}": GOOD_TEXT}, ["sites"], 1,
         {("INC001", "sites/loop", 1)}),
    Case("dir-dangling-symlink", {"sites/gone": Symlink("nowhere.conf"), f"sites/{GOOD}": GOOD_TEXT}, ["sites"], 1,
         {("INC001", "sites/gone", 1)}),
    Case("dir-fifo", {"sites/fifo": Fifo(), f"sites/{GOOD}": GOOD_TEXT}, ["sites"], 1,
         {("INC001", "sites/fifo", 1)}),
    # -- names and stdin -------------------------------------------------------------
    Case("path-with-spaces", {"my sites/a site.conf": BROKEN, GOOD: GOOD_TEXT}, ["my sites/a site.conf", GOOD], 1,
         {("SYN001", "my sites/a site.conf", 4)}),
    Case("non-ascii-name", {"café ☕ сайт.conf": BROKEN, GOOD: GOOD_TEXT}, ["café ☕ сайт.conf", GOOD], 1,
         {("SYN001", "café ☕ сайт.conf", 4)}),
    Case("dir-with-non-ascii-members", {"sites/é b.conf": BROKEN, f"sites/{GOOD}": GOOD_TEXT}, ["sites"], 1,
         {("SYN001", "sites/é b.conf", 4)}),
    Case("stdin-valid", {}, ["-"], 0, stdin=CLEAN.encode()),
    Case("stdin-invalid", {GOOD: GOOD_TEXT}, ["-", GOOD], 1, {("SYN001", "<stdin>", 4)},
         stdin=b"server {\n    listen 80;\n}\n}\n"),  # the extra "}" is on line 4
    # -- command-line paths ------------------------------------------------------------
    Case("nonexistent-path", {}, ["no/such.conf"], 2, error=r"nginxlint: error: no/such\.conf: no such file or directory"),
    Case("nonexistent-path-next-to-good", {GOOD: GOOD_TEXT}, ["missing.conf", GOOD], 2,
         error=r"nginxlint: error: missing\.conf: no such file or directory"),
    Case("symlink-loop-argument", {"loop": Symlink("loop"), GOOD: GOOD_TEXT}, ["loop", GOOD], 2,
         error=r"nginxlint: error: loop: symlink loop"),
    Case("dangling-symlink-argument", {"gone.conf": Symlink("nowhere.conf"), GOOD: GOOD_TEXT}, ["gone.conf", GOOD], 2,
         error=r"nginxlint: error: gone\.conf: dangling symlink"),
    Case("fifo-argument", {"pipe.conf": Fifo(), GOOD: GOOD_TEXT}, ["pipe.conf", GOOD], 2,
         error=r"nginxlint: error: pipe\.conf: .*FIFO.*", timeout=20),
    # -- depth -----------------------------------------------------------------------
    Case("5000-nested-locations",  # no RecursionError, no hang; nginx accepts nested prefix locations
         {"deep.conf": _nested(5000), GOOD: GOOD_TEXT}, ["deep.conf", GOOD], 1),
    Case("10000-nested-locations",  # twice the depth above: still no RecursionError, no hang
         {"deep.conf": _nested(10_000), GOOD: GOOD_TEXT}, ["deep.conf", GOOD], 1),
    # -- size ------------------------------------------------------------------------
    Case("200000-line-file",  # a valid server, 199,997 one-line locations
         {"long.conf": "server {\n    listen 80;\n" + "".join(f"    location = /p{i:06d} {{ return 204; }}\n"
                                                            for i in range(199_997)) + "}\n", GOOD: GOOD_TEXT},
         ["long.conf", GOOD], 1, slow=True),
    Case("50-MiB-file",  # valid directives, refused by size: INC001 "cannot read big.conf: is 50.0 MiB; ..."
         {"big.conf": b"map $uri $v { default 0; }\n" * (50 * 2**20 // 27) + b"#" * (50 * 2**20 % 27), GOOD: GOOD_TEXT},
         ["big.conf", GOOD], 1, {("INC001", "big.conf", 1)}, timeout=10),
    Case("include-chain-600-deep",  # nginx follows it (one open fd per level); the last file must be linted
         {**{f"c{i:03}.conf": f"include c{i + 1:03}.conf;\n" for i in range(600)}, "c600.conf": BROKEN},
         ["c000.conf"], 1, {("SYN001", "c600.conf", 4)}),
]


def _param(case):
    """A Case or OptCase as a pytest param named by its id."""
    return pytest.param(case, id=case.id, marks=[pytest.mark.slow] if getattr(case, "slow", False) else [])


def _not_good(found: set) -> set:
    """Findings of files named GOOD are checked separately; the rest must match exactly."""
    return {f for f in found if Path(f[1]).name != GOOD}


@pytest.mark.parametrize("case", [_param(c) for c in CONFIG_CASES])
def test_config_input(case: Case, tmp_path: Path):
    build(tmp_path, case.files)
    result = run(case.args, tmp_path, stdin=case.stdin, timeout=case.timeout, isolated=case.id in SUBPROCESS)
    assert result.code == case.code, (result.code, result.err, result.doc)
    assert result.doc is not None, "exit 0/1/2 on config input must still print the JSON report"
    found = result.findings()
    assert _not_good(found) == case.expect, json.dumps(result.doc["findings"], indent=1)
    for name in case.files:  # every good file, passed or in a linted folder, is still linted
        if Path(name).name == GOOD:
            assert ("WS001", name, 3) in found, f"{name}, passed alongside the bad input, was not linted"
    if case.error:
        lines = result.error_lines()
        assert len(lines) == 1 and re.fullmatch(case.error, lines[0]), result.err
    else:
        assert result.err == "", result.err


# -- a path that does not exist or cannot be read ---------------------------------

def test_non_utf8_file_name(tmp_path: Path):
    build(tmp_path, {os.path.join("sites", os.fsdecode(b"caf\xe9.conf")): BROKEN, f"sites/{GOOD}": GOOD_TEXT})
    result = run(["sites"], tmp_path)  # run() fails unless stdout is valid UTF-8 JSON
    assert result.code == 1
    bad = {f for f in _not_good(result.findings()) if f[0] == "SYN001" and f[2] == 4}
    assert len(bad) == 1 and next(iter(bad))[1].startswith("sites/caf"), result.findings()
    assert ("WS001", f"sites/{GOOD}", 3) in result.findings()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path: Path):
    build(tmp_path, {"secret.conf": CLEAN, GOOD: GOOD_TEXT})
    (tmp_path / "secret.conf").chmod(0)
    try:
        result = run(["secret.conf", GOOD], tmp_path)
    finally:
        (tmp_path / "secret.conf").chmod(0o644)
    assert result.code == 2
    assert result.error_lines() == ["nginxlint: error: secret.conf: permission denied"]
    assert GOOD_FINDING in result.findings()


# -- options and policies -----------------------------------------------------------

POLICY_HEAD = """\
pack: site
rules:
  - id: SITE001
    name: voice-body-size
"""
POLICY_RULE_TAIL = """\
    summary: Bodies of at most 10M.
    message: "{location} allows {actual}"
    select:
      kind: location
      path: '^/voice$'
    assert:
      directive: client_max_body_size
      lte: 10M
"""
VALID_POLICY = POLICY_HEAD + "    severity: error\n" + POLICY_RULE_TAIL

BOMB = "pack: bomb\n" + 'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)) + "rules: []\n"


@dataclass
class OptCase:
    id: str
    args: list[str]  # options; "policy.yaml" is written from `policy`
    policy: str | None
    where: str | None  # regex the single stderr line must hold (file:line), None for click usage errors
    max_seconds: float = TIMEOUT
    files: dict = field(default_factory=dict)  # more files to build (e.g. a FIFO as policy)


OPTION_CASES = [
    OptCase("valid-policy-baseline", ["--policy", "policy.yaml"], VALID_POLICY, None),
    OptCase("policy-invalid-yaml", ["--policy", "policy.yaml"],
            POLICY_HEAD.replace("name: voice-body-size", "name: voice: body") + "    severity: error\n" + POLICY_RULE_TAIL,
            r"policy\.yaml:4\b"),
    OptCase("policy-severity-fatal", ["--policy", "policy.yaml"], POLICY_HEAD + "    severity: fatal\n" + POLICY_RULE_TAIL,
            r"policy\.yaml:5\b.*severity"),
    OptCase("policy-name-not-a-string", ["--policy", "policy.yaml"],
            VALID_POLICY.replace("name: voice-body-size", "name: [voice, body]"), r"policy\.yaml:4\b.*name"),
    OptCase("policy-unknown-operator", ["--policy", "policy.yaml"],
            VALID_POLICY.replace("      lte: 10M", "      at_most: 10M"), r"policy\.yaml:13\b.*at_most"),
    OptCase("policy-unknown-operator-beside-valid", ["--policy", "policy.yaml"],
            VALID_POLICY + "      at_most: 10M\n", r"policy\.yaml:14\b.*at_most"),
    OptCase("policy-invalid-regex", ["--policy", "policy.yaml"],
            VALID_POLICY.replace("path: '^/voice$'", "path: '^/voice($'"), r"policy\.yaml:10\b.*regular expression"),
    OptCase("policy-duplicate-rule-id", ["--policy", "policy.yaml"],
            VALID_POLICY + VALID_POLICY.split("rules:\n", 1)[1], r"policy\.yaml:14\b.*SITE001"),
    OptCase("policy-duplicates-builtin-id", ["--policy", "policy.yaml"],
            VALID_POLICY.replace("SITE001", "WS001"), r"policy\.yaml:3\b.*WS001"),
    OptCase("policy-alias-bomb", ["--policy", "policy.yaml"], BOMB, r"policy\.yaml:\d+\b.*alias", max_seconds=5),
    OptCase("policy-alias-line", ["--policy", "policy.yaml"],  # anchor on line 4, first alias on line 7
            "pack: p\nselectors:\n  ws:\n    &loc {kind: location}\n  other:\n    kind: location\n"
            "  again: *loc\nrules: []\n", r"policy\.yaml:7\b.*alias"),
    OptCase("policy-deeply-nested", ["--policy", "policy.yaml"], "pack: p\nrules: " + "[" * 5000 + "]" * 5000 + "\n",
            r"policy\.yaml\b.*nest"),
    OptCase("policy-is-a-fifo", ["--policy", "fifo.yaml"], None, r"fifo\.yaml\b", max_seconds=5,
            files={"fifo.yaml": Fifo()}),
    OptCase("policy-dir-holds-a-fifo", ["--policy", "pol"], None, r"pol/fifo\.yaml\b", max_seconds=5,
            files={"pol/fifo.yaml": Fifo(), "pol/ok.yaml": "pack: ok\nrules: []\n"}),
    OptCase("policy-not-found", ["--policy", "nope.yaml"], None, r"nope\.yaml\b.*not found"),
    OptCase("param-unknown-name", ["--param", "no_such_param=1"], None, r"--param\b.*no_such_param"),
    OptCase("param-bad-value", ["--param", "websocket_min_timeout=abc"], None, r"--param\b.*websocket_min_timeout"),
    OptCase("param-bad-value-in-policy-default", ["--policy", "policy.yaml"],
            "pack: p\nparams:\n  limit:\n    type: size\n    default: huge\nrules: []\n", r"policy\.yaml:5\b.*limit"),
    OptCase("param-without-equals", ["--param", "websocket_min_timeout"], None, None),
    OptCase("nginx-version-banana", ["--nginx-version", "banana"], None, None),
    OptCase("fail-on-bogus", ["--fail-on", "fatal"], None, None),
]


@pytest.mark.parametrize("case", [_param(c) for c in OPTION_CASES])
def test_option_input(case: OptCase, tmp_path: Path):
    build(tmp_path, {GOOD: GOOD_TEXT, **case.files})
    if case.policy is not None:
        build(tmp_path, {"policy.yaml": case.policy})
    result = run([GOOD, *case.args], tmp_path, timeout=min(case.max_seconds * 2, TIMEOUT), isolated=case.id in SUBPROCESS)
    assert result.seconds < case.max_seconds, f"took {result.seconds:.1f}s"
    if case.id == "valid-policy-baseline":
        assert result.code == 1 and GOOD_FINDING in result.findings(), result.err
        return
    assert result.code == 2, (result.err, result.doc)
    if case.where is None:  # click's usage error: names the option
        assert "Error: Invalid value" in result.err and case.args[0] in result.err, result.err
        return
    lines = result.error_lines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("nginxlint: error: "), lines[0]
    assert re.search(case.where, lines[0]), lines[0]
    assert result.doc is None, "a bad policy must stop before any config is read"


# -- nginxlint never writes ------------------------------------------------------------

def test_never_writes(tmp_path: Path):
    tree = {
        "etc/nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n    include sites/*;\n}\n",
        "etc/conf.d/a.conf": "include conf.d/*.conf;\n",
        "etc/sites/good.conf": GOOD_TEXT,
        "etc/sites/crlf.conf": CLEAN.replace("\n", "\r\n"),
        "etc/sites/latin1.conf": "# caf\xe9\n".encode("latin-1"),
        "etc/sites/broken.conf": "server {\n",
        "etc/sites/png": PNG,
        "etc/sites/dangling": Symlink("nowhere"),
        "sites/empty.conf": "",
        "sites/u16.conf": CLEAN.encode("utf-16"),
        "sites/fifo": Fifo(),
        "sites/loop": Symlink("loop"),
        "sites/good.conf": GOOD_TEXT,
    }
    build(tmp_path, tree)
    os.utime(tmp_path / "sites/good.conf", ns=(1_000_000_000, 1_000_000_000))  # an old, exact mtime

    def snapshot() -> dict:
        state = {}
        for dirpath, dirnames, filenames in os.walk(tmp_path):
            for name in dirnames + filenames:
                path = Path(dirpath, name)
                info = path.lstat()
                data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
                state[str(path.relative_to(tmp_path))] = (info.st_mode, info.st_mtime_ns, info.st_size, data)
        return state

    before = snapshot()
    result = run(["etc/nginx.conf", "sites", "etc/sites/good.conf", "-"], tmp_path, stdin=b"server {\n")
    assert result.code == 1
    assert snapshot() == before


def test_every_subprocess_case_exists():
    assert SUBPROCESS.issubset(case.id for case in CONFIG_CASES + OPTION_CASES)
