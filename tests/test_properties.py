"""Property tests (hypothesis): nginxlint never crashes on plausible input,
its value parsers agree with nginx's grammars (semantics §3.3, §3.4), and
its findings depend neither on the order of the files in a folder nor on
comments and blank lines.

Every test is derandomized and keeps no example database, so CI runs the
same examples every time; the module runs in well under 40 s.
"""
from __future__ import annotations

import contextlib
import json
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.findings.records import LintResult
from nginxlint.semantics.values import parse_size, parse_time

from .conftest import REPO, run_cli


def fixed(max_examples: int) -> settings:
    """Reproducible settings: same examples on every run, no deadline (a
    lint takes tens of milliseconds, a CLI run a few hundred)."""
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


OPTIONS = CheckOptions(packs=["websocket-streaming"])  # every WebSocket rule, the opt-in pack too
POLICIES = prepare(OPTIONS)


def lint(paths: list[str]) -> LintResult:
    return check(paths, OPTIONS, POLICIES)


# == 1. generated configs never crash the linter ===================================

VARS = ["$host", "$http_upgrade", "$connection_upgrade", "$remote_addr", "$scheme", "$request_uri",
        "$1", "${host}", "${http_upgrade}x", "$proxy_add_x_forwarded_for", "$server_port", "$unknown_var"]
WORDS = ["on", "off", "ON", "1.1", "1.0", "80", "443", "ssl", "http2", "default_server", "127.0.0.1:8000",
         "[::]:80", "http://voice_backend", "http://127.0.0.1:8000/", "https://$host$request_uri", "unix:/tmp/s",
         "/var/www", "/etc/letsencrypt/live/x/fullchain.pem", "Upgrade", "Connection", "upgrade", "close",
         "X-Forwarded-For", "always", "all", "off;", "a#b", "é", "ⓤ", "\\.php$", "^/api/(\\d+)$",
         "GET", "=404", "@fallback", "text/html", "*.example.com", "~^(?<sub>.+)\\.x$", "''", "\"\""]
TIMES = ["60", "60s", "1h30m", "1d", "86400", "500ms", "1h 30m", "30m1h", "1h1h", "1.5s", "-1", "1H", "1y", "1M",
         "90x", "٣٠s", "1ms5", "0"]
SIZES = ["1m", "50M", "10k", "0", "2g", "10mb", "1.5m", "-1", "K", "１０m"]
DIRECTIVES = [
    "listen", "server_name", "proxy_pass", "proxy_http_version", "proxy_set_header", "proxy_read_timeout",
    "proxy_send_timeout", "proxy_connect_timeout", "keepalive_timeout", "ssl_session_timeout",
    "client_max_body_size", "proxy_buffer_size", "proxy_buffering", "proxy_request_buffering", "add_header",
    "return", "rewrite", "set", "root", "alias", "try_files", "error_page", "access_log", "error_log",
    "gzip", "ssl_certificate", "ssl_protocols", "proxy_hide_header", "deny", "allow", "expires",
    "include", "keepalive", "server", "default", "hostnames", "worker_processes", "content_by_lua_block",
    "no_such_directive", "location", "if",
]
# Relative includes only: an absolute one would read this machine's /etc.
INCLUDES = ["missing.conf", "snippets/*.conf", "gen.conf", "*", "nothing/*.conf", "sites-enabled/*", "'my dir/x.conf'"]


def _quoted(draw) -> str:
    quote = draw(st.sampled_from(['"', "'"]))
    pieces = list("ab $/{};#\\ \t\n") + [quote, "\\" + quote, "$host", "é"]
    body = "".join(draw(st.lists(st.sampled_from(pieces), max_size=12)))
    closed = draw(st.integers(0, 9)) > 0  # now and then an unterminated quote
    return quote + body + (quote if closed else "")


@st.composite
def argument(draw) -> str:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.sampled_from(VARS))
    if kind == 1:
        return draw(st.sampled_from(TIMES))
    if kind == 2:
        return draw(st.sampled_from(SIZES))
    if kind == 3:
        return _quoted(draw)
    if kind == 4:
        return draw(st.text(alphabet=st.sampled_from(list("abcxyz/._-~*^$()?+|0123456789")), min_size=1, max_size=10))
    return draw(st.sampled_from(WORDS))


