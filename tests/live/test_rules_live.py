"""Each WebSocket rule shown live: what real nginx does with and without it.

One template site (TLS for dev.gmai.sa and api.gmai.sa, a WebSocket
location /ws/ meeting every requirement) and, per rule, one substitution
that breaks that rule alone. For each pair both halves are asserted:
nginxlint flags exactly that rule, at the right line, on the violating
config and nothing on the compliant one; and a real wss:// client through
real nginx to a recording backend observes the difference the rule's docs
describe. The linter is told the version of the nginx that runs.

Timeouts are scaled down with the websocket_min_timeout parameter (4s, not
a day) so the timing experiments take seconds.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from websockets import ConnectionClosed
from websockets.exceptions import InvalidStatus

from .harness import WAIT, HarnessError, Live, Ports

pytestmark = pytest.mark.live

MIN_TIMEOUT = "4s"
PARAMS = {"websocket_min_timeout": MIN_TIMEOUT}

SITE = """\
map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}

upstream voice_backend {
    server 127.0.0.1:<backend_port>;
}

server {
    listen 127.0.0.1:<tls_port> ssl;
    server_name dev.gmai.sa api.gmai.sa;
    ssl_certificate     <cert>;
    ssl_certificate_key <key>;
    proxy_set_header X-Real-IP $remote_addr;

    location /ws/ {
        proxy_pass http://voice_backend;
        <http_version>
        <upgrade>
        <connection>
        <real_ip>
        <forwarded_ssl>
        <forwarded_host>
        <forwarded_port>
        <request_buffering>
        <read_timeout>
        <send_timeout>
        <body_size>
    }
}
"""

COMPLIANT = {
    "http_version": "proxy_http_version 1.1;",
    "upgrade": "proxy_set_header Upgrade $http_upgrade;",
    "connection": "proxy_set_header Connection $connection_upgrade;",
    "real_ip": "proxy_set_header X-Real-IP $remote_addr;",
    "forwarded_ssl": "proxy_set_header X-Forwarded-Ssl on;",
    "forwarded_host": "proxy_set_header X-Forwarded-Host $host;",
    "forwarded_port": "proxy_set_header X-Forwarded-Port $server_port;",
    "request_buffering": "proxy_request_buffering off;",
    "read_timeout": f"proxy_read_timeout {MIN_TIMEOUT};",
    "send_timeout": f"proxy_send_timeout {MIN_TIMEOUT};",
    "body_size": "client_max_body_size 1k;",
}

# Larger than client_max_body_size 1k: every compliant handshake also shows
# that the limit does not apply to WebSocket frames after the 101.
MESSAGE = "voice " * 700
TIMED_OUT = "upstream timed out (110: Connection timed out) while proxying upgraded connection"


def site(live: Live, **changes: str) -> Callable[[Ports], str]:
    """The template with COMPLIANT slots, `changes` applied, for the ports Live picks."""
    values = {**COMPLIANT, **changes, "backend_port": live.backend.port, "cert": live.certs.cert, "key": live.certs.key}
    return lambda ports: re.sub(r"<(\w+)>", lambda m: str({**values, "tls_port": ports.tls}[m[1]]), SITE)


def line_of(text: str, marker: str) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), 1) if marker in line]
    assert len(lines) == 1, f"{marker!r} should be on exactly one line of the config, is on {lines}"
    return lines[0]


# -- probes: what a client does, reduced to what it observed ----------------------------


def handshake(live: Live, host: str = "dev.gmai.sa", path: str = "/ws/echo") -> int:
    """101 when a WebSocket opened and echoed MESSAGE, else the status the client got instead."""
    try:
        with live.websocket(host, path) as ws:
            ws.send(MESSAGE)
            assert ws.recv(timeout=WAIT) == MESSAGE
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


def upgrade(see: Callable, host: str = "dev.gmai.sa") -> Callable[[Live], tuple]:
    """Probe: a WebSocket handshake to `host`; (status, see(live, the request the backend received))."""
    def probe(live: Live) -> tuple:
        status = handshake(live, host)
        return status, see(live, live.backend.wait_for_requests()[0])
    return probe


def header(name: str) -> Callable:
    return lambda live, request: request.header(name)


def version(live, request) -> str:
    return request.version


def tls_port_sent(live, request) -> bool:
    return request.header("X-Forwarded-Port") == str(live.ports.tls)


def slow_upload(live: Live) -> tuple[int, bool, bool]:
    """POST 3 pieces 0.4 s apart: (status, did the request head, did the first body bytes reach the
    backend before the client started sending the last piece?)."""
    response = live.http("dev.gmai.sa", "POST", "/ws/upload", (b"x" * 200,) * 3, pause=0.4)
    request = live.backend.wait_for_requests()[0]
    assert sum(size for _, size in request.body) == 600, request
    last = response.sending[-1]
    return response.status, request.arrived < last, request.body[0][0] < last


def upload(size: int) -> Callable[[Live], tuple[int, int]]:
    """Probe: POST a body of `size` bytes; (status, how many requests reached the backend)."""
    def probe(live: Live) -> tuple[int, int]:
        status = live.http("dev.gmai.sa", "POST", "/ws/upload", (bytes(size),)).status
        return status, len(live.backend.wait_for_requests(timeout=0.2))
    return probe


def closed_by_nginx(live: Live) -> str:
    timed_out = TIMED_OUT in live.nginx.logs()
    return "closed: upstream timed out" if timed_out else "closed without a timeout in nginx's log"


def idle(live: Live) -> str:
    """Open a WebSocket and stay silent for 2 s: still open (and echoing), or closed by nginx?"""
    with live.websocket("dev.gmai.sa", "/ws/echo") as ws:
        try:
            unexpected = ws.recv(timeout=2)
            return f"unexpected message {unexpected!r}"
        except TimeoutError:
            ws.send(MESSAGE)
            assert ws.recv(timeout=WAIT) == MESSAGE
            return "open after 2s idle"
        except ConnectionClosed:
            return closed_by_nginx(live)


def stalled_backend(live: Live) -> str:
    """Send to a backend that never reads until nothing moves (buffers full), then wait 2 s: open or closed?

    Only now does nginx wait on a write to the backend, the one state in
    which proxy_send_timeout runs in a tunnel."""
    with live.websocket("dev.gmai.sa", "/ws/stall") as ws:
        last_sent, stopped = [time.monotonic()], threading.Event()

        def push():
            try:
                while True:
                    ws.send(bytes(256 * 1024))
                    last_sent[0] = time.monotonic()
            except (ConnectionClosed, OSError):
                pass  # nginx closed the tunnel, or the probe shut the socket
            finally:
                stopped.set()

        sender = threading.Thread(target=push, name="stall-sender", daemon=True)
        sender.start()
        try:
            deadline = time.monotonic() + WAIT
            while time.monotonic() - last_sent[0] < 0.5:
                if stopped.is_set():
                    return "closed before the tunnel backed up"
                if time.monotonic() > deadline:
                    raise HarnessError(f"the tunnel to a backend that does not read never backed up in {WAIT}s")
                time.sleep(0.05)
            return closed_by_nginx(live) if stopped.wait(2) else "open after 2s stalled"
        finally:
            if not stopped.is_set():
                ws.socket.shutdown(socket.SHUT_RDWR)  # unblocks the sender
            sender.join(WAIT)


# -- the experiments ---------------------------------------------------------------


@dataclass(frozen=True)
class Experiment:
    rule: str
    slot: str  # the COMPLIANT slot the violation replaces
    violation: str  # "" removes the directive, so nginx's default applies
    probe: Callable[[Live], object]
    compliant: object  # what the probe observes on the compliant config
    violating: object  # ... and on the violating one
    at: str = ""  # text on the line the finding must name; default: the violation, or the location
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or self.rule

    @property
    def marker(self) -> str:
        return self.at or self.violation or "location /ws/ {"


EXPERIMENTS = [
    # nginx 1.22 speaks HTTP/1.0 to the backend by default; websockets answers 505.
    Experiment("WS001", "http_version", "", upgrade(version), (101, "HTTP/1.1"), (505, "HTTP/1.0")),
    # Upgrade is hop-by-hop: without proxy_set_header the backend never sees it and answers 426.
    Experiment("WS002", "upgrade", "", upgrade(header("Upgrade")), (101, "websocket"), (426, None)),
    # nginx's own default is Connection: close; the keep-alive recipe "" removes the header.
    Experiment("WS003", "connection", "", upgrade(header("Connection")), (101, "upgrade"), (426, "close"),
               name="WS003-default-close"),
    Experiment("WS003", "connection", 'proxy_set_header Connection "";', upgrade(header("Connection")),
               (101, "upgrade"), (426, None), name="WS003-keepalive-recipe"),
    Experiment("WS004", "forwarded_ssl", "", upgrade(header("X-Forwarded-Ssl")), (101, "on"), (101, None)),
    Experiment("WS005", "forwarded_host", "", upgrade(header("X-Forwarded-Host"), host="api.gmai.sa"),
               (101, "api.gmai.sa"), (101, None)),
    Experiment("WS006", "forwarded_port", "", upgrade(tls_port_sent), (101, True), (101, False)),
    # Buffering on: nothing of the body, not even the request head, reaches the backend until the upload ends.
    Experiment("WS007", "request_buffering", "", slow_upload, (200, True, True), (200, False, False)),
    Experiment("WS008", "read_timeout", "proxy_read_timeout 1s;", idle,
               "open after 2s idle", "closed: upstream timed out"),
    # proxy_send_timeout runs only while nginx waits to write to a backend that does not read...
    Experiment("WS009", "send_timeout", "proxy_send_timeout 1s;", stalled_backend,
               "open after 2s stalled", "closed: upstream timed out"),
    # ... so an idle tunnel outlives it (the linter still flags it: the idle case is not its point).
    Experiment("WS009", "send_timeout", "proxy_send_timeout 1s;", idle,
               "open after 2s idle", "open after 2s idle", name="WS009-idle-is-not-affected"),
    # The compliant 1k limit answers 413 from nginx itself; the backend never sees the request.
    Experiment("WS010", "body_size", "", upload(2048), (413, 0), (200, 1), name="WS010-default-1m"),
    Experiment("WS010", "body_size", "client_max_body_size 0;", upload(2048), (413, 0), (200, 1), name="WS010-unlimited"),
    # The server-level X-Real-IP is not inherited by a location with its own proxy_set_header.
    Experiment("HDR001", "real_ip", "", upgrade(header("X-Real-IP")), (101, "127.0.0.1"), (101, None),
               at="proxy_set_header Upgrade"),
]


def findings(lint, nginx) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in lint(nginx.site, **PARAMS)]


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda e: e.id)
def test_rule_shown_live(experiment, live, lint):
    compliant = live.start(site(live))
    assert findings(lint, compliant) == []
    seen = experiment.probe(live)
    assert seen == experiment.compliant, "compliant config"

    violating = live.start(site(live, **{experiment.slot: experiment.violation}))
    expected_line = line_of(violating.site.read_text(), experiment.marker)
    assert findings(lint, violating) == [(experiment.rule, expected_line)]
    seen = experiment.probe(live)
    assert seen == experiment.violating, "violating config"


# -- what the docs say beyond compliant/violating -------------------------------------


HEADER_VALUES = [
    # WS005: with server_name dev.gmai.sa api.gmai.sa, only $host names the site that was asked for.
    ("forwarded_host", "X-Forwarded-Host", "$host", "api.gmai.sa"),  # the requested name, without the port
    ("forwarded_host", "X-Forwarded-Host", "$server_name", "dev.gmai.sa"),  # the server's first name, always
    ("forwarded_host", "X-Forwarded-Host", "$http_host", "api.gmai.sa:{port}"),  # the client's raw Host header
    # WS004: $https is "on" over TLS; a value that is empty makes nginx leave the header out.
    ("forwarded_ssl", "X-Forwarded-Ssl", "$https", "on"),
    ("forwarded_ssl", "X-Forwarded-Ssl", "$http_x_no_such_header", None),
]


@pytest.mark.parametrize(("slot", "name", "value", "sent"), HEADER_VALUES, ids=[f"{n}={v}" for _, n, v, _ in HEADER_VALUES])
def test_what_a_header_value_sends_for_the_second_server_name(slot, name, value, sent, live):
    """The values the docs of WS004 and WS005 contrast, as the backend receives them for api.gmai.sa."""
    live.start(site(live, **{slot: f"proxy_set_header {name} {value};"}))
    status, received = upgrade(header(name), host="api.gmai.sa")(live)
    assert (status, received) == (101, sent and sent.format(port=live.ports.tls))


@pytest.mark.parametrize("path", ["/ws/sink", "/ws/tick"], ids=["client-to-backend", "backend-to-client"])
def test_tunnel_traffic_either_way_rearms_the_read_timeout(path, live):
    """WS008's docs: proxy_read_timeout counts silence in both directions.

    With a 1 s timeout, a tunnel where only the client talks (sink: the
    backend never answers) or only the backend talks (tick: a message every
    0.3 s, the client never sends) stays open for 2.5 s."""
    live.start(site(live, read_timeout="proxy_read_timeout 1s;"))
    with live.websocket("dev.gmai.sa", path) as ws:
        end = time.monotonic() + 2.5
        while time.monotonic() < end:
            if path.endswith("sink"):
                ws.send("speaking")
                time.sleep(0.3)
            else:
                assert ws.recv(timeout=WAIT) == "tick"
        assert ws.ping().wait(WAIT), "the tunnel no longer answers"
    assert TIMED_OUT not in live.nginx.logs()
