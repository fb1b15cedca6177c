"""Output formats: SARIF valid against the official schema, GitHub workflow
commands escaped, reports written atomically with --output."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nginxlint.findings.records import Finding, LintResult, Related
from nginxlint.report import concise_report, github_report, sarif_report

from .conftest import REPO, run_cli

# The OASIS SARIF 2.1.0 schema (errata01), copied from shared/data.
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
BACKUP = "sample_configs/gmai.sa.backup"


def _sarif(*args) -> dict:
    code, out, _ = run_cli(["check", *args, "--format", "sarif"], REPO)
    assert code == 1
    return json.loads(out)


@pytest.mark.parametrize("paths", [[BACKUP], ["sample_configs/broken"], ["sample_configs"]])
def test_sarif_validates_against_the_schema(paths):
    jsonschema.validate(_sarif(*paths), SCHEMA)


def test_sarif_lists_every_rule_that_ran_with_its_documentation():
    driver = _sarif(BACKUP)["runs"][0]["tool"]["driver"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert {"SYN001", "INC002", "WS001", "WS010", "HDR001", "NLS001"} <= set(ids)
    ws008 = driver["rules"][ids.index("WS008")]
    assert ws008["defaultConfiguration"] == {"level": "error"}
    assert ws008["shortDescription"]["text"] and "proxy_read_timeout" in ws008["fullDescription"]["text"]
    assert "**Bad**" in ws008["help"]["markdown"]


def test_sarif_result_locations_levels_and_related():
    run = _sarif(BACKUP)["runs"][0]
    hdr = next(r for r in run["results"] if r["ruleId"] == "HDR001")
    assert hdr["level"] == "warning"
    location = hdr["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "sample_configs/gmai.sa.backup", "uriBaseId": "SRCROOT"},
                        "region": {"startLine": 68}}
    assert [r["physicalLocation"]["region"]["startLine"] for r in hdr["relatedLocations"]] == [54, 55, 56, 57]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == REPO.as_uri() + "/"


def test_fingerprints_survive_unrelated_line_moves(tmp_path):
    config = tmp_path / "site.conf"

    def results():
        code, out, _ = run_cli(["check", config.name, "--format", "sarif", "--pack", "websocket-streaming", "--pack", "hardening"], tmp_path)
        return [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["partialFingerprints"]["nginxlint/v1"]) for r in json.loads(out)["runs"][0]["results"]]

    original = (REPO / BACKUP).read_text()
    config.write_text(original)
    before = results()
    config.write_text("# a new comment\n\n" + original.replace("    listen 80;\n", "    listen 80;\n\n", 1))
    after = results()
    assert len({fp for _, _, fp in before}) == len(before) == 66  # one per finding
    assert [line for _, line, _ in after] != [line for _, line, _ in before]  # every line moved...
    assert [(rule, fp) for rule, _, fp in after] == [(rule, fp) for rule, _, fp in before]  # ...fingerprints did not


def test_github_annotations_escape_data_and_properties(monkeypatch, tmp_path):
    finding = Finding("WS008", "websocket-read-timeout", "error", "50% of\nsessions\rdrop", "a,b:c.conf", 7,
                      related=(Related("x.conf", 3, "set here"),))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = github_report.render(LintResult((finding,), (), 1))
    assert out == ("::error file=a%2Cb%3Ac.conf,line=7,title=WS008 websocket-read-timeout"
                   "::50%25 of%0Asessions%0Ddrop%0Ax.conf:3: set here\n")
    assert "| a,b:c.conf | 7 | WS008 | error | 50% of sessions drop |" in summary.read_text()


def test_info_findings_are_notices_and_sarif_notes():
    finding = Finding("ENC001", "file-not-utf8", "info", "not UTF-8", "x.conf", 1)
    result = LintResult((finding,), (), 1)
    assert github_report.render(result).startswith("::notice ")
    assert json.loads(sarif_report.render(result))["runs"][0]["results"][0]["level"] == "note"


def test_output_is_written_atomically_and_replaces_the_old_report(tmp_path):
    report = tmp_path / "report.sarif"
    report.write_text("old")
    code, out, _ = run_cli(["check", BACKUP, "--format", "sarif", "--output", str(report)], REPO)
    assert code == 1 and out == ""
    assert json.loads(report.read_text())["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]  # no temporary left behind


def test_output_in_a_missing_directory_is_one_clear_error(tmp_path):
    code, out, err = run_cli(["check", BACKUP, "--output", str(tmp_path / "no" / "r.json")], REPO)
    assert code == 2 and out == ""
    assert err.strip() == f"nginxlint: error: --output {tmp_path / 'no' / 'r.json'}: directory {tmp_path / 'no'} does not exist"


def test_concise_is_one_editor_link_per_finding():
    finding = Finding("SEC003", "header-injection", "error", "return writes $uri\ninto a header", "sites/app.conf", 12,
                      related=(Related("sites/app.conf", 3, "set here"),))
    assert concise_report.render(LintResult((finding,), (), 1)) == "sites/app.conf:12:1: SEC003 return writes $uri into a header\n"
    assert concise_report.render(LintResult((), (), 1)) == ""


def test_concise_from_the_command_line_and_the_project_config(tmp_path):
    (tmp_path / "site.conf").write_text("server {\n    listen 80;\n    error_log off;\n}\n")
    code, out, _ = run_cli(["check", "site.conf", "--format", "concise", "--select", "SEC018"], tmp_path)
    assert (code, out) == (1, "site.conf:3:1: SEC018 error_log off writes to a file named off (relative to the prefix); "
                              "use error_log /dev/null crit\n")
    (tmp_path / ".nginxlint.yaml").write_text("format: concise\nselect: [SEC018]\n")
    assert run_cli(["check", "site.conf"], tmp_path)[:2] == (code, out)


def _text(findings, columns, monkeypatch) -> str:
    from nginxlint.report import text_report

    monkeypatch.setenv("COLUMNS", str(columns))
    return text_report.render(LintResult(tuple(findings), (), 2))


GROUPED = Finding("WS001", "websocket-http-version", "error", "WebSocket location /a/ proxies with HTTP/1.0; the upgrade "
                  "handshake needs proxy_http_version 1.1 (also 4 other locations)", "site.conf", 4, "a.example", None,
                  tuple(Related("site.conf", 10 + i, f"applies to location /{c}/ (server a.example)", affected=True)
                        for i, c in enumerate("abcde")) + (Related("other.conf", 2, "set here"),))


def test_text_groups_findings_by_file_and_counts_the_blocks_a_cause_applies_to(monkeypatch):
    single = Finding("WS008", "websocket-read-timeout", "error", "short", "a.conf", 3, "a.example", "/ws/")
    top = Finding("SYN001", "syntax", "error", "unexpected }", "a.conf", 9)
    lines = _text([single, top, GROUPED], 200, monkeypatch).splitlines()
    assert lines[0] == "a.conf" and lines[5] == "" and lines[6] == "site.conf"
    assert lines[1].split() == ["line", "rule", "severity", "affects", "message"]
    assert lines[3].split()[:4] == ["3", "WS008", "error", "1"]  # one location
    assert lines[4].split()[:4] == ["9", "SYN001", "error", "-"]  # about no block
    assert lines[9].split()[:4] == ["4", "WS001", "error", "5"]
    notes = [line.strip() for line in lines[10:] if line.strip().startswith("↳")]
    assert notes == ["↳ other.conf:2: set here", "↳ line 10: applies to location /a/ (server a.example)",
                     "↳ line 11: applies to location /b/ (server a.example)",
                     "↳ line 12: applies to location /c/ (server a.example)", "↳ and 2 more (every one in --format json)"]
    assert lines[-1] == "3 findings (3 error, 0 warning, 0 info) in 2 files"


@pytest.mark.parametrize("columns", [72, 80, 120])
def test_text_table_fits_the_terminal_width(columns, monkeypatch):
    text = _text([GROUPED], columns, monkeypatch)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns
    start = lines[1].index("message")
    assert "proxy_http_version 1.1 (also 4 other locations)" in " ".join(line[start:].strip() for line in lines[3:])


def test_text_message_column_never_goes_below_its_minimum(monkeypatch):
    from nginxlint.report.text_report import MIN_MESSAGE

    lines = _text([GROUPED], 10, monkeypatch).splitlines()
    message_start = lines[1].index("message")
    assert max(len(line) - message_start for line in lines[2:-2]) > MIN_MESSAGE - 5
    assert all(len(line) - message_start <= MIN_MESSAGE for line in lines[2:-2])


def test_a_grouped_finding_is_valid_sarif_with_every_affected_block_related():
    document = json.loads(sarif_report.render(LintResult((GROUPED,), (), 1)))
    jsonschema.validate(document, SCHEMA)
    [result] = document["runs"][0]["results"]
    assert [r["physicalLocation"]["region"]["startLine"] for r in result["relatedLocations"]] == [10, 11, 12, 13, 14, 2]


def test_fingerprint_ignores_how_many_blocks_a_cause_reaches(tmp_path):
    """One more location inheriting a bad server-level line is the same alert."""
    site = "server {{\n    listen 80;\n    proxy_http_version 1.0;\n{locations}}}\n"
    location = "    location /{n}/ {{\n        proxy_pass http://127.0.0.1:8000;\n        proxy_set_header Upgrade $http_upgrade;\n" \
               "        proxy_set_header Connection upgrade;\n    }}\n"

    def fingerprints(count: int) -> list[tuple[str, str]]:
        (tmp_path / "site.conf").write_text(site.format(locations="".join(location.format(n=n) for n in range(count))))
        _, out, _ = run_cli(["check", "site.conf", "--format", "sarif", "--select", "WS001"], tmp_path)
        return [(r["message"]["text"], r["partialFingerprints"]["nginxlint/v1"]) for r in json.loads(out)["runs"][0]["results"]]

    two, three = fingerprints(2), fingerprints(3)
    assert "(also 1 other location)" in two[0][0] and "(also 2 other locations)" in three[0][0]
    assert [fp for _, fp in two] == [fp for _, fp in three]