def _directive(draw, names=DIRECTIVES) -> str:
    name = draw(st.sampled_from(names))
    if name == "include":
        args = [draw(st.sampled_from(INCLUDES))]
    else:
        args = draw(st.lists(argument(), max_size=4))
    return " ".join([name, *args])


LOCATION_HEADS = ["location /", "location /ws/", "location = /exact", "location ~ \\.php$", "location ~* ^/API/",
                  "location ^~ /static/", "location @named", 'location ~ "^/a{2}$"', "location", "location /a /b"]
IF_HEADS = ['if ($http_upgrade = "websocket")', "if (-f $request_filename)", "if ($x ~* ^foo(.*)$)",
            "if ($host)", "if ( $a != b )", "if ($http_upgrade"]
OTHER_HEADS = ["map $http_upgrade $connection_upgrade", "map $host $site", "upstream voice_backend",
               "upstream", "limit_except GET", "types", "events", "stream", "unknown_block x", "server", "http"]
MAP_ENTRIES = ["default upgrade", "'' close", "~^/a 1", "~*\\.png$ img", "hostnames", "*.example.com x",
               "include maps/*.conf", "volatile", "websocket upgrade"]


@st.composite
def block_items(draw, depth: int) -> list[str]:
    """The lines of a block's body: directives, nested blocks, comments,
    blank lines, and now and then a missing `;` or a stray brace."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 5 if depth < 3 else 2))):
        choice = draw(st.integers(0, 9))
        if choice <= 4 or depth >= 4:
            lines.append(_directive(draw) + draw(st.sampled_from([";"] * 12 + ["", " ;", ";;", " # trailing;"])))
        elif choice == 5:
            lines.append("# " + draw(st.text(alphabet=st.sampled_from(list("abc {};\"'$#")), max_size=15)))
        elif choice == 6:
            lines.append(draw(st.sampled_from(["", "   ", "\t", "}", "{", ";", "\r"])))
        else:
            head = draw(st.sampled_from(LOCATION_HEADS + IF_HEADS + OTHER_HEADS))
            if head.startswith("map"):
                body = [e + ";" for e in draw(st.lists(st.sampled_from(MAP_ENTRIES), max_size=4))]
            else:
                body = draw(block_items(depth + 1))
            close = draw(st.sampled_from(["}"] * 15 + ["", "}}"]))
            open_ = draw(st.sampled_from([" {"] * 15 + [" ", "{"]))
            lines += [head + open_, *("    " + line for line in body), close]
    return lines


# A well-formed mode, context by context, so that the policy rules really run.
SERVER_DIRECTIVES = {
    "listen": st.sampled_from(["80", "443 ssl", "443 ssl http2", "[::]:80", "127.0.0.1:8080 default_server"]),
    "server_name": st.sampled_from(["example.test", "a.test b.test", "*.example.test", '""', "_", "~^(?<s>.+)\\.x$"]),
    "ssl_certificate": st.just("/etc/ssl/x.pem"),
    "proxy_set_header": st.sampled_from(["Host $host", "X-Forwarded-For $proxy_add_x_forwarded_for",
                                         "X-Forwarded-Proto $scheme", "X-Forwarded-Host $host",
                                         "X-Forwarded-Port $server_port", "X-Forwarded-Ssl on"]),
    "add_header": st.sampled_from(["X-Frame-Options DENY", 'Strict-Transport-Security "max-age=63072000" always']),
    "client_max_body_size": st.sampled_from(SIZES),
    "keepalive_timeout": st.sampled_from(TIMES),
    "ssl_session_timeout": st.sampled_from(TIMES),
    "proxy_http_version": st.sampled_from(["1.1", "1.0", "2"]),
    "return": st.sampled_from(["301 https://$host$request_uri", "204", '200 "ok"']),
}
LOCATION_DIRECTIVES = {
    "proxy_pass": st.sampled_from(["http://voice_backend", "http://127.0.0.1:8000", "http://127.0.0.1:8000/",
                                   "http://$backend", "https://up"]),
    "proxy_http_version": st.sampled_from(["1.1", "1.0"]),
    "proxy_set_header": st.sampled_from(["Upgrade $http_upgrade", "Connection $connection_upgrade",
                                         'Connection "upgrade"', "Connection upgrade", "Connection ''",
                                         "Host $host", "X-Forwarded-Host $host", "X-Forwarded-Port $server_port",
                                         "X-Forwarded-Ssl on", "X-Real-IP $remote_addr"]),
    "proxy_read_timeout": st.sampled_from(TIMES),
    "proxy_send_timeout": st.sampled_from(TIMES),
    "proxy_request_buffering": st.sampled_from(["on", "off", "OFF", "yes"]),
    "proxy_buffering": st.sampled_from(["on", "off"]),
    "client_max_body_size": st.sampled_from(SIZES),
    "proxy_buffer_size": st.sampled_from(SIZES),
    "root": st.just("/var/www"),
    "return": st.sampled_from(["204", "301 /x", '200 "${host}"']),
    "try_files": st.just("$uri $uri/ =404"),
    "include": st.sampled_from(INCLUDES),
}
IF_DIRECTIVES = {"return": st.just("403"), "set": st.just("$x 1"), "rewrite": st.just("^/(.*)$ /a/$1 break"),
                 "proxy_pass": st.just("http://127.0.0.1:8000")}


def _statements(draw, table: dict, count: int) -> list[str]:
    names = draw(st.lists(st.sampled_from(sorted(table)), max_size=count))
    return [f"{name} {draw(table[name])};" for name in names]


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _location(draw, depth: int) -> list[str]:
    body = _statements(draw, LOCATION_DIRECTIVES, 6)
    if depth < 2 and draw(st.integers(0, 3)) == 0:
        body += _location(draw, depth + 1)
    if draw(st.integers(0, 4)) == 0:
        body += [draw(st.sampled_from(IF_HEADS[:-1])) + " {", *_indent(_statements(draw, IF_DIRECTIVES, 2)), "}"]
    if draw(st.integers(0, 6)) == 0:
        body.insert(0, "# nginxlint: disable=" + draw(st.sampled_from(["WS008", "WS", "HDR001", "XX9", "WS001 bad"])))
    head = draw(st.sampled_from(LOCATION_HEADS[:-2]))
    return [head + " {", *_indent(body), "}"]


@st.composite
def wellformed_text(draw) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines += ["map $http_upgrade $connection_upgrade {", "    default upgrade;", "    '' close;", "}"]
    if draw(st.booleans()):
        lines += ["upstream voice_backend {", "    server 127.0.0.1:8000;", "    keepalive 8;", "}"]
    for _ in range(draw(st.integers(1, 3))):
        body = _statements(draw, SERVER_DIRECTIVES, 6)
        for _ in range(draw(st.integers(0, 4))):
            body += _location(draw, 0)
        lines += ["server {", *_indent(body), "}"]
    if draw(st.booleans()):  # a main config: the same inside http {}
        lines = ["events {}", "http {", *_indent(lines), "}"]
    return "\n".join(lines) + "\n"


@st.composite
def config_text(draw) -> str:
    if draw(st.integers(0, 9)) < 6:
        return draw(wellformed_text())
    lines = draw(block_items(0))
    sep = draw(st.sampled_from(["\n", "\n", "\r\n", " "]))
    return sep.join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


# Where the generated file lives decides its context (README: PATH).
LOCATIONS = ["sites-enabled/gen", "conf.d/gen.conf", "gen.conf", "snippets/gen.conf", "nginx.conf"]


def _assert_sane(result: LintResult, root: Path) -> None:
    assert result.errors == (), result.errors  # the file exists: no input error
    for finding in result.findings:
        assert finding.file, finding
        assert isinstance(finding.line, int) and finding.line >= 1, finding
        for related in finding.related:
            assert related.file and related.line >= 1, finding


@pytest.mark.slow  # 200 generated configs through the whole pipeline
@fixed(200)
@given(text=config_text(), where=st.sampled_from(LOCATIONS), snippet=st.booleans())
def test_generated_configs_never_crash(text, where, snippet):
    with tempfile.TemporaryDirectory(prefix="nginxlint-prop-") as tmp:
        root = Path(tmp)
        path = root / where
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        if snippet:  # something for `include snippets/*.conf` to find
            (root / "snippets").mkdir(exist_ok=True)
            (root / "snippets" / "ws.conf").write_text("proxy_http_version 1.1;\nproxy_set_header Upgrade $http_upgrade;\n")
        first = lint([str(path)])
        _assert_sane(first, root)
        assert lint([str(path)]) == first  # and deterministic


@pytest.mark.slow  # whole CLI runs or whole-tree lints per example
@fixed(6)
@given(text=config_text(), where=st.sampled_from(LOCATIONS))
def test_generated_configs_through_the_cli(text, where):
    with tempfile.TemporaryDirectory(prefix="nginxlint-prop-") as tmp:
        path = Path(tmp) / where
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        code, out, err = run_cli(["check", where, "--format", "json"], tmp)  # fails on traceback / hang
        assert code in (0, 1), (code, err)
        doc = json.loads(out)
        assert doc["errors"] == [] and doc["summary"]["files"] <= 1 + len(list(Path(tmp).rglob("*")))
        assert all(f["file"] and f["line"] >= 1 for f in doc["findings"]), doc["findings"]


# == 2. value parsing agrees with nginx's grammars ==================================

MS = {"y": 365 * 86_400_000, "M": 30 * 86_400_000, "w": 7 * 86_400_000, "d": 86_400_000,
      "h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}
ORDER = ["y", "M", "w", "d", "h", "m", "s", "ms"]
ALLOWED = {"time-ms": [u for u in ORDER if u not in ("y", "M")],  # ngx_conf_set_msec_slot
           "time-s": [u for u in ORDER if u != "ms"]}  # ngx_conf_set_sec_slot
NUMBER = st.integers(0, 10**6)


@st.composite
def valid_time(draw) -> tuple[str, str, int]:
    """(kind, text, expected ms): units largest first, each at most once,
    spaces between parts, a bare last number meaning seconds."""
    kind = draw(st.sampled_from(sorted(ALLOWED)))
    units = draw(st.lists(st.sampled_from(ALLOWED[kind]), min_size=1, max_size=6, unique=True))
    units.sort(key=ORDER.index)
    numbers = [draw(NUMBER) for _ in units]
    written = list(units)
    if units[-1] == "s" and draw(st.booleans()):
        written[-1] = ""  # `1h30` is 1h30s: no unit = seconds
    parts = [f"{n}{u}" for n, u in zip(numbers, written)]
    text = parts[0] + "".join(draw(st.sampled_from(["", " ", "  "])) + p for p in parts[1:])
    return kind, text, sum(n * MS[u] for n, u in zip(numbers, units))


@fixed(400)
@given(valid_time())
def test_valid_times_parse_as_nginx_computes(case):
    kind, text, expected = case
    assert parse_time(text, kind) == expected


def _ordered_pair(draw, kind):
    allowed = ALLOWED[kind]
    i = draw(st.integers(0, len(allowed) - 2))
    j = draw(st.integers(i + 1, len(allowed) - 1))
    return allowed[i], allowed[j]


@st.composite
def invalid_time(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(sorted(ALLOWED)))
    n, k = draw(NUMBER), draw(NUMBER)
    form = draw(st.integers(0, 9))
    if form == 0:  # units out of order
        big, small = _ordered_pair(draw, kind)
        text = f"{n}{small}{draw(st.sampled_from(['', ' ']))}{k}{big}"
    elif form == 1:  # a unit twice
        unit = draw(st.sampled_from(ALLOWED[kind]))
        text = f"{n}{unit}{draw(st.sampled_from(['', ' ']))}{k}{unit}"
    elif form == 2:  # fractions
        text = f"{n}.{draw(st.integers(0, 99))}{draw(st.sampled_from(ALLOWED[kind] + ['']))}"
    elif form == 3:  # negative
        text = f"-{n}{draw(st.sampled_from(ALLOWED[kind] + ['']))}"
    elif form == 4:  # unknown units, case matters (1H, 1D, 1S, 1Ms)
        unit = draw(st.sampled_from(["H", "D", "W", "S", "MS", "Ms", "x", "min", "sec", "hr", "hours", "mss", "µs"]))
        assume(not (kind == "time-s" and unit == "Ms"))  # months then seconds: nginx -t accepts `1Ms` in a sec slot
        text = f"{n}{unit}"
    elif form == 5:  # a unit this kind of slot refuses
        text = f"{n}{'ms' if kind == 'time-s' else draw(st.sampled_from(['M', 'y']))}"
    elif form == 6:  # no number at all
        text = draw(st.sampled_from(["", " ", "s", "ms", "h", "m1", "abc"]))
    elif form == 7:  # a bare number that is not the last part
        unit = draw(st.sampled_from([u for u in ALLOWED[kind] if u not in ("s", "ms")] or ["s"]))
        assume(unit not in ("s", "ms"))
        text = f"{n} {k}{unit}"
    elif form == 8:  # tabs are not spaces
        big, small = _ordered_pair(draw, kind)
        text = f"{n}{big}\t{k}{small}"
    else:  # garbage around a valid value
        text = f"{n}s" + draw(st.sampled_from(["x", ";", "/", "s", "0.5", "-1"]))
        assume(not re.fullmatch(r"\d+s\d+", text))  # `30s5`: see the note in test_time_bare_number_after_seconds
    return kind, text


@fixed(400)
@given(invalid_time())
def test_invalid_times_are_refused(case):
    kind, text = case
    with pytest.raises(ValueError):
        parse_time(text, kind)


SIZE_UNITS = {"": 1, "k": 1024, "K": 1024, "m": 1024**2, "M": 1024**2, "g": 1024**3, "G": 1024**3}


@fixed(300)
@given(kind=st.sampled_from(["size", "offset"]), number=st.integers(0, 10**9),
       unit=st.sampled_from(sorted(SIZE_UNITS)))
def test_sizes_and_offsets(kind, number, unit):
    text = f"{number}{unit}"
    if kind == "size" and unit in ("g", "G"):  # size_t slots: no g (semantics §3.4)
        with pytest.raises(ValueError):
            parse_size(text, kind)
    else:
        assert parse_size(text, kind) == number * SIZE_UNITS[unit]


@fixed(300)
@given(kind=st.sampled_from(["size", "offset"]), number=st.integers(0, 10**6),
       form=st.sampled_from(["{n}.5{u}", "-{n}{u}", "{n}{u}b", "{n}{u}B", "{n} {u}", "{u}", "{n}{u}{u}",
                             "{n}t", "{n}T", "{n}kb", "{n}e3", "0x{n}", "{n}{u}1", ""]),
       unit=st.sampled_from(["k", "K", "m", "M", "g", "G"]))
def test_invalid_sizes_are_refused(kind, number, form, unit):
    text = form.format(n=number, u=unit)
    with pytest.raises(ValueError):
        parse_size(text, kind)


# Divergences from nginx the properties above found (checked with nginx
# 1.22.1 `nginx -t`), now fixed in values.py.

@pytest.mark.parametrize("parse, text", [(parse_time, "٣٠s"), (parse_time, "١h ٣٠m"), (parse_time, "６０"),
                                         (parse_size, "１０m"), (parse_size, "٥٠M"), (parse_size, "۱۰k")])
def test_non_ascii_digits_are_refused(parse, text):
    with pytest.raises(ValueError):
        parse(text)


@pytest.mark.parametrize("parse, text", [(parse_size, " 10m"), (parse_size, "10m "), (parse_size, "10m\t"),
                                         (parse_time, " 1h")])
def test_padded_values_are_refused(parse, text):
    with pytest.raises(ValueError):
        parse(text)


# == 3. findings depend neither on file order nor on comments =========================

def _split_top_level(text: str) -> list[str]:
    """The top-level blocks of a file, each with the comments above it."""
    blocks, current, depth = [], [], 0
    for line in text.splitlines(keepends=True):
        current.append(line)
        depth += line.count("{") - line.count("}")
        if depth == 0 and line.strip().endswith("}"):
            blocks.append("".join(current))
            current = []
    return blocks


WS_SITE = """\
server {{
    listen 443 ssl;
    server_name {name};
    ssl_certificate     /etc/ssl/{name}.pem;
    ssl_certificate_key /etc/ssl/{name}.key;
    proxy_set_header Host $host;
    location / {{
        proxy_pass http://voice_backend;
    }}
    location /ws/ {{
        proxy_pass http://voice_backend;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection {connection};
        proxy_read_timeout {timeout};
        client_max_body_size {body};
    }}
}}
"""


def _material() -> dict[str, str]:
    """A sites-enabled/ folder: gmai.sa.backup split into one file per
    top-level block (upstream, map, three servers), and a few WebSocket
    sites that use the map and upstream defined in other files."""
    parts = _split_top_level((REPO / "sample_configs" / "gmai.sa.backup").read_text())
    files = {f"{i:02d}-gmai-part.conf": part for i, part in enumerate(parts)}
    for i, (connection, timeout, body) in enumerate([("$connection_upgrade", "1d", "10m"),
                                                     ('"upgrade"', "60s", "100M"),
                                                     ("$connection_upgrade", "3600", "0")]):
        files[f"{10 + i}-ws-{i}.conf"] = WS_SITE.format(name=f"ws{i}.example.test", connection=connection,
                                                        timeout=timeout, body=body)
    return files


MATERIAL = _material()
LINE_REF = re.compile(r"(?<=:)\d+\b|\b(lines?) \d+(?:[-–,] ?\d+)*")


def _normalise(result: LintResult, back: dict[str, str]) -> Counter:
    """Findings as a multiset of (rule, original file, server, location,
    message, related), file names mapped back and line numbers left out."""
    names = re.compile("|".join(map(re.escape, sorted(back, key=len, reverse=True)))) if back else None

    def text(message: str) -> str:
        if names:  # one pass, so a name mapped back is never mapped again
            message = names.sub(lambda m: back[m.group(0)], message)
        return LINE_REF.sub(lambda m: m.group(1) or "", message)

    def original(path: str) -> str:
        return back.get(Path(path).name, Path(path).name)

    return Counter((f.rule, original(f.file), f.server, f.location, text(f.message),
                    tuple(sorted((original(r.file), text(r.message)) for r in f.related)))
                   for f in result.findings)


def _lint_folder(files: dict[str, str]) -> LintResult:
    with tempfile.TemporaryDirectory(prefix="nginxlint-order-") as tmp, contextlib.chdir(tmp):
        folder = Path("sites-enabled")  # relative: reported paths hold no tmp name
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
        result = lint([str(folder)])
        assert result.files == len(files)
        return result


BASELINE = None


def _baseline() -> Counter:
    global BASELINE
    if BASELINE is None:
        result = _lint_folder(MATERIAL)
        assert result.findings, "the material must have findings to compare"
        assert {f.rule for f in result.findings} >= {"WS004", "HDR001"}
        BASELINE = _normalise(result, {})
    return BASELINE


def test_material_has_findings_in_every_part():
    base = _baseline()
    assert {file for _, file, *_ in base} >= {"03-gmai-part.conf", "04-gmai-part.conf", "10-ws-0.conf",
                                             "11-ws-1.conf", "12-ws-2.conf"}


@fixed(15)
@given(order=st.permutations(sorted(MATERIAL)), style=st.sampled_from(["{i:02d}-{name}", "{name}-{i}", "z{i}"]))
def test_findings_do_not_depend_on_file_order(order, style):
    """Rename the files so they sort differently; contents unchanged."""
    renamed, back = {}, {}
    for i, name in enumerate(order):
        new = style.format(i=i, name=name.split("-", 1)[1])
        renamed[new], back[new] = MATERIAL[name], name
    assert _normalise(_lint_folder(renamed), back) == _baseline()


NOISE = ["", "", "   ", "\t", "#", "# a comment", "    # indented { comment } with ; braces", "#server {",
         "# proxy_set_header Upgrade $http_upgrade;", "\t# tab comment"]


@pytest.mark.slow  # whole CLI runs or whole-tree lints per example
@fixed(15)
@given(data=st.data())
def test_findings_do_not_depend_on_comments_and_blank_lines(data):
    noisy = {}
    for name, text in MATERIAL.items():
        lines = text.splitlines(keepends=True)
        out = []
        for line in lines:
            out += [n + "\n" for n in data.draw(st.lists(st.sampled_from(NOISE), max_size=3), label=name)]
            out.append(line)
        out += [n + "\n" for n in data.draw(st.lists(st.sampled_from(NOISE), max_size=2))]
        noisy[name] = "".join(out)
    assert _normalise(_lint_folder(noisy), {}) == _baseline()
