"""Real nginx proves TLS001/TLS002 on stream and mail servers (issue 16).

The claim those rules make of a `stream {}` or `mail {}` server is "this
server enables TLSv1 (or SSLv3)". Here nginx 1.22.1 with Debian's dynamic
stream and mail modules (load_module, the paths libnginx-mod-stream and
libnginx-mod-mail install) first accepts the config under `nginx -t`, and
nginxlint reports no SYN/INC error on it (load_module, stream and mail
blocks are all stock); then serves a stream server on loopback, and TLS
handshakes pinned to one protocol version each (Python's ssl, the same
OpenSSL library `openssl s_client -tls1_2` uses) succeed exactly for the
versions its ssl_protocols lists, while TLS002 fires exactly when one of
them is TLSv1 or TLSv1.1.

TLSv1 needs security level 0 on both ends with OpenSSL 3 (ssl_ciphers
DEFAULT:@SECLEVEL=0); where the local OpenSSL cannot offer TLSv1 at all,
that version is left out of the comparison. Without nginx or the modules
the tests skip locally; under CI (`CI=true`, where .ci/run installs them)
they fail.
"""
from __future__ import annotations

import socket
import ssl
import subprocess
import time
import warnings
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare

from .conftest import require_nginx_modules, require_tool
from .test_security_nginx import _serving

pytestmark = pytest.mark.nginx

OPTIONS = CheckOptions(nginx_version="1.22.1")
VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1, "TLSv1.2": ssl.TLSVersion.TLSv1_2,
            "TLSv1.3": ssl.TLSVersion.TLSv1_3}


@pytest.fixture(scope="module")
def nginx() -> str:
    return require_tool("nginx", "stream and mail TLS cannot be checked with nginx", "/usr/sbin/nginx")


@pytest.fixture(scope="module")
def modules(nginx) -> str:
    return require_nginx_modules()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("cert")
    openssl = require_tool("openssl", "nginx -t needs a certificate for listen ... ssl")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test",
                    "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")], check=True, capture_output=True)
    return directory / "cert.pem", directory / "key.pem"


def _config(prefix: Path, modules: str, certificate: tuple[Path, Path], protocols: str, port: int, mail_port: int) -> Path:
    """nginx.conf: the modules loaded, a stream server answering "hi" over TLS
    with these protocols, a mail (IMAP) server with SSLv3 in its list."""
    cert, key = certificate
    text = modules + f"""pid {prefix / 'nginx.pid'};
events {{}}
stream {{
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_ciphers DEFAULT:@SECLEVEL=0;
        ssl_protocols {protocols};
        return "hi\\n";
    }}
}}
mail {{
    server_name mail.example.com;
    auth_http 127.0.0.1:9/auth;
    server {{
        listen 127.0.0.1:{mail_port} ssl;
        protocol imap;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols SSLv3 TLSv1.2;
    }}
}}
"""
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "logs").mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


def _line(conf: Path, text: str, start: int = 0) -> int:
    lines = conf.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if number > start and text in line)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _client(version: ssl.TLSVersion) -> ssl.SSLContext | None:
    """A client that offers only `version`, or None when this OpenSSL cannot."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():  # Python deprecates TLSv1 and TLSv1.1, which is the point here
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = version
    except (ValueError, ssl.SSLError):
        return None
    return context


def _handshake(port: int, context: ssl.SSLContext, deadline: float) -> str | None:
    """The protocol a handshake on 127.0.0.1:port agreed on (after reading
    the server's "hi"), None when the server refused it."""
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as raw, context.wrap_socket(raw) as tls:
                assert tls.recv(16) == b"hi\n"
                return tls.version()
        except (ssl.SSLError, ConnectionResetError):
            return None
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.parametrize("protocols", ["TLSv1 TLSv1.2", "TLSv1.2 TLSv1.3"])
def test_stream_server_enables_what_nginxlint_says(nginx, modules, certificate, tmp_path, protocols):
    conf = _config(tmp_path, modules, certificate, protocols, _free_port(), _free_port())
    tested = subprocess.run([nginx, "-t", "-q", "-p", f"{tmp_path}/", "-c", str(conf), "-e", str(tmp_path / "startup.log")],
                            capture_output=True, text=True, timeout=30)
    assert tested.returncode == 0, tested.stderr

    findings = check([str(conf)], OPTIONS, prepare(OPTIONS)).findings
    rejections = [(f.rule, f.line, f.message) for f in findings if f.rule.startswith(("SYN", "INC"))]
    assert not rejections, rejections  # load_module, stream and mail: nothing nginx -t refuses
    tls = {(f.rule, f.line) for f in findings if f.rule.startswith("TLS")}
    stream_line, mail_line = _line(conf, "ssl_protocols"), _line(conf, "ssl_protocols SSLv3")
    legacy = {"TLSv1", "TLSv1.1"} & set(protocols.split())
    assert tls == {("TLS001", mail_line)} | ({("TLS002", stream_line)} if legacy else set())

    port = int(conf.read_text().split("listen 127.0.0.1:")[1].split()[0])
    clients = {name: _client(version) for name, version in VERSIONS.items()}
    with _serving(nginx, tmp_path, conf):
        deadline = time.monotonic() + 10
        agreed = {name: _handshake(port, context, deadline) for name, context in clients.items() if context}
    assert {name for name, got in agreed.items() if got} == set(protocols.split()) & set(agreed), agreed
    assert all(got in (None, name) for name, got in agreed.items()), agreed
    assert {"TLSv1.2", "TLSv1.3"} <= set(agreed)  # at least one enabled and one disabled version tried
