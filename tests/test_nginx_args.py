"""Real nginx decides, as in test_nginx_values.py: for every argument list
below, SYN004's verdict (value_checks.verdict, for nginx 1.22.1) refuses
exactly what `nginx -t` of the installed nginx 1.22.1 refuses, for enum and
bitmask slots (arg_values.py), bounded numbers, `return` and `error_page`
codes (status_codes.py), `listen` (listen_args.py), error_log levels and
access_log parameters (log_args.py), the words fastcgi_param, add_header
and rewrite take third, expires times, limit_req's, limit_conn's and
upstream server parameters (handler_args.py).

One config per argument list, run in parallel; without nginx the tests skip
locally and fail under CI. Host names are left out of `listen`: nginx would
resolve them.
"""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nginxlint.findings.selection import Selection
from nginxlint.reading.param_length import too_long_parameters
from nginxlint.semantics.value_checks import verdict

from .conftest import require_nginx_modules, require_tool

pytestmark = pytest.mark.nginx

NGINX_VERSION = (1, 22, 1)  # the installed nginx these verdicts are compared with

CASES = {  # grammar: (directive, the block it stands in (http's own when "", %s where the line goes), argument lists)
    "enum": ("proxy_http_version", "", [
        ("1.0",), ("1.1",), ("2.0",), ("2",), ("1",), ("1.10",), ("HTTP/1.1",), ("1.1 ",), ("",), ("1,1",), ("1.1x",),
        ("1.0.0",), ("11",), ("one",), ("\u0661.1",)]),
    "enum-case": ("autoindex_format", "", [
        ("html",), ("HTML",), ("Json",), ("xml",), ("jsonp",), ("JSONP",), ("text",), ("xhtml",), ("htm",), ("",),
        ("html ",), ("\u0130ml",)]),
    "bitmask": ("ssl_protocols", "", [
        ("TLSv1.2",), ("TLSv1.2", "TLSv1.3"), ("tlsv1.2",), ("TLSv1.4",), ("TLSv1.2", "TLSv1.2"), ("SSLv3",), ("SSLv2", "TLSv1"),
        ("TLSv1.1",), ("TLS1.2",), ("TLSv12",), ("TLSv1.2", "foo"), ("all",), ("",), ("TLSV1.3",), ("tlsv1.3", "TLSv1.2")]),
    "bitmask-upstream": ("proxy_next_upstream", "", [
        ("error", "timeout"), ("off",), ("http_500", "http_502", "http_503", "http_504", "http_429"), ("http_501",),
        ("non_idempotent",), ("updating",), ("ERROR",), ("invalid_header",), ("http_403", "http_404"), ("timeout", "bogus"),
        ("http_400",), ("denied",)]),
    "bounds": ("gzip_comp_level", "", [
        ("0",), ("1",), ("9",), ("10",), ("5",), ("09",), ("100",), ("-1",), ("x",), ("99999999999999999999",)]),
    "bounds-status": ("limit_req_status", "", [
        ("399",), ("400",), ("429",), ("503",), ("599",), ("600",), ("0",), ("200",), ("0429",)]),
    "return": ("return", "server", [
        ("200",), ("999",), ("1000",), ("0",), ("301", "/x"), ("301", "https://example.com"), ("https://example.com",),
        ("http://example.com",), ("/x",), ("example.com",), ("444",), ("abc",), ("200", "ok"), ("-1",), ("099",),
        ("99999999999999999999",), ("https://a", "b"), ("HTTPS://example.com",), ("302", "$scheme://x"), ("1000", "$x"),
        ("204",), ("1",), ("https:/x",), ("ftp://x",)]),
    "error_page": ("error_page", "server", [
        ("404", "/x"), ("500", "502", "503", "504", "/50x.html"), ("404", "=200", "/x"), ("404", "=", "/x"), ("=404", "/x"),
        ("299", "/x"), ("300", "/x"), ("599", "/x"), ("600", "/x"), ("499", "/x"), ("404", "=x", "/x"), ("abc", "/x"),
        ("404", "@named"), ("404", "=200", "@named"), ("497", "https://$host"), ("404", "=2000", "/x"), ("0404", "/x"),
        ("404", "500", "=", "/x"), ("-404", "/x"), ("404", "=-1", "/x")]),
    "listen-address": ("listen", "server", [
        ("80",), ("80800",), ("0",), ("65535",), ("65536",), ("1",), ("127.0.0.1",), ("127.0.0.1:80",), ("127.0.0.1:0",),
        ("127.0.0.1:65536",), ("127.0.0.1:",), (":80",), ("*:80",), ("*:8080",), ("[::]:80",), ("[::1]:0",), ("[::1]",),
        ("[::1]:80800",), ("[::]80",), ("8000-8002",), ("8002-8000",), ("0-80",), ("80-0",), ("127.0.0.1:8000-8002",),
        ("127.0.0.1:8002-8000",), ("a/b",), ("127.0.0.1:80/x",), ("80?x",), ("0080",), ("::1",), ("[::]:",),
        ("unix:/tmp/nginx-test.sock",), ("*:0",), ("*:80800",)]),
    "listen-parameters": ("listen", "server", [
        ("80", "ssl"), ("80", "http2"), ("80", "quic"), ("80", "foo"), ("80", "SSL"), ("80", "default_server"), ("80", "default"),
        ("80", "bind"), ("80", "deferred"), ("80", "reuseport"), ("80", "proxy_protocol"), ("80", "spdy"), ("80", "multipath"),
        ("80", "backlog=511"), ("80", "backlog=0"), ("80", "backlog=x"), ("80", "backlog="), ("80", "backlog"),
        ("80", "rcvbuf=64k"), ("80", "rcvbuf=1x"), ("80", "sndbuf=1m"), ("80", "sndbuf=1.5m"), ("80", "fastopen=10"),
        ("80", "fastopen=x"), ("[::]:80", "ipv6only=on"), ("[::]:80", "ipv6only=off"), ("[::]:80", "ipv6only=yes"),
        ("[::]:80", "ipv6only=o"), ("80", "so_keepalive=on"), ("80", "so_keepalive=off"), ("80", "so_keepalive=30m::10"),
        ("80", "so_keepalive=1:2:3"), ("80", "so_keepalive=x"), ("80", "so_keepalive=::"), ("80", "so_keepalive=0:0:0"),
        ("80", "so_keepalive=1ms"), ("80", "so_keepalive=1:2:3:4"), ("80", "so_keepalive=ON"), ("80", "ssl=on"),
        ("80", "default_server", "ssl", "http2", "reuseport"), ("80", "accept_filter=dataready"), ("80", "http3"),
        ("80", "ssl", "ssl")]),
    "error_log": ("error_log", "", [
        ("logs/e.log",), ("logs/e.log", "warn"), ("logs/e.log", "warning"), ("logs/e.log", "WARN"), ("logs/e.log", "debug"),
        ("logs/e.log", "emerg"), ("logs/e.log", "info"), ("logs/e.log", "notice"), ("logs/e.log", "crit"), ("logs/e.log", "alert"),
        ("logs/e.log", "error"), ("logs/e.log", "err"), ("logs/e.log", "warn", "error"), ("logs/e.log", "warn", "warn"),
        ("logs/e.log", "debug_http"), ("logs/e.log", "debug_http", "debug_core"), ("logs/e.log", "debug_http", "debug_http"),
        ("logs/e.log", "error", "debug_http"), ("logs/e.log", "debug_http", "error"), ("logs/e.log", "debug", "debug_http"),
        ("logs/e.log", "debug_stream", "debug_mail", "debug_event", "debug_mutex", "debug_alloc"), ("logs/e.log", "debug_foo"),
        ("logs/e.log", "mutant_extra"), ("stderr", "info"), ("stderr", "x"), ("syslog:server=127.0.0.1", "warn"),
        ("syslog:server=127.0.0.1", "bogus"), ("logs/e.log", ""), ("logs/e.log", "warn", "")]),
    "access_log": ("access_log", "", [
        ("off",), ("off", "combined"), ("logs/a.log",), ("logs/a.log", "combined"), ("logs/a.log", "COMBINED"),
        ("logs/a.log", "combined", "buffer=32k"), ("logs/a.log", "combined", "buffer=0"), ("logs/a.log", "combined", "buffer=1x"),
        ("logs/a.log", "combined", "buffer=32k", "flush=5m"), ("logs/a.log", "combined", "flush=5m"),
        ("logs/a.log", "combined", "flush=5m", "buffer=1k"), ("logs/a.log", "combined", "buffer=1k", "flush=0"),
        ("logs/a.log", "combined", "buffer=1k", "flush=1y"), ("logs/a.log", "combined", "buffer=1k", "flush=1ms"),
        ("logs/a.log", "combined", "gzip"), ("logs/a.log", "combined", "gzip=9"), ("logs/a.log", "combined", "gzip=0"),
        ("logs/a.log", "combined", "gzip=10"), ("logs/a.log", "combined", "gzip=x"), ("logs/a.log", "combined", "gzipx"),
        ("logs/a.log", "combined", "gzip", "flush=1s"), ("logs/a.log", "combined", "if=$status"),
        ("logs/a.log", "combined", "mutant_extra"), ("logs/a.log", "combined", "BUFFER=1k"), ("logs/a.log", "combined", "buffer="),
        ("syslog:server=127.0.0.1", "combined"), ("syslog:server=127.0.0.1", "combined", "buffer=1k"),
        ("syslog:server=127.0.0.1", "combined", "if=$status"), ("logs/a.log", "combined", "if=$status", "buffer=8k", "gzip=5"),
        ("off", "off"), ("logs/a.log", "combined", "")]),
    "fastcgi_param": ("fastcgi_param", "", [
        ("A", "b"), ("A", "b", "if_not_empty"), ("A", "b", "IF_NOT_EMPTY"), ("A", "b", "mutant_extra"), ("A", "$uri", "if_not_empty"),
        ("A", "b", ""), ("A", "", "if_not_empty")]),
    "add_header": ("add_header", "", [
        ("X-A", "b"), ("X-A", "b", "always"), ("X-A", "b", "Always"), ("X-A", "b", "mutant_extra"), ("X-A", "", "always"),
        ("X-A", "b", "")]),
    "expires": ("expires", "", [
        ("30d",), ("1y",), ("-1",), ("+1h",), ("epoch",), ("max",), ("off",), ("@15h30m",), ("@25h",), ("@24h",), ("1D",), ("x",),
        ("",), ("+",), ("modified", "1d"), ("modified", "@1h"), ("modified", "epoch"), ("modified", "off"), ("access", "1d"),
        ("Modified", "1d"), ("-1ms",), ("EPOCH",), ("1h 30m",), ("modified", "-1")]),
    "rewrite": ("rewrite", "server", [
        ("^/a", "/b"), ("^/a", "/b", "last"), ("^/a", "/b", "break"), ("^/a", "/b", "redirect"), ("^/a", "/b", "permanent"),
        ("^/a", "/b", "LAST"), ("^/a", "/b", "mutant_extra"), ("^/a", "/b", ""), ("^/a", "/b", "permanently")]),
    "limit_req": ("limit_req", "limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s; %s", [
        ("zone=one",), ("zone=one", "burst=5"), ("zone=one", "burst=0"), ("zone=one", "burst=x"), ("zone=one", "burst=5", "nodelay"),
        ("zone=one", "delay=3"), ("zone=one", "delay=0"), ("zone=one", "NODELAY"), ("zone=one", "mutant_extra"), ("burst=5",),
        ("nodelay",), ("zone=one", "burst="), ("zone=one", "burst=5", "delay=2")]),
    "limit_conn": ("limit_conn", "limit_conn_zone $binary_remote_addr zone=one:1m; %s", [
        ("one", "10"), ("one", "0"), ("one", "-1"), ("one", "x"), ("one", "65535"), ("one", "65536"), ("one", "010"), ("one", "10k"),
        ("one", "1")]),
    "upstream-server": ("server", "upstream u { server 127.0.0.1:9; %s }", [  # backup alone: "no servers in upstream"
        ("127.0.0.1:8080",), ("127.0.0.1:8080", "weight=5"), ("127.0.0.1:8080", "weight=0"), ("127.0.0.1:8080", "weight=x"),
        ("127.0.0.1:8080", "weight"), ("127.0.0.1:8080", "max_fails=0"), ("127.0.0.1:8080", "max_fails=-1"),
        ("127.0.0.1:8080", "max_conns=10"), ("127.0.0.1:8080", "fail_timeout=30s"), ("127.0.0.1:8080", "fail_timeout=1M"),
        ("127.0.0.1:8080", "fail_timeout=10ms"), ("127.0.0.1:8080", "fail_timeout=x"), ("127.0.0.1:8080", "backup"),
        ("127.0.0.1:8080", "down"), ("127.0.0.1:8080", "BACKUP"), ("127.0.0.1:8080", "resolve"), ("127.0.0.1:8080", "drain"),
        ("127.0.0.1:8080", "slow_start=10s"), ("127.0.0.1:8080", "mutant_extra"), ("127.0.0.1:8080", "route=a"),
        ("127.0.0.1:8080", "weight=2", "max_fails=3", "fail_timeout=5s", "backup"), ("127.0.0.1:8080", "service=http")]),
}


