"""Real nginx confirms the facts three security rules rest on.

- SEC019: two servers with one name on one address:port, in two files: nginx
  warns "conflicting server name ... ignored" and keeps the first one; it
  compares addresses, not their spelling, and SEC019 must warn exactly when
  nginx does (localhost/127.0.0.1, 8080/*:8080/0.0.0.0:8080, [::]/[0:0::0]).
- SEC020: `include sites-enabled/*;` parses sites-enabled/x.bak like any
  other file (but not a dotfile such as .x.swp).
- SEC018: `error_log off;` opens a file named "off" under the prefix.
- SEC003: which copies of a decoded %0d%0a nginx sends raw (split) and which
  it percent-escapes, in redirects and in the request proxy_pass sends.
- SEC002: a host taken from a header through `set`, or from an argument
  through a `map`, is the host nginx connects to; an `internal` location is
  not reached by a client.

Each test builds a tiny tree in tmp_path (prefix, pid, temp and log paths all
inside it), runs `nginx -t -p PREFIX -c CONF`, and lints the same tree with
nginxlint. Without nginx the tests skip locally; under CI (`CI=true`) they
fail, as in test_samples_nginx.py.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import socketserver
import subprocess
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare

from .conftest import require_tool

pytestmark = pytest.mark.nginx

OPTIONS = CheckOptions()


@pytest.fixture(scope="module")
def nginx():
    return require_tool("nginx", "the security rules' nginx facts cannot be checked", "/usr/sbin/nginx")


def _tree(prefix: Path, http: str, files: dict[str, str], main: str = "") -> Path:
    """conf/nginx.conf with `http` in its http block, plus conf/<name> files;
    everything nginx writes (pid, temp dirs, logs) goes under prefix."""
    conf = prefix / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = conf / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    temp = "".join(f"    {kind}_temp_path {prefix / (kind + '_temp')};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    nginx_conf = conf / "nginx.conf"
    nginx_conf.write_text(
        f"pid {prefix / 'nginx.pid'};\n{main}"
        f"events {{}}\n"
        f"http {{\n{temp}    access_log {prefix / 'access.log'};\n    server_tokens off;\n"
        f"{textwrap.indent(textwrap.dedent(http), '    ')}}}\n")
    return nginx_conf


def _line_of(conf: Path, text: str) -> int:
    return next(n for n, line in enumerate(conf.read_text().splitlines(), 1) if text in line)


def _nginx_t(nginx: str, prefix: Path, conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run([nginx, "-t", "-p", f"{prefix}/", "-c", str(conf), "-e", str(prefix / "startup.log")],
                          capture_output=True, text=True, timeout=30)


def _lint(conf: Path) -> list:
    result = check([str(conf)], OPTIONS, prepare(OPTIONS))
    assert not result.errors, result.errors
    return result.findings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _http(port: int, path: str, host: str, deadline: float, headers: str = "") -> tuple[str, str]:
    """(status line and headers, body) of nginx on 127.0.0.1:port for GET path with this Host
    (and `headers`, each line ending in CRLF)."""
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                conn.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n{headers}\r\n".encode())
                data = b""
                while chunk := conn.recv(4096):
                    data += chunk
            head, _, body = data.decode().partition("\r\n\r\n")
            return head, body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextlib.contextmanager
def _serving(nginx: str, tmp_path: Path, conf: Path) -> Iterator[None]:
    """Real nginx serving `conf` in the foreground on loopback, stopped gracefully after."""
    server = subprocess.Popen([nginx, "-p", f"{tmp_path}/", "-c", str(conf), "-e", str(tmp_path / "startup.log"),
                               "-g", f"daemon off; error_log {tmp_path / 'error.log'};"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        server.send_signal(signal.SIGQUIT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _get(port: int, host: str, deadline: float) -> str:
    """The body nginx on 127.0.0.1:port returns for / with this Host."""
    return _http(port, "/", host, deadline)[1]


def test_sec019_nginx_warns_and_keeps_the_first_server(nginx, tmp_path):
    port = _free_port()
    site = """\
        server {{
            listen 127.0.0.1:{port};
            server_name app.example.com;
            return 200 "{which}\\n";
        }}
        """
    conf = _tree(tmp_path, "include sites-enabled/*;\n", {
        "sites-enabled/app": site.format(port=port, which="new"),
        "sites-enabled/app-old": site.format(port=port, which="old"),
    })

    result = _nginx_t(nginx, tmp_path, conf)
    assert result.returncode == 0, result.stderr
    # nginx 1.22 names the name and the socket, not the file of the ignored server.
    assert f'[warn] conflicting server name "app.example.com" on 127.0.0.1:{port}, ignored' in result.stderr, \
        result.stderr

    findings = [(f.rule, Path(f.file).name, f.line) for f in _lint(conf) if f.rule == "SEC019"]
    assert findings == [("SEC019", "app-old", 3)]

    # The one nginx ignores is the second: a request for the name gets the first file's server.
    with _serving(nginx, tmp_path, conf):
        assert _get(port, "app.example.com", time.monotonic() + 10) == "new\n"


# Two servers with one name, the second listening on `second`: one socket
# spelled two ways (nginx warns), or two sockets (it does not).
SPELLINGS = [
    ("localhost:18092", "127.0.0.1:18092"),
    ("127.0.0.1:18092", "localhost:18092"),
    ("18093", "*:18093"),
    ("18093", "0.0.0.0:18093"),
    ("*:18093", "0.0.0.0:18093"),
    ("[::]:18091", "[0:0::0]:18091"),
    ("[::1]:18094", "[0:0:0:0:0:0:0:1]:18094"),
    ("127.0.0.1", "127.0.0.1:80"),
    ("127.0.0.1:018096", "127.0.0.1:18096"),
    ("unix:/tmp/nginxlint-sec019.sock", "unix:/tmp/nginxlint-sec019.sock"),
    # different sockets: no warning
    ("127.0.0.1:18095", "18095"),
    ("18095", "[::]:18095"),
    ("localhost:18095", "127.0.0.2:18095"),
    ("localhost:18095", "[::1]:18095"),
    ("127.0.0.1:18095", "127.0.0.1:18096"),
    # no listen at all is *:80 when nginx runs as root, *:8000 otherwise
    pytest.param(None, "80", marks=pytest.mark.skipif(os.geteuid() != 0, reason="nginx uses *:8000 without root")),
    pytest.param(None, "127.0.0.1:80", marks=pytest.mark.skipif(os.geteuid() != 0, reason="as above")),
]


@pytest.mark.parametrize(("first", "second"), SPELLINGS)
def test_sec019_fires_exactly_when_nginx_warns_of_a_conflicting_name(nginx, tmp_path, first, second):
    """nginx compares listen addresses, not their text (semantics §6.1)."""
    def server(listen: str | None) -> str:
        return "server {\n" + (f"    listen {listen};\n" if listen else "") + "    server_name app.example.com;\n}\n"

    conf, warned, findings = _two_servers(nginx, tmp_path, server(first) + server(second))
    second_name = [n for n, line in enumerate(conf.read_text().splitlines(), 1) if "server_name app" in line][-1]
    assert [f.line for f in findings] == ([second_name] if warned else [])


def _two_servers(nginx: str, tmp_path: Path, servers: str):
    """(nginx.conf, whether nginx -t warns of a conflicting server name, SEC019 findings)."""
    conf = _tree(tmp_path, servers, {})
    result = _nginx_t(nginx, tmp_path, conf)
    assert result.returncode == 0, result.stderr
    return conf, "conflicting server name" in result.stderr, [f for f in _lint(conf) if f.rule == "SEC019"]


# Two servers on one socket with these server_name arguments (None: no
# server_name line, whose name is ""): nginx warns only where a name that is
# not a regex is shared.
NAMES = [
    ("~^a\\.example$", "~^b\\.example$"),
    ("~^a\\.example$", "~^a\\.example$"),
    (None, None),
    ('""', None),
    ("~^a\\.example$", None),
    ("~^a\\.example$ b.example", "b.example"),
    ("A.example", "a.example"),
]


@pytest.mark.parametrize(("first", "second"), NAMES)
def test_sec019_names_nginx_compares(nginx, tmp_path, first, second):
    def server(names: str | None) -> str:
        return "server {\n    listen 127.0.0.1:18097;\n" + (f"    server_name {names};\n" if names else "") + "}\n"

    _, warned, findings = _two_servers(nginx, tmp_path, server(first) + server(second))
    assert bool(findings) == warned


def test_sec020_nginx_parses_a_backup_file_the_glob_matches(nginx, tmp_path):
    conf = _tree(tmp_path, "include sites-enabled/*;\n", {
        "sites-enabled/app": "server { listen 127.0.0.1:18680; server_name app.example.com; }\n",
        "sites-enabled/x.bak": "# an old copy\nnot_a_directive_of_nginx on;\n",
    })

    result = _nginx_t(nginx, tmp_path, conf)
    assert result.returncode != 0, result.stderr
    assert f'unknown directive "not_a_directive_of_nginx" in {conf.parent}/sites-enabled/x.bak:2' in result.stderr, \
        result.stderr

    findings = [f for f in _lint(conf) if f.rule == "SEC020"]
    assert [(Path(f.file).name, f.line) for f in findings] == [("nginx.conf", _line_of(conf, "include sites-enabled/*;"))]
    assert "sites-enabled/x.bak" in findings[0].message


def test_sec020_nginx_skips_a_dotfile_in_the_glob(nginx, tmp_path):
    conf = _tree(tmp_path, "include sites-enabled/*;\n", {
        "sites-enabled/app": "server { listen 127.0.0.1:18680; server_name app.example.com; }\n",
        "sites-enabled/.app.swp": "this is not { nginx configuration\n",
    })

    result = _nginx_t(nginx, tmp_path, conf)
    assert result.returncode == 0, result.stderr
    assert not [f for f in _lint(conf) if f.rule in ("SEC020", "SYN001")]


def test_sec018_error_log_off_creates_a_file_named_off(nginx, tmp_path):
    conf = _tree(tmp_path, "server { listen 127.0.0.1:18680; return 204; }\n", {}, main="error_log off;\n")
    assert not (tmp_path / "off").exists()

    result = _nginx_t(nginx, tmp_path, conf)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "off").is_file(), sorted(p.name for p in tmp_path.iterdir())

    findings = [(f.rule, Path(f.file).name, f.line) for f in _lint(conf)]
    assert ("SEC018", "nginx.conf", _line_of(conf, "error_log off;")) in findings


def _response_head(port: int, path: str, deadline: float) -> str:
    """The status line and headers nginx on 127.0.0.1:port answers GET path with."""
    return _http(port, path, "x", deadline)[0]


def test_sec003_nginx_escapes_rewrite_captures_in_redirects_but_not_return_or_uri(nginx, tmp_path):
    """nginx escapes the numbered captures a redirecting rewrite copies
    (permanent, or an absolute URL); $uri or a named capture in the same
    rewrite, and $1 in a return, go out raw. SEC003 reports exactly the three
    that split the header."""
    port = _free_port()
    conf = _tree(tmp_path, f"""\
        server {{
            listen 127.0.0.1:{port};
            rewrite ^/perm/([^/]+)$ /x/$1 permanent;
            rewrite ^/abs/([^/]+)$ http://example.com/x/$1;
            rewrite ^/uri/([^/]+)$ http://example.com$uri permanent;
            rewrite ^/named/(?<rest>[^/]+)$ http://example.com/x/$rest permanent;
            location ~ ^/ret/([^/]+)$ {{ return 302 /x/$1; }}
        }}
        """, {})
    with _serving(nginx, tmp_path, conf):
        deadline = time.monotonic() + 10
        heads = {kind: _response_head(port, f"/{kind}/a%0d%0aX-Injected:%20yes", deadline) for kind in ("perm", "abs", "uri", "named", "ret")}
    injected = {kind for kind, head in heads.items() if "\r\nX-Injected: yes" in head}
    assert injected == {"uri", "named", "ret"}, heads
    assert "/x/a%0D%0AX-Injected:%20yes" in heads["perm"] and "/x/a%0D%0AX-Injected:%20yes" in heads["abs"], heads

    findings = sorted(f.line for f in _lint(conf) if f.rule == "SEC003")
    assert findings == [_line_of(conf, "^/uri/"), _line_of(conf, "^/named/"), _line_of(conf, "^/ret/")]


def test_a_missing_semicolon_is_what_nginx_rejects_and_all_nginxlint_reports_there(nginx, tmp_path):
    conf = _tree(tmp_path, """\
        server {
            listen 127.0.0.1:18680;
            location /app/ {
                proxy_pass http://backend
                proxy_set_header Host $host;
            }
        }
        """, {})
    result = _nginx_t(nginx, tmp_path, conf)
    line = _line_of(conf, "proxy_set_header Host $host")
    # nginx names the line where the merged statement ends
    assert result.returncode != 0 and 'invalid number of arguments in "proxy_pass" directive' in result.stderr, result.stderr
    assert f"nginx.conf:{line}\n" in result.stderr, result.stderr
    assert [(f.rule, f.line) for f in _lint(conf)] == [("SYN002", line)]


class _Recorder(socketserver.BaseRequestHandler):
    """Keeps the raw head of each request (tests/live/harness.Backend parses the
    request line, and a split one is exactly what must be seen here) and
    answers 200 with the backend's name."""

    def handle(self) -> None:
        self.request.settimeout(5)
        head = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in head and (chunk := self.request.recv(4096)):
                head += chunk
        self.server.heads.append(head.decode("latin-1"))
        name = self.server.name.encode()
        self.request.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(name), name))


