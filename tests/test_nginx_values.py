"""Real nginx decides: for every value below, nginxlint's time, size, offset,
flag and number grammars (values.py, through the verdict SYN004 uses)
accept exactly what `nginx -t` accepts in a directive of that set handler
(ngx_conf_set_msec_slot, _sec_slot, _size_slot, _off_slot, _flag_slot,
_num_slot, _bufs_slot, ngx_http_core_keepalive).

nginx stops at its first error, so each value gets its own config; the runs
go in parallel and take a few seconds. Without nginx the tests skip locally;
under CI (`CI=true`) they fail, as in test_security_nginx.py.
"""
from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from itertools import product
from pathlib import Path

import pytest

from nginxlint.semantics import directives
from nginxlint.semantics.value_checks import accepts

from .conftest import require_tool

pytestmark = pytest.mark.nginx

TIMES = [
    "0", "1", "01", "007", "00ms", "30", "86400", "1ms", "500ms", "1s", "1m", "1h", "1d", "1w", "1M", "1y", "0y", "0M",
    "1D", "1H", "1S", "1Y", "1W", "1Ms", "1mS", "10x", "5 m", "1 ms", "1h 30m", "1h30m", "1h  30m", "12 34", "30s 5",
    "1d 1", "12 34 5", "12 34s", "1 1", "1 1 1", "1h 30m 5", "1ms5", "1ms 1", "1ms 1ms", "1s 1s", "1s1ms", "1ms1s",
    "1m1ms", "1m 1ms", "1m 1", "1m s", "1hs", " 5", "5 ", "5  ", "  ", " ", "", "s", "ms", "m", "h1", "1.5s", "-1",
    "+1", "1_000", "1h1h", "30m1h", "1y1M", "1M1w", "1y 1", "1w1d1h1m1s1ms", "1w1d1h1m1s", "1d 2h 3m 4s 5ms",
    "1\t2", "1\t", "\u0661", "99999999999d", "99999999999", "106751991167d", "106751991168d", "106751991167300d",
    "106751991167301d", "9223372036854775", "9223372036854776", "9223372036854775s", "9223372036854776s",
    "9223372036854775807", "9223372036854775807ms", "9223372036854775808ms", "99999999999999999999",
    "1d 9223372036854775", "9223372036854775807ms1", "292471208y", "292471209y", "15250284452w", "15250284453w",
]
SIZES = [
    *("".join(p) for p in product(["0", "7", "0010", "4096"], ["", "k", "K", "m", "M", "g", "G", "b", "B", "t"])),
    "10mb", "10MB", "10kb", "1KiB", "1.5M", "1.5m", "k", "m", "g", "K", "", " ", "10 k", " 10", "10 ", "10kk",
    "10km", "-1", "+1", "1e3", "0x10", "1_0", "\uff110", "\u0661", "10\t",
    "9223372036854775807", "9223372036854775808", "9007199254740991k", "9007199254740992k", "8796093022207m",
    "8796093022208m", "8589934591g", "8589934592g", "99999999999999999999", "00000000000000000000000001",
]
FLAGS = [
    *("".join(p) for p in product("oO", "nN")), *("".join(p) for p in product("oO", "fF", "fF")),
    *(a + w + b for w in ("on", "off") for a, b in [("", "x"), ("x", ""), ("", " "), (" ", ""), ("", "\t"), ("", "n"),
                                                   ("", "f"), ("", "1"), ("'", "'"), ("", "\u0307")]),
    "yes", "no", "true", "false", "1", "0", "enable", "disable", "enabled", "o", "of", "f", "", " ", "0n", "0ff",
    "\uff2f\uff2e", "ONN", "OF", "onoff", "on off", "none", "null", "y", "n", "\u0131n", "\u017fon", "o\u0307n", "ofF;", "OFF ON",
]
NUMBERS = [
    *(a + n + b for n in ("0", "1", "007", "100") for a, b in [("", ""), ("+", ""), ("-", ""), ("", "k"), ("", " "), (" ", ""),
                                                             ("", ".0"), ("", "x"),
                                                             ("", "s"), ("0", ""), ("", "m")]),
    "", " ", "1e3", "0x10", "1_0", "\u0661", "\uff11", "9223372036854775807", "9223372036854775808",
    "99999999999999999999", "00000000000000000000000001", "1 2", "on", "NaN", "0 0", "2147483648", "4294967296",
]
BUFS = [(count, size) for count in ("8", "1", "0", "08", "x", "-1", "8k", "")
        for size in ("4k", "4K", "1m", "1", "0", "0k", "4kb", "1g", "1.5k", "")]