@pytest.fixture(scope="module")
def nginx():
    return require_tool("nginx", "nginxlint's argument grammars cannot be compared with nginx's", "/usr/sbin/nginx")


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> str:
    """ssl_certificate lines naming a throwaway certificate: a `listen … ssl`
    without one is refused for that (SYN009), not for its parameters."""
    directory = tmp_path_factory.mktemp("cert")
    openssl = require_tool("openssl", "nginx -t needs a certificate for listen ... ssl")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test",
                    "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")], check=True, capture_output=True)
    return f"ssl_certificate {directory / 'cert.pem'}; ssl_certificate_key {directory / 'key.pem'};"


def _quoted(args: tuple[str, ...]) -> str:
    assert not any('"' in arg or "\\" in arg for arg in args)
    return " ".join(f'"{arg}"' for arg in args)


def _nginx_refusal(nginx: str, prefix: Path, conf: bytes) -> str | None:
    """What `nginx -t` says against this nginx.conf, or None when it accepts it."""
    prefix.mkdir(parents=True)
    (prefix / "logs").mkdir()
    (prefix / "nginx.conf").write_bytes(conf)
    result = subprocess.run([nginx, "-t", "-q", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                             "-g", f"error_log {prefix / 'error.log'}; pid {prefix / 'nginx.pid'};"],
                            capture_output=True, text=True, errors="replace", timeout=30)
    return result.stderr if result.returncode else None