@contextlib.contextmanager
def _backends(*names: str) -> Iterator[list[socketserver.ThreadingTCPServer]]:
    """Recording backends on loopback ports, one per name; `.heads` of each lists what it received."""
    servers = []
    try:
        for name in names:
            server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Recorder)
            server.daemon_threads, server.name, server.heads = True, name, []
            servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        yield servers
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_sec003_proxy_pass_copies_a_capture_raw_unless_set_copied_it(nginx, tmp_path):
    """A capture or $document_uri in proxy_pass, a capture in a map result,
    and a named capture even through set, reach the backend with a real line
    break; a numbered capture copied by set (one hop or three) arrives
    percent-escaped. SEC003 reports exactly the four that split the request."""
    port = _free_port()
    with _backends("backend") as (backend,):
        up = f"http://127.0.0.1:{backend.server_address[1]}"
        conf = _tree(tmp_path, f"""\
            map $uri $mapped {{
                ~^/mapped/([^/]+)/$ /m/$1;
            }}
            server {{
                listen 127.0.0.1:{port};
                location ~* ^/test/([^/]+)/ {{ proxy_pass {up}/$1; }}
                location /mapped/ {{ proxy_pass {up}$mapped; }}
                location /doc/ {{ proxy_pass {up}$document_uri; }}
                location ~ ^/named/(?<rest>[^/]+)/ {{ set $copy $rest; proxy_pass {up}/$copy; }}
                location ~ ^/one/([^/]+)/ {{ set $one $1; proxy_pass {up}/$one; }}
                location ~ ^/three/([^/]+)/ {{ set $a $1; set $b $a; set $c "/x/$b"; proxy_pass {up}$c; }}
            }}
            """, {})
        with _serving(nginx, tmp_path, conf):
            deadline = time.monotonic() + 10
            for kind in ("test", "mapped", "doc", "named", "one", "three"):
                _http(port, f"/{kind}/a%0d%0aX-Injected:%20yes/", "x", deadline)
    kinds = ("test", "mapped", "doc", "named", "one", "three")
    assert len(backend.heads) == len(kinds), backend.heads
    heads = dict(zip(kinds, backend.heads))  # one request at a time: in order
    assert {kind for kind, head in heads.items() if "\r\nX-Injected: yes" in head} == {"test", "mapped", "doc", "named"}, heads
    assert "/a%0D%0AX-Injected:%20yes " in heads["one"] and "/x/a%0D%0AX-Injected:%20yes " in heads["three"], heads

    findings = sorted(f.line for f in _lint(conf) if f.rule == "SEC003")
    assert findings == [_line_of(conf, text) for text in ("^/test/", "location /mapped/", "location /doc/", "^/named/")]


