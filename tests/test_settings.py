"""Project config, --select/--ignore and per-rule severities."""
from __future__ import annotations

import json

import pytest

from nginxlint.findings.selection import Selection

from .conftest import REPO, run_cli

BACKUP = str(REPO / "sample_configs" / "gmai.sa.backup")


def _check(tmp_path, *args):
    code, out, err = run_cli(["check", BACKUP, "--format", "json", *args], tmp_path)
    return code, (json.loads(out) if out else None), err


def _rules(document) -> set[str]:
    return {f["rule"] for f in document["findings"]}


@pytest.mark.parametrize("select, ignore, wanted", [
    ((), (), {"WS001", "WS008", "HDR001"}),
    (("WS",), (), {"WS001", "WS008"}),
    ((), ("WS",), {"HDR001"}),
    (("WS008",), ("WS",), {"WS008"}),       # the longer prefix wins
    (("WS00",), ("WS008",), {"WS001"}),
])
def test_selection_longest_prefix_wins(select, ignore, wanted):
    selection = Selection(select, ignore)
    assert {r for r in ("WS001", "WS008", "HDR001") if selection.wants(r)} == wanted


def test_select_and_ignore_on_the_command_line(tmp_path):
    assert _rules(_check(tmp_path, "--select", "WS008,HDR")[1]) == {"WS008", "HDR001"}
    assert _rules(_check(tmp_path, "--ignore", "WS00", "--ignore", "HDR001,TLS")[1]) == {"WS010"}


def test_unknown_select_value_is_an_error(tmp_path):
    code, _, err = _check(tmp_path, "--select", "WX")
    assert code == 2 and err.strip() == "nginxlint: error: bad policy: --select/--ignore: select/ignore names no rule: WX"


def test_yaml_project_config_is_found_upwards_and_the_command_line_wins(tmp_path):
    (tmp_path / ".nginxlint.yaml").write_text(
        "select: [WS008, WS009]\nseverity:\n  WS009: info\nfail-on: error\nformat: json\n"
        "params:\n  websocket_min_timeout: 30s\n")
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    code, out, _ = run_cli(["check", BACKUP], sub)  # format json from the file
    document = json.loads(out)
    assert code == 0 and _rules(document) == set()  # the 60s defaults meet a 30s minimum
    code, out, _ = run_cli(["check", BACKUP, "--param", "websocket_min_timeout=1d", "--fail-on", "info"], sub)
    severities = {(f["rule"], f["severity"]) for f in json.loads(out)["findings"]}
    assert severities == {("WS008", "error"), ("WS009", "info")} and code == 1


def test_pyproject_tool_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.nginxlint]\nignore = ["WS", "HDR", "TLS"]\n')
    code, document, _ = _check(tmp_path)
    assert code == 0 and document["findings"] == []


@pytest.mark.parametrize("name, text, where", [
    (".nginxlint.yaml", "select: [WS]\ncolour: blue\n", ".nginxlint.yaml:2: unknown setting 'colour'"),
    (".nginxlint.yaml", "fail-on: fatal\n", ".nginxlint.yaml:1: fail-on must be one of error, warning, info"),
    (".nginxlint.yaml", "select: WS\nparams: [a, b]\n", ".nginxlint.yaml:2: params must map names"),
    (".nginxlint.yaml", "nginx-version: latest\n", ".nginxlint.yaml:1: invalid nginx version"),
    ("pyproject.toml", "[tool.nginxlint]\nselect = [\"WS\"]\nfail-on = 3\n", "pyproject.toml:3: fail-on must be a string"),
    ("pyproject.toml", "[tool.nginxlint]\nselect = [\n", "pyproject.toml:3: invalid TOML"),
])
def test_bad_project_config_names_file_and_line(tmp_path, name, text, where):
    (tmp_path / name).write_text(text)
    code, document, err = _check(tmp_path)
    assert code == 2 and document is None
    assert err.startswith(f"nginxlint: error: bad config: {tmp_path / name}:{where.split(':', 1)[1]}"), err


def test_explicit_config_file_and_unknown_severity_rule(tmp_path):
    config = tmp_path / "lint.yaml"
    config.write_text("severity:\n  WS077: info\n")
    code, _, err = _check(tmp_path, "--config", str(config))
    assert code == 2 and "WS077" in err and "no such rule" in err


@pytest.mark.parametrize("text, where", [
    ("select: [WS]\nparams:\n  websocket_min_timeout: 30s\n  websocket_max_body_size: lots\n",
     ".nginxlint.yaml:4: parameter websocket_max_body_size: invalid size 'lots'"),
    ("params:\n  no_such_param: 1m\n", ".nginxlint.yaml:2: unknown parameter 'no_such_param'"),
])
def test_a_bad_param_in_the_project_config_names_its_file_and_line(tmp_path, text, where):
    (tmp_path / ".nginxlint.yaml").write_text(text)
    code, document, err = _check(tmp_path)
    assert code == 2 and document is None
    assert err.startswith(f"nginxlint: error: bad policy: {tmp_path / where}"), err
    code, _, err = _check(tmp_path, "--param", "websocket_min_timeout=forever")  # the command line is still --param
    assert code == 2 and "--param: parameter websocket_min_timeout" in err, err
