"""The live harness under bad conditions: it names the cause and leaves no process behind.

An experiment that cannot run must fail with nginx's own words (or the
backend's traceback), never hang and never leave nginx bound to a port.
"""
from __future__ import annotations

import socket

import pytest

from . import harness
from .harness import LOOPBACK, WAIT, Backend, BackendError, Nginx, NginxError, PortInUse
from .test_rules_live import handshake, site

pytestmark = pytest.mark.live


@pytest.fixture
def taken_port():
    """A loopback port some other process is listening on."""
    with socket.socket() as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen()
        yield holder.getsockname()[1]


def plain_site(port: int, extra: str = "") -> str:
    return f"server {{ listen {LOOPBACK}:{port}; {extra} return 204; }}\n"


def test_nginx_on_a_taken_port_reports_it_and_exits(nginx_bin, taken_port, tmp_path):
    nginx = Nginx(nginx_bin, tmp_path / "nginx")
    with pytest.raises(PortInUse, match=r"(?s)exited with status 1 at start:.*Address already in use"):
        nginx.start(plain_site(taken_port))
    assert nginx.proc.poll() is not None


def test_nginx_rejecting_its_config_shows_its_error_log(nginx_bin, tmp_path):
    nginx = Nginx(nginx_bin, tmp_path / "nginx")
    with pytest.raises(NginxError, match=r'unknown directive "voice_mode" in .*site.conf:1'):
        nginx.start(plain_site(harness.free_ports(1)[0], extra="voice_mode on;"))
    assert nginx.proc.poll() is not None


def test_live_start_moves_to_new_ports_when_its_port_was_taken(live, taken_port, monkeypatch):
    """Another process may bind a picked port before nginx does: start again elsewhere."""
    real = harness.free_ports
    picks = iter([[taken_port, *real(1)]])
    monkeypatch.setattr(harness, "free_ports", lambda count: next(picks, None) or real(count))
    live.start(site(live))
    assert live.ports.tls != taken_port
    assert [n.proc.poll() is not None for n in live.started] == [True, False]
    assert handshake(live) == 101


def test_backend_on_a_taken_port_reports_it(taken_port):
    backend = Backend()
    with pytest.raises(BackendError, match=f"could not listen on {LOOPBACK}:{taken_port}"):
        backend.start(taken_port)
    assert not backend._thread.is_alive()


def test_backend_handler_failure_is_reported_with_its_traceback():
    backend = Backend().start()
    try:
        with socket.create_connection((LOOPBACK, backend.port), timeout=WAIT) as client:
            client.sendall(b"NOT-HTTP\r\n\r\n")
        with pytest.raises(BackendError, match=r"(?s)Traceback.*malformed request line: 'NOT-HTTP'"):
            backend.wait_for_requests()
    finally:
        backend.stop()


def test_a_dead_backend_shows_as_502_with_the_cause_in_nginx_log(live):
    live.start(site(live))
    live.backend.stop()
    assert handshake(live) == 502
    assert "connect() failed (111: Connection refused) while connecting to upstream" in live.nginx.logs()