def test_sec002_the_client_picks_the_backend_through_set_and_map_but_not_in_an_internal_location(nginx, tmp_path):
    port = _free_port()
    with _backends("first", "second") as (first, second):
        to_second = f"127.0.0.1:{second.server_address[1]}"
        conf = _tree(tmp_path, f"""\
            map $arg_to $destination {{
                default $arg_to;
            }}
            server {{
                listen 127.0.0.1:{port};
                location /to {{ proxy_pass http://$destination; }}
                location /chosen {{ set $chosen $http_x_backend; proxy_pass http://$chosen; }}
                location /fixed {{ proxy_pass http://127.0.0.1:{first.server_address[1]}; }}
                location /only-internal/ {{ internal; proxy_pass http://$arg_to; }}
            }}
            """, {})
        with _serving(nginx, tmp_path, conf):
            deadline = time.monotonic() + 10
            bodies = [_http(port, f"/to?to={to_second}", "x", deadline)[1],
                      _http(port, "/chosen", "x", deadline, f"X-Backend: {to_second}\r\n")[1],
                      _http(port, f"/fixed?to={to_second}", "x", deadline)[1]]
            internal = _http(port, f"/only-internal/?to={to_second}", "x", deadline)[0]
    assert bodies == ["second", "second", "first"], bodies
    assert internal.startswith("HTTP/1.1 404") and len(second.heads) == 2, (internal, second.heads)

    findings = sorted(f.line for f in _lint(conf) if f.rule == "SEC002")
    assert findings == [_line_of(conf, "location /to "), _line_of(conf, "location /chosen ")]
