"""`nginxlint diff`: what restoring a backup would change and break."""
from __future__ import annotations

import json

from .conftest import REPO, run_cli

ACTIVE, BACKUP = "sample_configs/gmai.sa", "sample_configs/gmai.sa.backup"


def _diff(*args, cwd=REPO):
    code, out, err = run_cli(["diff", *args, "--format", "json"], cwd)
    return code, json.loads(out), err


def test_restoring_the_backup_lists_every_regression_with_lines_on_both_sides():
    code, document, _ = _diff(ACTIVE, BACKUP)
    assert code == 1 and document["fixed"] == [] and not document["identical"]
    regressions = {(f["rule"], f["server"], f["location"], f["line"]) for f in document["regressions"]}
    assert len(regressions) == 66 and {f["file"] for f in document["regressions"]} == {BACKUP}
    assert ("WS008", "api.gmai.sa", "/api/v1/ws/streaming-voice", 135) in regressions
    change = next(c for c in document["changes"] if c["location"] == "/api/v1/ws/streaming-voice"
                  and c["server"].startswith("api.gmai.sa [*:443") and c["directive"] == "proxy_read_timeout")
    assert change["active"] == [{"value": "86400s", "file": ACTIVE, "line": 220,
                                 "block": "location /api/v1/ws/streaming-voice"}]
    assert change["backup"] == [{"value": "60s", "file": None, "line": None, "block": "default for nginx 1.28"}]
    lost = {c["directive"] for c in document["changes"] if c["location"] == "/ws/" and not c["backup"]}
    assert {"proxy_set_header X-Forwarded-Ssl", "proxy_set_header X-Forwarded-Host",
            "proxy_set_header X-Forwarded-Port"} <= lost


def test_the_other_way_round_every_finding_is_fixed():
    code, document, _ = _diff(BACKUP, ACTIVE)
    assert code == 0 and document["regressions"] == [] and len(document["fixed"]) == 66


def test_identical_inputs_say_there_is_no_change():
    code, out, _ = run_cli(["diff", ACTIVE, ACTIVE], REPO)
    assert (code, out) == (0, "SAFE: 0 regressions, 0 other changes that alter traffic\n"
                              f"No change: restoring {ACTIVE} over {ACTIVE} changes no effective setting and no finding.\n")
    code, document, _ = _diff(ACTIVE, ACTIVE)
    assert document["verdict"] == {"level": "SAFE", "new_findings": 0, "rerouted": 0, "changes": 0,
                                   "text": "SAFE: 0 regressions, 0 other changes that alter traffic"}


def test_findings_are_matched_by_cause_not_line(tmp_path):
    """A backup whose lines all moved but whose settings are the same changes nothing."""
    moved = "# restored from the 2026-11-01 backup\n\n\n" + (REPO / BACKUP).read_text()
    (tmp_path / "active").write_text((REPO / BACKUP).read_text())
    (tmp_path / "backup").write_text(moved)
    code, document, _ = _diff("active", "backup", cwd=tmp_path)
    assert code == 0 and document["identical"], document


def test_servers_and_locations_added_and_removed(tmp_path):
    (tmp_path / "a").write_text("server {\n    listen 80;\n    server_name a.test;\n    location /old/ { return 204; }\n}\n")
    (tmp_path / "b").write_text("server {\n    listen 80;\n    server_name a.test;\n    location /new/ { return 204; }\n}\n"
                                "server {\n    listen 81;\n    server_name b.test;\n}\n")
    code, document, _ = _diff("a", "b", cwd=tmp_path)
    assert code == 0
    assert document["servers"] == {"added": ["b.test [*:81]"], "removed": []}
    assert document["locations"] == {"added": [{"server": "a.test [*:80]", "location": "/new/"}],
                                     "removed": [{"server": "a.test [*:80]", "location": "/old/"}]}


def test_unparseable_or_missing_side_is_reported_and_the_rest_diffed(tmp_path):
    (tmp_path / "active").write_text((REPO / ACTIVE).read_text())
    (tmp_path / "broken").write_text((REPO / ACTIVE).read_text() + "}\n")
    code, document, _ = _diff("active", "broken", cwd=tmp_path)
    assert code == 1 and {f["rule"] for f in document["regressions"]} == {"SYN001"}
    code, document, err = _diff("active", "missing", cwd=tmp_path)
    assert code == 2 and document["errors"] == [{"file": "missing", "line": None, "message": "no such file or directory"}]
    assert err.strip() == "nginxlint: error: missing: no such file or directory"


SITE = """server {
    listen 80;
    server_name a.example;
    proxy_http_version 1.0;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection "upgrade";
    location /ws/ { proxy_pass http://127.0.0.1:8080; }
    location /socket.io/ { proxy_pass http://127.0.0.1:8081; }
}
"""


def test_one_cause_is_matched_by_what_was_written_and_its_reach_compared(tmp_path):
    """The backup's server-level HTTP/1.0 line is the active one's, but it reaches one more location."""
    (tmp_path / "active").write_text(SITE)
    (tmp_path / "backup").write_text("# backup\n" + SITE.replace(
        "    location /ws/", "    location /cable { proxy_pass http://127.0.0.1:8082; }\n    location /ws/"))
    code, document, _ = _diff("active", "backup", "--select", "WS001", cwd=tmp_path)
    assert code == 0 and document["regressions"] == [] and document["fixed"] == []
    [reach] = document["reach"]
    assert (reach["backup"]["line"], reach["active"]) == (5, {"file": "active", "line": 4})
    assert reach["added"] == ["applies to location /cable (server a.example)"] and reach["removed"] == []
    code, out, _ = run_cli(["diff", "active", "backup", "--select", "WS001"], tmp_path)
    assert "Findings whose cause the restore would make apply elsewhere (1):" in out
    assert "    + applies to location /cable (server a.example)" in out


def test_the_same_line_in_two_servers_is_two_causes_told_apart_by_their_blocks(tmp_path):
    both = SITE + SITE.replace("a.example", "b.example").replace("listen 80", "listen 81")
    (tmp_path / "active").write_text(both)
    (tmp_path / "backup").write_text(SITE + SITE.replace("a.example", "b.example").replace("listen 80", "listen 81")
                                     .replace("proxy_http_version 1.0", "proxy_http_version 1.1"))
    code, document, _ = _diff("active", "backup", "--select", "WS001", cwd=tmp_path)
    assert code == 0 and document["regressions"] == [] and document["reach"] == []
    [fixed] = document["fixed"]
    assert (fixed["line"], fixed["server"], fixed["location"]) == (13, "b.example", None)
    assert fixed["affected"] == ["applies to location /socket.io/ (server b.example)", "applies to location /ws/ (server b.example)"]


def test_grouped_findings_still_match_when_every_line_moved(tmp_path):
    (tmp_path / "active").write_text(SITE)
    (tmp_path / "backup").write_text("# moved\n\n\n" + SITE)
    code, document, _ = _diff("active", "backup", cwd=tmp_path)
    assert code == 0 and document["identical"], document