def _nginx_accepts(nginx: str, prefix: Path, http: str, line: str) -> bool:
    """Does `nginx -t` accept `line` (on line 3, alone or in a server) after the http-level `http` text?"""
    refusal = _nginx_refusal(nginx, prefix, f"events {{}}\nhttp {{ {http}\n    {line}\n}}\n".encode())
    assert refusal is None or "nginx.conf:3" in refusal, refusal  # refused, and for that line
    return refusal is None


@pytest.mark.parametrize("grammar", sorted(CASES))
def test_verdicts_agree_with_nginx(grammar, nginx, tls_files, tmp_path):
    directive, block, cases = CASES[grammar]
    assert len(set(cases)) == len(cases)
    lines = [f"{directive} {_quoted(args)};" for args in cases]
    lines = [(block % line if "%s" in block else f"{block} {{ {line} }}") if block else line for line in lines]
    with ThreadPoolExecutor(max_workers=4) as pool:
        accepted = list(pool.map(lambda item: _nginx_accepts(nginx, tmp_path / str(item[0]), tls_files, item[1]), enumerate(lines)))
    context = {"server": "server", "upstream": "http-upstream"}.get(block.split(" ")[0], "http")
    disagreements = [(args, ok) for args, ok in zip(cases, accepted) if (verdict(directive, context, args, NGINX_VERSION) is None) != ok]
    assert not disagreements, f"{grammar}: (arguments, nginx accepts) where nginxlint disagrees: {disagreements}"
    assert any(accepted) and not all(accepted)


