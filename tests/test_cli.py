"""The command line: options, exit codes, formats, stdin."""
from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import REPO, run_cli

BACKUP = "sample_configs/gmai.sa.backup"
WARNINGS_ONLY = """\
server {
    listen 80;
    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection upgrade;
        proxy_read_timeout 2h;
        proxy_send_timeout 2h;
    }
}
"""
STREAMING = ("--pack", "websocket-streaming")  # WARNINGS_ONLY falls short of the opt-in streaming policy only


def nginxlint(*args, stdin: str = ""):
    code, out, err = run_cli(list(args), REPO, stdin.encode())
    return subprocess.CompletedProcess(args, code, out, err)


def _rules(run) -> set[str]:
    return {f["rule"] for f in json.loads(run.stdout)["findings"]}


def test_text_report_has_a_table_and_a_summary():
    run = nginxlint("check", BACKUP)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0] == BACKUP  # findings grouped by file, the file heading its table
    assert lines[1].split() == ["line", "rule", "severity", "affects", "message"]
    assert lines[-1] == "66 findings (8 error, 56 warning, 2 info) in 1 file"


def test_clean_run_exits_0():
    run = nginxlint("check", "sample_configs/gmai.sa")
    assert (run.returncode, run.stdout) == (0, "0 findings (0 error, 0 warning, 0 info) in 1 file\n")


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_threshold(fail_on, code):
    # Long but finite timeouts pass with a 1h minimum; only warnings remain.
    run = nginxlint("check", "-", "--fail-on", fail_on, "--format", "json", "--param", "websocket_min_timeout=1h",
                    *STREAMING, stdin=WARNINGS_ONLY)
    assert run.returncode == code
    assert _rules(run) == {"WS005", "WS006", "WS007", "WS010"}


def test_param_overrides_the_policy_default():
    assert "WS008" in _rules(nginxlint("check", "-", "--format", "json", *STREAMING, stdin=WARNINGS_ONLY))
    assert "WS008" not in _rules(nginxlint("check", "-", "--format", "json", "--param", "websocket_min_timeout=2h",
                                           *STREAMING, stdin=WARNINGS_ONLY))


def test_nginx_version_changes_the_proxy_http_version_default():
    without_version = WARNINGS_ONLY.replace("        proxy_http_version 1.1;\n", "")
    assert "WS001" in _rules(nginxlint("check", "-", "--format", "json", stdin=without_version))
    assert "WS001" not in _rules(nginxlint("check", "-", "--format", "json", "--nginx-version", "1.29.7",
                                           stdin=without_version))


def test_stdin_findings_name_stdin():
    document = json.loads(nginxlint("check", "-", "--format", "json", *STREAMING, stdin=WARNINGS_ONLY).stdout)
    assert {f["file"] for f in document["findings"]} == {"<stdin>"}


def test_user_policy_adds_to_the_builtin_packs(tmp_path):
    policy = tmp_path / "site.yaml"
    policy.write_text("""\
pack: site
rules:
  - id: SITE001
    name: no-plain-http
    severity: error
    summary: Every server listens with TLS.
    message: "server {server} does not terminate TLS"
    select: {kind: server, tls: "false"}
    assert: {directive: listen, matches: "^$"}
""")
    run = nginxlint("check", "-", "--format", "json", "--policy", str(policy), *STREAMING, stdin=WARNINGS_ONLY)
    assert {"SITE001", "WS005"} <= _rules(run)


def test_missing_path_exits_2_but_still_lints_the_rest():
    run = nginxlint("check", "no/such/file.conf", "sample_configs/gmai.sa.backup", "--format", "json")
    assert run.returncode == 2
    assert run.stderr.strip() == "nginxlint: error: no/such/file.conf: no such file or directory"
    document = json.loads(run.stdout)
    assert document["errors"] == [{"file": "no/such/file.conf", "line": None, "message": "no such file or directory"}]
    assert document["summary"]["findings"] == 66


def test_bad_policy_fails_before_any_config_is_read(tmp_path):
    policy = tmp_path / "bad.yaml"
    policy.write_text("pack: bad\nrules:\n  - id: BAD001\n    severity: fatal\n")
    run = nginxlint("check", "does-not-exist.conf", "--policy", str(policy))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip() == f"nginxlint: error: bad policy: {policy}:3: rule BAD001 has no name"


def test_version_and_help():
    assert nginxlint("--version").stdout.startswith("nginxlint, version ")
    assert "Exit 0" in nginxlint("check", "--help").stdout
