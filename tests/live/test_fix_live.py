"""`nginxlint fix` on the pre-WSS backup, judged on the wire: after
`fix --write --unsafe-fixes --pack websocket-streaming`, a real WebSocket
client completes the handshake through real nginx on every endpoint of both
names, and the backend receives every header the fixes added or copied."""
from __future__ import annotations

import shutil

import pytest

from ..conftest import run_cli_here
from .harness import LOOPBACK
from .test_rules_live import handshake
from .test_samples_live import BACKUP, ENDPOINTS, rules_at, stage

pytestmark = pytest.mark.live


@pytest.fixture
def fixed(tmp_path):
    target = tmp_path / "gmai.sa.backup"
    shutil.copy(BACKUP, target)
    code, _, err = run_cli_here(["fix", "--write", "--unsafe-fixes", "--pack", "websocket-streaming", target.name], tmp_path)
    assert code == 0, err
    return target


@pytest.mark.parametrize(("host", "path"), ENDPOINTS)
def test_fixed_backup_upgrades_and_forwards_every_header(host, path, fixed, live, lint):
    assert rules_at(lint, fixed, host, path) == set()
    live.start(stage(fixed, live))
    assert handshake(live, host, path) == 101
    request = live.backend.wait_for_requests()[0]
    assert (request.method, request.target, request.version) == ("GET", path, "HTTP/1.1")
    expected = {
        "Upgrade": "websocket", "Connection": "upgrade", "Host": host,
        "X-Real-IP": LOOPBACK, "X-Forwarded-For": LOOPBACK, "X-Forwarded-Proto": "https",
        "X-Forwarded-Ssl": "on", "X-Forwarded-Host": host, "X-Forwarded-Port": str(live.ports.tls),
    }
    assert {name: request.header(name) for name in expected} == expected