# The same handlers in stream and mail (Debian's dynamic modules loaded):
# grammar: (directive, context, the line's block with %s where it goes, argument lists).
MODULE_CASES = {
    "stream-access_log": ("access_log", "stream", "stream { log_format basic $remote_addr; %s }", [
        ("logs/a.log",), ("logs/a.log", "basic"), ("off",), ("off", "basic"), ("logs/a.log", "basic", "buffer=1k"),
        ("logs/a.log", "basic", "flush=1s"), ("logs/a.log", "basic", "gzip=0"), ("logs/a.log", "basic", "mutant_extra"),
        ("logs/a.log", "basic", "gzip", "flush=1s"), ("syslog:server=127.0.0.1", "basic", "buffer=1k")]),
    "stream-error_log": ("error_log", "stream", "stream { %s }", [
        ("logs/e.log", "warn"), ("logs/e.log", "warning"), ("logs/e.log", "debug_stream"), ("logs/e.log", "info", "info")]),
    "mail-error_log": ("error_log", "mail", "mail { %s }", [
        ("logs/e.log", "warn"), ("logs/e.log", "Warn"), ("logs/e.log", "debug_mail", "debug_core"), ("logs/e.log", "crit", "x")]),
    "stream-limit_conn": ("limit_conn", "stream", "stream { limit_conn_zone $binary_remote_addr zone=one:1m; %s }", [
        ("one", "10"), ("one", "0"), ("one", "65536"), ("one", "ten")]),
    "stream-upstream-server": ("server", "stream-upstream", "stream { upstream u { server 127.0.0.1:9; %s } }", [
        ("127.0.0.1:8080", "weight=3"), ("127.0.0.1:8080", "weight=0"), ("127.0.0.1:8080", "backup"),
        ("127.0.0.1:8080", "fail_timeout=1x"), ("127.0.0.1:8080", "max_conns=2"), ("127.0.0.1:8080", "mutant_extra"),
        ("127.0.0.1:8080", "drain")]),
}


