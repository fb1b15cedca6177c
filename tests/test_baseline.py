"""--write-baseline / --baseline: adopting nginxlint on a fleet with findings.

Recorded findings are matched by rule, server, location and statement text,
never by line number, and counted; entries no longer found are reported as fixed.
"""
from __future__ import annotations

import json

from .conftest import run_cli_here

SITE = """\
server {
    listen 80;
    server_name a.example;
    location /img {
        alias /data/img/;
    }
    location /files {
        alias /data/files/;
    }
}
"""


def _json(tmp_path, *args):
    code, out, err = run_cli_here(["check", "--format", "json", *args], tmp_path)
    return code, json.loads(out), err


def _written(tmp_path, text=SITE):
    (tmp_path / "site.conf").write_text(text)
    code, out, err = run_cli_here(["check", "site.conf", "--write-baseline", "baseline.json"], tmp_path)
    assert code == 0, out + err
    return json.loads((tmp_path / "baseline.json").read_text())


def test_written_baseline_records_every_finding_and_suppresses_them(tmp_path):
    document = _written(tmp_path)
    assert document["version"] == 1
    assert [(e["rule"], e["location"], e["statement"], e["count"]) for e in document["entries"]] == [
        ("SEC001", "/img", "alias /data/img/", 1), ("SEC001", "/files", "alias /data/files/", 1)]
    code, report, _ = _json(tmp_path, "site.conf", "--baseline", "baseline.json")
    assert code == 0
    assert report["findings"] == []
    assert report["baseline"] == {"file": "baseline.json", "suppressed": 2, "fixed": []}


def test_moved_lines_stay_suppressed(tmp_path):
    _written(tmp_path)
    moved = "# a comment\n\n" + SITE.replace("    listen 80;\n", "    listen 80;\n    root /srv;\n    index index.html;\n")
    (tmp_path / "site.conf").write_text(moved)
    code, report, _ = _json(tmp_path, "site.conf", "--baseline", "baseline.json")
    assert (code, report["findings"], report["baseline"]["fixed"]) == (0, [], [])


def test_an_identical_finding_beyond_the_recorded_count_is_reported(tmp_path):
    _written(tmp_path)
    # the same server, location and statement once more: a second server a.example
    (tmp_path / "site.conf").write_text(SITE + SITE.replace("listen 80;", "listen 8080;"))
    code, report, _ = _json(tmp_path, "site.conf", "--baseline", "baseline.json")
    sec001 = [(f["rule"], f["location"], f["line"]) for f in report["findings"] if f["rule"] == "SEC001"]
    assert sec001 == [("SEC001", "/img", 15), ("SEC001", "/files", 18)]  # one of each pair, the one beyond the count
    assert code == 1
    assert report["baseline"]["suppressed"] == 2


def test_a_fixed_finding_is_reported_as_fixed(tmp_path):
    _written(tmp_path)
    (tmp_path / "site.conf").write_text(SITE.replace("location /img {", "location /img/ {"))
    code, report, _ = _json(tmp_path, "site.conf", "--baseline", "baseline.json")
    assert (code, report["findings"]) == (0, [])
    assert [(e["rule"], e["location"], e["statement"], e["line"]) for e in report["baseline"]["fixed"]] == [
        ("SEC001", "/img", "alias /data/img/", 5)]
    code, out, err = run_cli_here(["check", "site.conf", "--baseline", "baseline.json"], tmp_path)
    assert out.splitlines()[-2:] == [
        "baseline baseline.json: 1 finding not reported; 1 fixed (recorded, no longer found)",
        "fixed: SEC001 server a.example, location /img: alias /data/img/ (was site.conf:5)"]
    code, out, err = run_cli_here(["check", "site.conf", "--baseline", "baseline.json", "--format", "concise"], tmp_path)
    assert (code, out) == (0, "")
    assert "nginxlint: fixed: SEC001 server a.example, location /img" in err


def test_a_new_finding_is_reported(tmp_path):
    _written(tmp_path)
    (tmp_path / "site.conf").write_text(SITE.replace("    location /files", "    location /new {\n        alias /data/new/;\n    }\n"
                                                                                "    location /files"))
    code, report, _ = _json(tmp_path, "site.conf", "--baseline", "baseline.json")
    assert code == 1
    assert [(f["rule"], f["location"]) for f in report["findings"]] == [("SEC001", "/new")]


def test_baseline_and_write_baseline_report_against_the_old_and_record_the_new(tmp_path):
    _written(tmp_path)
    (tmp_path / "site.conf").write_text(SITE.replace("location /img {", "location /img/ {"))
    code, report, _ = _json(tmp_path, "site.conf", "--baseline", "baseline.json", "--write-baseline", "baseline.json")
    assert len(report["baseline"]["fixed"]) == 1
    assert [e["location"] for e in json.loads((tmp_path / "baseline.json").read_text())["entries"]] == ["/files"]


def test_a_malformed_baseline_is_one_error_line_naming_the_file(tmp_path):
    (tmp_path / "site.conf").write_text(SITE)
    for name, text in (("broken.json", "{not json"), ("other.json", '{"version": 7, "entries": []}'),
                       ("entry.json", '{"version": 1, "entries": [{"rule": "SEC001"}]}')):
        (tmp_path / name).write_text(text)
        code, out, err = run_cli_here(["check", "site.conf", "--baseline", name], tmp_path)
        assert (code, out) == (2, "")
        assert len(err.splitlines()) == 1 and err.startswith(f"nginxlint: error: {name}") and "not a baseline" in err, err
    code, out, err = run_cli_here(["check", "site.conf", "--baseline", "missing.json"], tmp_path)
    assert code == 2 and err.startswith("nginxlint: error: missing.json: cannot read baseline"), err
