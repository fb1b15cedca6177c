"""`nginxlint diff`: the verdict, and the restores that change traffic
without changing any location's settings (issue 15's three restores)."""
from __future__ import annotations

import json

from .conftest import run_cli, run_cli_here

SITE = """\
upstream backend {
    server 127.0.0.1:8000;
    keepalive 16;
}

map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}

server {
    listen 80;
    server_name api.example;

    location / {
        proxy_pass http://backend;
    }

    location /socket.io/ {
        proxy_pass http://backend;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
    }
}
"""
STEALING_REGEX = """    location ~* \\.(js|css|io)/ {
        root /var/www/static;
    }
"""


def _diff(tmp_path, backup: str, *args: str):
    (tmp_path / "active").write_text(SITE)
    (tmp_path / "backup").write_text(backup)
    code, out, _ = run_cli(["diff", "active", "backup", "--format", "json", *args], tmp_path)
    return code, json.loads(out)


def _line(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_regex_that_steals_a_proxied_path_is_unsafe_and_names_the_request(tmp_path):
    backup = SITE.replace("    location /socket.io/", STEALING_REGEX + "\n    location /socket.io/")
    code, document = _diff(tmp_path, backup)
    assert code == 1 and document["verdict"]["level"] == "UNSAFE" and document["verdict"]["rerouted"] == 4
    moved = next(c for c in document["routing"] if c["request"] == "http://api.example/socket.io/")
    assert moved["regression"]
    assert moved["active"] == {"served_by": "location /socket.io/ in server api.example", "file": "active",
                               "line": _line(SITE, "location /socket.io/"), "proxied": True}
    assert moved["backup"] == {"served_by": "location ~* \\.(js|css|io)/ in server api.example", "file": "backup",
                               "line": _line(backup, "location ~*"), "proxied": False}
    code, out, _ = run_cli(["diff", "active", "backup"], tmp_path)
    assert out.startswith("UNSAFE: 4 regressions (0 new finding(s) at or above the threshold, "
                          "4 proxied request(s) served elsewhere)")
    assert ("REGRESSION: proxied, http://api.example/socket.io/ was served by location /socket.io/ in server "
            "api.example (active:19), would be served by location ~* \\.(js|css|io)/ in server api.example "
            "(backup:19)") in out


def test_the_regex_samples_find_what_a_new_regex_steals_from_the_root_location(tmp_path):
    """`/x.js/` is no location's own path: a sample of each alternative of the regex reaches it;
    --probe adds paths (on every host) and URLs."""
    backup = SITE.replace("    location /socket.io/", STEALING_REGEX + "\n    location /socket.io/")
    _, document = _diff(tmp_path, backup)
    assert {c["request"] for c in document["routing"]} == {
        "http://api.example/socket.io/", "http://api.example/x.js/", "http://api.example/x.css/", "http://api.example/x.io/"}
    _, document = _diff(tmp_path, backup, "--probe", "/static/app.css/x", "--probe", "http://api.example/v2/a.JS/")
    moved = {c["request"] for c in document["routing"]}
    assert {"http://api.example/static/app.css/x", "http://api.example/v2/a.JS/"} <= moved


def test_another_upstream_port_is_a_change_named_on_both_sides(tmp_path):
    backup = SITE.replace("127.0.0.1:8000", "127.0.0.1:8001")
    code, document = _diff(tmp_path, backup)
    assert code == 0 and document["verdict"]["level"] == "REVIEW" and document["verdict"]["changes"] == 1
    [change] = document["traffic"]
    assert (change["block"], change["item"]) == ("upstream backend", "server")
    assert change["active"] == [{"value": "127.0.0.1:8000", "file": "active", "line": 2, "block": "upstream backend"}]
    assert change["backup"] == [{"value": "127.0.0.1:8001", "file": "backup", "line": 2, "block": "upstream backend"}]
    assert change["note"] == "used by 2 *_pass line(s)"
    code, _, _ = run_cli(["diff", "active", "backup", "--fail-on-change"], tmp_path)
    assert code == 1


def test_a_changed_map_entry_is_a_change_naming_the_header_that_sends_it(tmp_path):
    """REVIEW, not UNSAFE: `'' ""` stops sending Connection: close, which is
    what upstream keepalive wants; whether the backend copes is the reviewer's call."""
    backup = SITE.replace("''      close;", "''      \"\";")
    code, document = _diff(tmp_path, backup)
    assert code == 0 and document["verdict"]["level"] == "REVIEW"
    [change] = document["traffic"]
    assert (change["block"], change["item"]) == ("map $http_upgrade $connection_upgrade", '""')
    assert (change["active"][0]["value"], change["backup"][0]["value"]) == ("close", '""')
    assert (change["active"][0]["line"], change["backup"][0]["line"]) == (8, 8)
    assert change["note"] == "sent as Connection by 1 proxy_set_header line(s)"


def test_identical_configs_are_safe_and_moved_lines_too(tmp_path):
    code, document = _diff(tmp_path, "# restored\n\n" + SITE)
    assert code == 0 and document["verdict"]["level"] == "SAFE" and document["identical"]


def test_a_name_moved_to_another_socket_is_a_listen_change(tmp_path):
    backup = SITE.replace("listen 80;", "listen 8080;")
    code, document = _diff(tmp_path, backup)
    assert code == 1 and document["verdict"]["level"] == "UNSAFE"  # every proxied request loses its server
    names = {(c["block"], c["item"]) for c in document["traffic"]}
    assert {("listen *:80", "server_name"), ("listen *:8080", "server_name")} <= names
    moved = {c["request"]: c for c in document["routing"]}
    assert moved["http://api.example/"]["backup"]["served_by"] == "nothing (nothing listens on *:80)"


def test_only_logging_changes_are_safe(tmp_path):
    backup = SITE.replace("    server_name api.example;", "    server_name api.example;\n    access_log off;")
    code, document = _diff(tmp_path, backup)
    assert code == 0 and document["verdict"]["level"] == "SAFE" and not document["identical"]


ADMIN = """server {
    listen 80;
    server_name admin.example;
    location /admin/ {
        allow 10.0.0.0/8;
        allow 192.168.1.0/24;
        deny all;
        proxy_pass http://127.0.0.1:8000;
    }
}
"""


def test_an_access_list_is_one_ordered_list_in_inspect_and_diff(tmp_path):
    """nginx checks allow/deny lines in order as one list: never `allow … all` nor `deny 10.0.0.0/8`."""
    (tmp_path / "active").write_text(ADMIN)
    (tmp_path / "backup").write_text(ADMIN.replace("        deny all;\n", ""))
    code, out, _ = run_cli(["inspect", "active", "--host", "admin.example", "--uri", "/admin/", "--format", "json"], tmp_path)
    access = [(d["directive"], d["value"], d["line"]) for d in json.loads(out)["directives"] if "allow" in d["directive"]]
    assert access == [("allow/deny", "allow 10.0.0.0/8", 5), ("allow/deny", "allow 192.168.1.0/24", 6),
                      ("allow/deny", "deny all", 7)]
    code, document = _diff_files(tmp_path)
    [change] = [c for c in document["changes"] if c["directive"] == "allow/deny"]
    assert [e["value"] for e in change["active"]] == ["allow 10.0.0.0/8", "allow 192.168.1.0/24", "deny all"]
    assert [e["value"] for e in change["backup"]] == ["allow 10.0.0.0/8", "allow 192.168.1.0/24"]
    # dropping `deny all` opens the admin area to everyone: a new finding, so UNSAFE
    assert code == 1 and document["verdict"]["level"] == "UNSAFE"
    assert [f["rule"] for f in document["regressions"]] == ["SEC010"]


def _diff_files(tmp_path):
    code, out, _ = run_cli(["diff", "active", "backup", "--format", "json"], tmp_path)
    return code, json.loads(out)


def test_a_server_level_return_is_routed_and_named_as_what_answers(tmp_path):
    backup = SITE.replace("    server_name api.example;\n", "    server_name api.example;\n    return 301 https://$host$request_uri;\n")
    code, document = _diff(tmp_path, backup)
    assert code == 1 and document["verdict"]["level"] == "UNSAFE"
    moved = next(c for c in document["routing"] if c["request"] == "http://api.example/socket.io/")
    assert moved["backup"] == {"served_by": "`return 301 https://$host$request_uri` (server api.example, before any location)",
                               "file": "backup", "line": _line(backup, "return 301"), "proxied": False}


def test_sarif_carries_the_verdict_and_each_request_served_elsewhere(tmp_path):
    import jsonschema

    from .test_reports import SCHEMA

    (tmp_path / "active").write_text(SITE)
    (tmp_path / "backup").write_text(SITE.replace("    location /socket.io/", STEALING_REGEX + "\n    location /socket.io/"))
    code, out, _ = run_cli_here(["diff", "active", "backup", "--format", "sarif"], tmp_path)
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    run = document["runs"][0]
    assert code == 1 and run["properties"]["verdict"]["level"] == "UNSAFE"
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("UNSAFE: 4 regressions")
    routed = [r for r in run["results"] if r["ruleId"] == "DIFF-ROUTING"]
    assert len(routed) == 4 and all(r["level"] == "error" for r in routed)
    backup = (tmp_path / "backup").read_text()
    assert routed[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == _line(backup, "location ~*")


def test_the_routing_cap_is_said_when_reached(tmp_path, monkeypatch):
    from nginxlint.commands.restore import routing

    monkeypatch.setattr(routing, "REQUEST_LIMIT", 1)  # the site distinguishes 2: / and /socket.io/
    (tmp_path / "active").write_text(SITE)
    (tmp_path / "backup").write_text(SITE)
    code, out, _ = run_cli_here(["diff", "active", "backup"], tmp_path)
    assert code == 0 and out.splitlines()[:2] == [
        "SAFE: 0 regressions, 0 other changes that alter traffic",
        "Note: routing compared on the first 1 request only (the cap); requests beyond them were not compared: "
        "name the ones that matter with --probe."]


def test_a_probe_is_compared_even_past_the_cap(tmp_path, monkeypatch):
    """The cap's note says to name what matters with --probe: a probe is
    never cut, wherever its socket and host come in the order."""
    from nginxlint.commands.restore import routing

    monkeypatch.setattr(routing, "REQUEST_LIMIT", 1)
    (tmp_path / "active").write_text(SITE)
    (tmp_path / "backup").write_text(SITE.replace("    location /socket.io/", STEALING_REGEX + "\n    location /socket.io/"))
    code, out, _ = run_cli_here(["diff", "active", "backup", "--probe", "/socket.io/x", "--format", "json"], tmp_path)
    report = json.loads(out)
    assert code == 1 and report["routing_truncated"]
    assert [c["request"] for c in report["routing"]][-1].endswith("/socket.io/x")


def test_an_included_file_dropped_or_added_is_named_with_its_include_line(tmp_path):
    for side, snippet in (("active", "one.conf"), ("backup", "two.conf")):
        (tmp_path / side / "snippets").mkdir(parents=True)
        (tmp_path / side / "snippets" / snippet).write_text("add_header X-Snippet 1;\n")
        (tmp_path / side / "site").write_text(SITE.replace("    server_name api.example;\n",
                                                           "    server_name api.example;\n    include snippets/*.conf;\n"))
    code, out, _ = run_cli_here(["diff", "active/site", "backup/site", "--format", "json"], tmp_path)
    included = [t for t in json.loads(out)["traffic"] if t["block"] == "included files"]
    line = _line(SITE, "server_name") + 1
    assert [(t["item"], t["active"], t["backup"]) for t in included] == [
        ("snippets/one.conf", [{"value": "active/snippets/one.conf", "file": "active/site", "line": line,
                                "block": "included into server"}], []),
        ("snippets/two.conf", [], [{"value": "backup/snippets/two.conf", "file": "backup/site", "line": line,
                                    "block": "included into server"}])]
