"""Real nginx confirms the runtime facts the issue 16 security rules rest on.

- SEC025: `location /files { alias DIR; }` serves DIR_secret/ for
  /files_secret/ (the sibling folder).
- SEC004: nginx variable names are case-insensitive: `$HTTP_HOST` is the
  client's raw Host header, as `$http_host` is.
- SEC027: a header value written over two lines goes out with a bare line
  feed inside the header.
- SEC028: `add_header Content-Type` sends a second Content-Type beside the
  one nginx already sends.

Each test reuses test_security_nginx.py's tree and server helpers: a tiny
tree in tmp_path, nginx in the foreground on loopback, stopped after.
"""
from __future__ import annotations

import os
import time

import pytest

from . import test_security_nginx as harness
from .test_security_nginx import _free_port, _http, _line_of, _lint, _nginx_t, _serving, _tree

pytestmark = pytest.mark.nginx
nginx = harness.nginx  # the same fixture: the nginx binary, or a skip

# Workers read the files under tmp_path (mode 700): as root, they must run as root too.
WORKERS_AS_ME = "user root;\n" if os.geteuid() == 0 else ""


def test_sec025_alias_without_slashes_serves_the_sibling_folder(nginx, tmp_path):
    data = tmp_path / "data"
    (data / "files").mkdir(parents=True)
    (data / "files" / "public.txt").write_text("public\n")
    (data / "files_secret").mkdir()
    (data / "files_secret" / "key.txt").write_text("the secret\n")
    port = _free_port()
    conf = _tree(tmp_path, f"""\
        server {{
            listen 127.0.0.1:{port};
            location /files {{
                alias {data / 'files'};
            }}
        }}
        """, {}, main=WORKERS_AS_ME)
    with _serving(nginx, tmp_path, conf):
        deadline = time.monotonic() + 10
        assert _http(port, "/files/public.txt", "x", deadline)[1] == "public\n"
        head, body = _http(port, "/files_secret/key.txt", "x", deadline)
    assert head.startswith("HTTP/1.1 200") and body == "the secret\n", head

    findings = [(f.rule, f.line) for f in _lint(conf) if f.rule in ("SEC001", "SEC025")]
    assert findings == [("SEC025", _line_of(conf, "alias "))]


def test_sec004_variable_names_are_case_insensitive(nginx, tmp_path):
    """$HTTP_HOST is the client's Host header as sent, port and case kept: the
    same variable as $http_host, so SEC004 reads the name case-insensitively."""
    port = _free_port()
    conf = _tree(tmp_path, f"""\
        server {{
            listen 127.0.0.1:{port};
            location / {{
                return 200 "$HTTP_HOST|$host";
            }}
        }}
        """, {})
    with _serving(nginx, tmp_path, conf):
        body = _http(port, "/", "Evil.Example:8080", time.monotonic() + 10)[1]
    assert body == "Evil.Example:8080|evil.example"


def test_sec027_sec028_nginx_sends_a_second_content_type_and_a_bare_line_break(nginx, tmp_path):
    port = _free_port()
    conf = _tree(tmp_path, f"""\
        server {{
            listen 127.0.0.1:{port};
            location /ct {{
                default_type text/plain;
                add_header Content-Type application/json;
                return 200 "{{}}";
            }}
            location /nl {{
                add_header X-Policy "one
                    two";
                return 200 "x";
            }}
        }}
        """, {})
    assert _nginx_t(nginx, tmp_path, conf).returncode == 0  # nginx -t accepts both
    with _serving(nginx, tmp_path, conf):
        deadline = time.monotonic() + 10
        content_type = _http(port, "/ct", "x", deadline)[0]
        line_break = _http(port, "/nl", "x", deadline)[0]
    assert "\r\nContent-Type: text/plain\r\n" in content_type and "\r\nContent-Type: application/json" in content_type
    assert "\r\nX-Policy: one\n" in line_break, line_break  # a bare LF inside the header, no folding fixed

    findings = sorted((f.rule, f.line) for f in _lint(conf) if f.rule in ("SEC027", "SEC028"))
    assert findings == [("SEC027", _line_of(conf, "X-Policy")), ("SEC028", _line_of(conf, "Content-Type"))]