@pytest.mark.parametrize("grammar", sorted(MODULE_CASES))
def test_stream_and_mail_verdicts_agree_with_nginx(grammar, nginx, tmp_path):
    modules = require_nginx_modules()
    directive, context, block, cases = MODULE_CASES[grammar]
    configs = [f"{modules}events {{}}\n{block % f'{directive} {_quoted(args)};'}\n".encode() for args in cases]
    with ThreadPoolExecutor(max_workers=4) as pool:
        refusals = list(pool.map(lambda item: _nginx_refusal(nginx, tmp_path / str(item[0]), item[1]), enumerate(configs)))
    assert all(refusal is None or "nginx.conf:4" in refusal for refusal in refusals), refusals
    disagreements = [(args, refusal) for args, refusal in zip(cases, refusals)
                     if (verdict(directive, context, args, NGINX_VERSION) is None) != (refusal is None)]
    assert not disagreements, f"{grammar}: (arguments, nginx's refusal) where nginxlint disagrees: {disagreements}"
    assert any(refusals) and not all(refusals)


def _long_parameter_configs() -> list[bytes]:
    """Tokens around NGX_CONF_BUFFER: quoted and bare values before ";", a
    space or a newline, escapes, ${…} words, long comments, an unclosed quote."""
    configs = [f"events {{}}\nhttp {{\n add_header X {q}{'a' * n}{q}{end}\n}}\n"
               for n in (4093, 4094, 4095, 4096, 5000) for q in ('"', "'", "") for end in (";", " ;", "\n;")]
    escaped_quote = '\\"'  # two bytes nginx keeps as one
    for n in (4094, 4095, 4096, 4097):
        configs += [f"events {{}}\n#{'c' * n}\nhttp {{\n}}\n",
                    f"events {{}}\nhttp {{\n add_header X \"{'a' * n}\n}}\n{'#' * 6000}\n",
                    f"events {{}}\nhttp {{\n add_header X \"{escaped_quote * (n // 2)}\";\n}}\n",
                    f"events {{}}\nhttp {{\n add_header X a${{{'a' * n}}};\n}}\n"]
    return [config.encode() for config in configs]


def test_too_long_parameters_agree_with_nginx(nginx, tmp_path):
    """SYN008 refuses exactly the configs nginx refuses for a too long
    parameter, at nginx's line and with its message."""
    configs = _long_parameter_configs()
    with ThreadPoolExecutor(max_workers=4) as pool:
        refusals = list(pool.map(lambda item: _nginx_refusal(nginx, tmp_path / str(item[0]), item[1]), enumerate(configs)))
    disagreements = []
    for config, refusal in zip(configs, refusals):
        found = too_long_parameters(config)
        agreed = not found if refusal is None else \
            bool(found) and f"nginx.conf:{found[0][0]}" in refusal and found[0][1].split(" (")[0] in refusal
        if not agreed:
            disagreements.append((config[:30], len(config), refusal, found))
    assert not disagreements
    assert any(refusals) and not all(refusals)


def _whole(*servers: str, http: str = "", events: bool = True) -> str:
    """nginx.conf with these servers (their lines split by "|"), one line each."""
    blocks = "".join("    server {\n" + "".join(f"        {line}\n" for line in body.split("|")) + "    }\n" for body in servers)
    return ("events {}\n" if events else "") + "http {\n" + (f"    {http}\n" if http else "") + blocks + "}\n"


