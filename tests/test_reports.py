"""Output formats: SARIF valid against the official schema, GitHub workflow
commands escaped, reports written atomically with --output."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nginxlint.findings.records import Finding, LintResult, Related
from nginxlint.report import github_report, sarif_report

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
        code, out, _ = run_cli(["check", config.name, "--format", "sarif", "--pack", "websocket-streaming"], tmp_path)
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
