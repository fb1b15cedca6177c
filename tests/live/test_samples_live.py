"""The reference deployment, end to end, and its pre-WSS backup failing where nginxlint says.

sample_configs/gmai.sa and gmai.sa.backup run under real nginx as they are,
with only what ties them to the production host rewritten (certificates,
log paths, ports 80/443, the backend address), line for line, so a line
nginxlint reports on the sample is the line nginx runs. A wss:// client
opens every WebSocket endpoint on both names and the backend records what
nginx sends it.

The backup's 60 s idle timeout (WS008, WS009) is too long to wait for here;
test_rules_live shows both timeouts with the threshold scaled down.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from .harness import LOOPBACK, Live, Ports
from .test_rules_live import handshake, slow_upload, upload

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "sample_configs"
REFERENCE, BACKUP = SAMPLES / "gmai.sa", SAMPLES / "gmai.sa.backup"
HOSTS = ("dev.gmai.sa", "api.gmai.sa")
WS_PATHS = ("/api/v1/ws/simple-voice-chat", "/api/v1/ws/streaming-voice", "/api/v1/ws/", "/ws/")
ENDPOINTS = [(host, path) for host in HOSTS for path in WS_PATHS]
# What the backup sets at server level and its WebSocket locations lose (HDR001),
# and what it never sets (WS004-WS006).
SERVER_LEVEL = ("X-Real-IP", "X-Forwarded-For", "X-Forwarded-Proto")
WSS_HEADERS = ("X-Forwarded-Ssl", "X-Forwarded-Host", "X-Forwarded-Port")

LISTEN = re.compile(r"\blisten\s+(443|80)\b")
IPV6_LISTEN = re.compile(r"\blisten\s+\[::\]:\d+[^;]*;")
HOST_SPECIFIC = re.compile(r"\blisten\s+(\[::\]:)?(80|443)\b|/etc/letsencrypt|/var/log|127\.0\.0\.1:8000\b")


def stage(sample: Path, live: Live) -> Callable[[Ports], str]:
    """The sample as nginx can run it here; every line keeps its number.

    Like tests/test_samples_nginx.py's _stage, plus what serving needs:
    the test CA's leaf as the Let's Encrypt certificate, the upstream on the
    backend's port, IPv4 loopback only (the [::] listens become comments)."""
    text = sample.read_text()

    def render(ports: Ports) -> str:
        out = text.replace("/etc/letsencrypt/live/gmai.sa/fullchain.pem", str(live.certs.cert))
        out = out.replace("/etc/letsencrypt/live/gmai.sa/privkey.pem", str(live.certs.key))
        out = out.replace("/var/log/nginx", str(live.logs))
        out = out.replace("server 127.0.0.1:8000;", f"server {LOOPBACK}:{live.backend.port};")
        out = IPV6_LISTEN.sub("# IPv6 listen left out: the test serves 127.0.0.1 only", out)
        out = LISTEN.sub(lambda m: f"listen {LOOPBACK}:{ports.tls if m[1] == '443' else ports.plain}", out)
        assert not HOST_SPECIFIC.search(out), f"unrewritten host-specific setting in {sample.name}"
        return out

    return render


def rules_at(lint, sample: Path, host: str, location: str) -> set[str]:
    return {f.rule for f in lint(sample) if (f.server, f.location) == (host, location)}


def assert_upgrades_and_forwards_every_header(sample: Path, host: str, path: str, live: Live, lint) -> None:
    """The linter finds nothing at the endpoint, and on the wire a real
    client upgrades through nginx with every header the policy asks for."""
    assert rules_at(lint, sample, host, path) == set()
    live.start(stage(sample, live))
    assert handshake(live, host, path) == 101
    request = live.backend.wait_for_requests()[0]
    assert (request.method, request.target, request.version) == ("GET", path, "HTTP/1.1")
    expected = {
        "Upgrade": "websocket", "Connection": "upgrade", "Host": host,
        "X-Real-IP": LOOPBACK, "X-Forwarded-For": LOOPBACK, "X-Forwarded-Proto": "https",
        "X-Forwarded-Ssl": "on", "X-Forwarded-Host": host, "X-Forwarded-Port": str(live.ports.tls),
    }
    assert {name: request.header(name) for name in expected} == expected


@pytest.mark.parametrize(("host", "path"), ENDPOINTS)
def test_reference_deployment_upgrades_and_forwards_every_header(host, path, live, lint):
    assert_upgrades_and_forwards_every_header(REFERENCE, host, path, live, lint)


@pytest.mark.parametrize(("host", "path"), ENDPOINTS)
def test_backup_websocket_locations_lose_the_forwarded_headers(host, path, live, lint):
    """WS001-WS003 pass and the tunnel opens; HDR001 and WS004-WS006 are flagged, and nginx
    indeed sends none of those headers, and Host falls back to the upstream's name."""
    rules = rules_at(lint, BACKUP, host, path)
    assert {"HDR001", "WS004", "WS005", "WS006"} <= rules and not rules & {"WS001", "WS002", "WS003"}
    live.start(stage(BACKUP, live))
    assert handshake(live, host, path) == 101
    request = live.backend.wait_for_requests()[0]
    assert (request.version, request.header("Upgrade"), request.header("Connection")) == ("HTTP/1.1", "websocket", "upgrade")
    assert {name: request.header(name) for name in SERVER_LEVEL + WSS_HEADERS} == dict.fromkeys(SERVER_LEVEL + WSS_HEADERS)
    assert request.header("Host") == "voice_backend"


@pytest.mark.parametrize("host", HOSTS)
def test_backup_plain_location_keeps_the_server_headers(host, live, lint):
    """location / sets no proxy_set_header of its own, so it inherits the server's: no finding, all sent."""
    assert rules_at(lint, BACKUP, host, "/") == set()
    live.start(stage(BACKUP, live))
    live.http(host, "GET", "/")
    request = live.backend.wait_for_requests()[0]
    expected = {"Host": host, "X-Real-IP": LOOPBACK, "X-Forwarded-For": LOOPBACK, "X-Forwarded-Proto": "https"}
    assert {name: request.header(name) for name in expected} == expected


@pytest.mark.parametrize(("rule", "probe", "reference", "backup"), [
    # (status, head early, first body bytes early): the backup holds a slow upload back until it ends.
    ("WS007", slow_upload, (200, True, True), (200, False, False)),
    # (status, requests reaching the backend): the backup's default 1m rejects a 1.5 MB body.
    ("WS010", upload(1_500_000), (200, 1), (413, 0)),
], ids=["WS007", "WS010"])
def test_backup_body_handling_differs_where_the_linter_says(rule, probe, reference, backup, live, lint):
    assert rule not in rules_at(lint, REFERENCE, "dev.gmai.sa", "/ws/")
    assert rule in rules_at(lint, BACKUP, "dev.gmai.sa", "/ws/")
    live.start(stage(REFERENCE, live))
    assert probe(live) == reference
    live.start(stage(BACKUP, live))
    assert probe(live) == backup