# Whole configs around SYN009 (certificates, and a key for each), SYN010
# (listens of one socket) and SYN011 (events); {cert} stands for a working
# certificate pair, {crt} and {key} for its two lines.
WHOLE_CONFIGS = [
    _whole("listen 443 ssl;"),
    _whole("listen 443 ssl;", http="{cert}"),
    _whole("listen 443 ssl;|{cert}", "listen 443 ssl;"),
    _whole("listen 443 ssl;", "listen 443 ssl default_server;|{cert}"),
    _whole("listen 443 ssl;|ssl_reject_handshake on;", "listen 443;"),
    _whole("listen 443 ssl;|ssl_reject_handshake on;", "listen 443;|{cert}"),
    _whole("listen 443;|ssl_certificate_key k.pem;", "listen 127.0.0.1:443 ssl;|{cert}"),
    _whole("listen 80 ssl;|{cert}", "listen 80 default_server;"),
    _whole("listen 80;|listen 80;"),
    _whole("listen 80;|listen *:80;"),
    _whole("listen 80;|listen 127.0.0.1:80;"),
    _whole("listen 80 backlog=10;", "listen 0.0.0.0:80 reuseport;"),
    _whole("listen 80 backlog=10;", "listen 80;"),
    _whole("listen 80 default_server;", "listen 80 default;"),
    _whole("listen 80 default_server;", "listen 127.0.0.1:80 default_server;"),
    _whole("listen 80 proxy_protocol;", "listen 80 http2;"),
    _whole("listen [::]:80 ipv6only=on;", "listen [::]:80 ipv6only=off;"),
    _whole("listen [::]:80 ipv6only=on;", "listen 80 deferred;"),
    _whole("listen 80 so_keepalive=on;", "listen 80 bind;"),
    _whole("listen 80;", events=False),
    _whole("listen 443 ssl;|{crt}"),
    _whole("listen 443 ssl;|{cert}|{crt}"),
    _whole("listen 443 ssl;|{crt}|{crt}|{key}|{key}"),
    _whole("listen 443 ssl;|{key}", http="{crt}"),
    _whole("listen 80;|{crt}"),
    _whole("listen 443 ssl;|ssl on;|{crt}"),
    _whole("listen 80;", "listen 81;|{cert}", http="{crt}"),
    "worker_processes 1;\nhttp {\n}\n",
    "events {\n}\n",
]


@pytest.mark.parametrize("index", range(len(WHOLE_CONFIGS)))
def test_whole_config_checks_agree_with_nginx(index, nginx, tls_files, tmp_path, lint_files):
    """SYN009 to SYN011 report a whole config exactly when nginx refuses it,
    at the line nginx names (it names none for a missing events block)."""
    certificate, key = (part + ";" for part in tls_files.rstrip(";").split("; "))
    text = WHOLE_CONFIGS[index].replace("{cert}", tls_files).replace("{crt}", certificate).replace("{key}", key)
    refusal = _nginx_refusal(nginx, tmp_path / "nginx", text.encode())
    result = lint_files({"nginx.conf": text}, selection=Selection(("SYN009", "SYN010", "SYN011")))
    assert bool(result.findings) == (refusal is not None), (text, refusal, [f.message for f in result.findings])
    named = {int(line) for line in re.findall(r"nginx\.conf:(\d+)", refusal or "")}
    assert named <= {f.line for f in result.findings}, (text, refusal)


# access_log naming a format: defined by a log_format line before it, in any
# case, or http's own combined (SYN004 in a whole config only).
LOG_FORMAT_CONFIGS = [
    "access_log logs/a.log main;|log_format main $uri;",
    "log_format main $uri;|access_log logs/a.log main;",
    "log_format main $uri;|access_log logs/a.log MAIN;",
    "access_log logs/a.log combined;|access_log logs/b.log Combined;|access_log logs/c.log;",
    "access_log logs/a.log mutant_extra;",
    "access_log off;|log_format m $uri;|access_log logs/a.log m if=$status;",
    "log_format main $uri;|server { listen 8081; access_log logs/a.log main buffer=1k; }|server { access_log logs/b.log other; }",
    "server { access_log logs/a.log late; }|log_format late $uri;",
]


@pytest.mark.parametrize("index", range(len(LOG_FORMAT_CONFIGS)))
def test_unknown_log_formats_agree_with_nginx(index, nginx, tmp_path, lint_files):
    """An access_log's format name is refused exactly where nginx refuses it."""
    text = "events {}\nhttp {\n" + "".join(f"    {line}\n" for line in LOG_FORMAT_CONFIGS[index].split("|")) + "}\n"
    refusal = _nginx_refusal(nginx, tmp_path / "nginx", text.encode())
    result = lint_files({"nginx.conf": text}, selection=Selection(("SYN004",)))
    named = {int(line) for line in re.findall(r"nginx\.conf:(\d+)", refusal or "")}
    assert {f.line for f in result.findings} == named, (text, refusal, [f.message for f in result.findings])
