"""nginxlint on the shipped reference deployment: the compliant site is clean,
the pre-WSS backup fails with every missing requirement at its line, the
/etc/nginx tree is clean, and each broken file is caught where it breaks."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare

from .conftest import REPO, rule_lines, run_cli

BACKUP = "sample_configs/gmai.sa.backup"
# The eight WebSocket locations of the backup (dev, then api) and the line of
# each one's first own proxy_set_header, which drops the server's headers.
BACKUP_WS_LOCATIONS = [65, 73, 81, 89, 127, 135, 143, 151]
MISSING_IN_BACKUP = ["WS004", "WS005", "WS006", "WS007", "WS008", "WS009", "WS010"]


def _lint(*paths, **options):
    """In-process, without a project config: the reference deployment's own
    (sample_configs/.nginxlint.yaml) turns on websocket-streaming and hardening, as here."""
    options.setdefault("packs", ["websocket-streaming", "hardening"])
    opts = CheckOptions(**options)
    return check(list(paths), opts, prepare(opts))


def test_compliant_sample_is_clean(in_repo):
    result = _lint("sample_configs/gmai.sa")
    assert result.findings == () and result.errors == ()


def test_backup_names_every_missing_requirement_at_its_line(in_repo):
    result = _lint(BACKUP)
    expected = {(rule, BACKUP, line) for line in BACKUP_WS_LOCATIONS for rule in MISSING_IN_BACKUP}
    expected |= {("HDR001", BACKUP, line + 3) for line in BACKUP_WS_LOCATIONS}
    expected |= {("TLS004", BACKUP, 35), ("TLS004", BACKUP, 98)}  # the backup predates HSTS too
    assert rule_lines(result) == expected
    dropped = {r.line for f in result.findings if f.rule == "HDR001" for r in f.related}
    assert dropped == {54, 55, 56, 57, 116, 117, 118, 119}
    assert {f.server for f in result.findings} == {"dev.gmai.sa", "api.gmai.sa"}


def test_backup_timeout_finding_says_what_nginx_would_apply(in_repo):
    finding = next(f for f in _lint(BACKUP).findings if f.rule == "WS008")
    assert "60s (default for nginx 1.28)" in finding.message and "86400s" in finding.message


def test_etc_nginx_tree_is_clean_with_root(in_repo):
    result = _lint("sample_configs/tree/etc/nginx/nginx.conf", root="sample_configs/tree")
    assert result.findings == () and result.errors == () and result.files == 6


@pytest.mark.parametrize("name, rule, line", [
    ("unbalanced-missing-brace.conf", "SYN001", 14),  # the end of the file, as nginx says (test_samples_nginx.py)
    ("unbalanced-extra-brace.conf", "SYN001", 15),
    ("unterminated-quote.conf", "SYN001", 9),
    ("location-at-top-level.conf", "SYN002", 14),
    ("missing-include.conf", "INC003", 10),  # a fragment: the snippet may exist where it is deployed
    ("include-cycle-a.conf", "INC002", 3),
    ("unknown-directive-context.conf", "SYN002", 11),
])
def test_broken_samples_are_caught_where_they_break(in_repo, name, rule, line):
    path = f"sample_configs/broken/{name}"
    assert (rule, path if rule != "INC002" else "sample_configs/broken/include-cycle-b.conf", line) in rule_lines(_lint(path))


def test_cli_on_backup_exits_1_with_the_json_of_design_3(in_repo):
    run = subprocess.run([sys.executable, "-m", "nginxlint", "check", BACKUP, "--format", "json"],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    assert set(document) == {"version", "findings", "errors", "summary"} and document["version"] == 1
    first = document["findings"][0]
    assert set(first) == {"rule", "name", "severity", "message", "file", "line", "server", "location", "related"}
    assert document["summary"] == {"files": 1, "findings": 66, "error": 8, "warning": 56, "info": 2}
    hdr = next(f for f in document["findings"] if f["rule"] == "HDR001")
    assert hdr["related"][0] == {"file": BACKUP, "line": 54, "message": "proxy_set_header Host $host is not applied here"}


def test_regex_location_stealing_the_websocket_path_is_caught_by_a_request_targeted_policy(in_repo):
    steal = "sample_configs/gmai.sa.regex-steal"
    assert _lint(steal).findings == ()  # every location is compliant on its own
    result = _lint(steal, "sample_configs/gmai.sa", policies=["sample_configs/policies/gmai-site.yaml"])
    assert rule_lines(result) == {("SITE003", steal, 182)}
    assert {f.location for f in result.findings} == {"~ /ws/"}


def _cli_rule_lines(args, cwd) -> tuple[int, set[tuple]]:
    code, out, _ = run_cli(["check", *args, "--format", "json"], cwd)
    return code, {(f["rule"], f["line"]) for f in json.loads(out)["findings"]}


def test_readme_first_command_fails_the_backup_with_every_missing_requirement(in_repo, tmp_path):
    """`nginxlint check sample_configs/gmai.sa sample_configs/gmai.sa.backup`, from the repository root:
    sample_configs/.nginxlint.yaml (nearest the linted files) turns websocket-streaming on. From
    another folder, and for a copy of the backup anywhere with --pack websocket-streaming, the same."""
    expected = {(rule, line) for line in BACKUP_WS_LOCATIONS for rule in MISSING_IN_BACKUP}
    code, found = _cli_rule_lines(["sample_configs/gmai.sa", BACKUP], REPO)
    assert code == 1 and expected <= found
    code, elsewhere = _cli_rule_lines([str(REPO / "sample_configs/gmai.sa"), str(REPO / BACKUP)], tmp_path)
    assert (code, elsewhere) == (1, found)
    copy = tmp_path / "site.conf"
    copy.write_bytes((REPO / BACKUP).read_bytes())
    assert _cli_rule_lines([str(copy)], tmp_path)[1] & expected == set()  # the default: the streaming policy is opt-in
    assert _cli_rule_lines([str(copy), "--pack", "websocket-streaming", "--pack", "hardening"], tmp_path) == (1, found)
