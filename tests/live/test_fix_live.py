"""`nginxlint fix` on the pre-WSS backup, judged on the wire: after
`fix --write --unsafe-fixes --pack websocket-streaming`, a real WebSocket
client completes the handshake through real nginx on every endpoint of both
names, and the backend receives every header the fixes added or copied."""
from __future__ import annotations

import shutil

import pytest

from ..conftest import run_cli_here
from .test_samples_live import BACKUP, ENDPOINTS, assert_upgrades_and_forwards_every_header

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
    assert_upgrades_and_forwards_every_header(fixed, host, path, live, lint)
