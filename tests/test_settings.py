"""Project config, --select/--ignore and per-rule severities."""
from __future__ import annotations

import json
import shutil

import pytest

from nginxlint.findings.selection import Selection

from .conftest import REPO, run_cli

SAMPLE_BACKUP = REPO / "sample_configs" / "gmai.sa.backup"
STREAMING = ("--pack", "websocket-streaming")


def _backup(tmp_path) -> str:
    """A copy of the sample backup in tmp_path, away from sample_configs/.nginxlint.yaml
    (the config nearest the linted file is the one that counts)."""
    copy = tmp_path / "gmai.sa.backup"
    if not copy.exists():
        shutil.copy(SAMPLE_BACKUP, copy)
    return str(copy)


def _check(tmp_path, *args):
    code, out, err = run_cli(["check", _backup(tmp_path), "--format", "json", *args], tmp_path)
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
    assert _rules(_check(tmp_path, "--select", "WS008,HDR", *STREAMING)[1]) == {"WS008", "HDR001"}
    assert _rules(_check(tmp_path, "--ignore", "WS00", "--ignore", "HDR001,TLS", *STREAMING)[1]) == {"WS010"}


def test_selecting_only_rules_of_a_pack_that_is_off_is_an_error(tmp_path):
    code, _, err = _check(tmp_path, "--select", "WS008")
    assert code == 2 and "select names only rules of a pack that is off: WS008; turn it on with --pack websocket-streaming" in err


def test_unknown_select_value_is_an_error(tmp_path):
    code, _, err = _check(tmp_path, "--select", "WX")
    assert code == 2 and err.strip() == "nginxlint: error: bad policy: --select/--ignore: select/ignore names no rule: WX"


def test_yaml_project_config_is_found_upwards_and_the_command_line_wins(tmp_path):
    (tmp_path / ".nginxlint.yaml").write_text(
        "packs: [websocket-streaming]\nselect: [WS008, WS009]\nseverity:\n  WS009: info\nfail-on: error\nformat: json\n"
        "params:\n  websocket_min_timeout: 30s\n")
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    backup = str(SAMPLE_BACKUP)  # sample_configs/.nginxlint.yaml is the nearest to it: the working directory's is not asked
    assert _rules(json.loads(run_cli(["check", backup, "--format", "json"], sub)[1])) >= {"WS004", "WS008", "HDR001"}
    backup = _backup(tmp_path)  # here the nearest is tmp_path's, found upwards from the file
    code, out, _ = run_cli(["check", backup], sub)  # format json from the file
    document = json.loads(out)
    assert code == 0 and _rules(document) == set()  # the 60s defaults meet a 30s minimum
    code, out, _ = run_cli(["check", backup, "--param", "websocket_min_timeout=1d", "--fail-on", "info"], sub)
    severities = {(f["rule"], f["severity"]) for f in json.loads(out)["findings"]}
    assert severities == {("WS008", "error"), ("WS009", "info")} and code == 1


def test_directives_the_project_declares_are_not_unknown(tmp_path):
    """`directives:` names the project's own modules' directives: SYN005 spares them, not its typos of stock ones."""
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    gzp on;\n    acme_gzi on;\n    proxy_pas http://a;\n}\n")
    (tmp_path / ".nginxlint.yaml").write_text("select: [SYN005]\ndirectives: [gzp, acme_*]\nformat: json\n")
    code, out, _ = run_cli(["check", "nginx.conf"], tmp_path)
    assert code == 1 and [(f["rule"], f["line"]) for f in json.loads(out)["findings"]] == [("SYN005", 5)]


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
    (".nginxlint.yaml", "directives: [acme_*, [x]]\n", ".nginxlint.yaml:1: directives must be a list of strings"),
])
def test_bad_project_config_names_file_and_line(tmp_path, name, text, where):
    (tmp_path / name).write_text(text)
    code, document, err = _check(tmp_path)
    assert code == 2 and document is None
    assert err.startswith(f"nginxlint: error: bad config: {tmp_path / name}:{where.split(':', 1)[1]}"), err


def test_project_config_found_from_the_working_directory_when_none_is_near_the_paths(tmp_path):
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    (project / ".nginxlint.yaml").write_text("packs: [websocket-streaming]\nformat: json\n")
    shutil.copy(SAMPLE_BACKUP, elsewhere / "site.conf")
    code, out, _ = run_cli(["check", "../elsewhere/site.conf"], project)
    assert code == 1 and "WS008" in _rules(json.loads(out))
    code, out, _ = run_cli(["check", "-"], project, SAMPLE_BACKUP.read_bytes())  # stdin: the working directory's too
    assert code == 1 and "WS008" in _rules(json.loads(out))


def test_project_config_nearest_the_common_folder_of_the_paths(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "b").mkdir()
    (site / ".nginxlint.yaml").write_text("packs: [websocket-streaming]\nformat: json\n")
    for folder in ("a", "b"):
        shutil.copy(SAMPLE_BACKUP, site / folder / "site.conf")
    (tmp_path / ".nginxlint.yaml").write_text("format: json\nignore: [WS]\n")  # the working directory's: not used
    code, out, _ = run_cli(["check", "site/a/site.conf", "site/b/site.conf"], tmp_path)
    assert code == 1 and {"WS004", "WS008", "WS010"} <= _rules(json.loads(out))


def test_unknown_pack_names_the_known_ones(tmp_path):
    code, _, err = _check(tmp_path, "--pack", "streaming")
    assert code == 2
    assert err.strip() == "nginxlint: error: --pack: unknown pack 'streaming' (known: hardening, security, tls, websocket, websocket-streaming)"
    (tmp_path / ".nginxlint.yaml").write_text("format: json\npacks:\n  - websocket-streaming\n  - voice\n")
    code, _, err = _check(tmp_path)
    assert code == 2 and err.strip() == f"nginxlint: error: {tmp_path / '.nginxlint.yaml'}:2: unknown pack 'voice' " \
                                        "(known: hardening, security, tls, websocket, websocket-streaming)"
    code, _, err = _check(tmp_path, "--config", str(tmp_path / "none.yaml"))
    assert code == 2


def test_packs_in_the_project_config_must_be_a_list_of_names(tmp_path):
    (tmp_path / ".nginxlint.yaml").write_text("packs: {websocket-streaming: on}\n")
    code, _, err = _check(tmp_path)
    assert code == 2 and f"{tmp_path / '.nginxlint.yaml'}:1: packs must be a list of strings" in err


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
