"""The wheel is self-contained: after a non-editable `pip install .` into a
clean virtualenv, `nginxlint check` finds its built-in policies from any
directory."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO


@pytest.mark.slow
def test_wheel_installs_and_runs_from_any_directory(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    source = tmp_path / "src"  # a copy, so the build never writes into the checkout
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build"),
                    symlinks=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(source)],
                         capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    shutil.rmtree(source)  # the installed tool must not need the source tree

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    backup = elsewhere / "gmai.sa.backup"
    shutil.copy(REPO / "sample_configs" / "gmai.sa.backup", backup)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # the opt-in packs ship in the wheel too
    run = subprocess.run([str(venv / "bin" / "nginxlint"), "check", backup.name, "--format", "json",
                          "--pack", "websocket-streaming", "--pack", "hardening"],
                         capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60)
    assert run.returncode == 1, run.stderr
    assert {f["rule"] for f in json.loads(run.stdout)["findings"]} >= {"WS008", "HDR001", "TLS004"}
    module = subprocess.run([str(venv / "bin" / "python"), "-m", "nginxlint", "--version"],
                            capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60)
    assert module.returncode == 0 and "nginxlint" in module.stdout