KEEPALIVES = [*((t,) for t in ("75s", "0", "1D", "1y", "1M", "12 34", "1h 30m", "5 m", "500ms", ""))] + [
    (first, second) for first in ("75s", "1ms", "1D", "0", "12 34", "1y") for second in ("60s", "60", "1ms", "1M", "1y", "1D", "5 m", "", "12 34")]
GRAMMARS = {  # grammar: (a directive whose set handler reads that grammar, its own name, the values to try)
    "time-ms": ("proxy_read_timeout", "ngx_conf_set_msec_slot", TIMES),
    "time-s": ("ssl_session_timeout", "ngx_conf_set_sec_slot", TIMES),
    "size": ("client_body_buffer_size", "ngx_conf_set_size_slot", SIZES),
    "offset": ("client_max_body_size", "ngx_conf_set_off_slot", SIZES),
    "flag": ("gzip", "ngx_conf_set_flag_slot", FLAGS),
    "number": ("keepalive_requests", "ngx_conf_set_num_slot", NUMBERS),
    "bufs": ("proxy_buffers", "ngx_conf_set_bufs_slot", BUFS),
    "keepalive": ("keepalive_timeout", "ngx_http_core_keepalive", KEEPALIVES),
}


@pytest.fixture(scope="module")
def nginx():
    return require_tool("nginx", "nginxlint's value grammars cannot be compared with nginx's", "/usr/sbin/nginx")


def _quoted(args: str | tuple[str, ...]) -> str:
    args = (args,) if isinstance(args, str) else args
    assert not any('"' in arg or "\\" in arg for arg in args)
    return " ".join(f'"{arg}"' for arg in args)


def _nginx_accepts(nginx: str, prefix: Path, directive: str, value: str | tuple[str, ...]) -> bool:
    prefix.mkdir(parents=True)
    (prefix / "logs").mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(f"events {{}}\nhttp {{\n    {directive} {_quoted(value)};\n}}\n", encoding="utf-8")
    result = subprocess.run([nginx, "-t", "-q", "-p", str(prefix), "-c", str(conf),
                             "-g", f"error_log {prefix / 'error.log'}; pid {prefix / 'nginx.pid'};"],
                            capture_output=True, text=True, errors="replace", timeout=30)
    if result.returncode != 0:  # refused, and for that value, not for anything else
        assert f"{directive}" in result.stderr and "nginx.conf:3" in result.stderr, result.stderr
    return result.returncode == 0


@pytest.mark.parametrize("grammar", sorted(GRAMMARS))
def test_parser_agrees_with_nginx_on_every_value(grammar, nginx, tmp_path):
    directive, handler, values = GRAMMARS[grammar]
    assert directives.spec_for(directive, "http").set_handler == handler
    assert len(values) >= 60 and len(set(values)) == len(values)
    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = list(pool.map(lambda item: _nginx_accepts(nginx, tmp_path / str(item[0]), directive, item[1]),
                                 enumerate(values)))
    disagreements = [(value, accepted) for value, accepted in zip(values, verdicts)
                     if accepts(handler, (value,) if isinstance(value, str) else value) != accepted]
    assert not disagreements, f"{grammar}: (value, nginx accepts) where nginxlint disagrees: {disagreements}"
    assert any(verdicts) and not all(verdicts)
