"""--exclude GLOB and `exclude:`: files left out of folders and include
globs, and never reported on (docs/cli.md#excluding-files)."""
from __future__ import annotations

import json

from nginxlint.commands.exclude import Exclude

from .conftest import run_cli_here

SITE = "server {\n    listen 80;\n    server_name %s;\n    location /img {\n        alias /data/img/;\n    }\n}\n"
MAIN = "events {}\nhttp {\n    include %s;\n}\n"


def _tree(tmp_path, include="sites/*"):
    (tmp_path / "etc" / "sites").mkdir(parents=True)
    (tmp_path / "etc" / "sites" / "a.conf").write_text(SITE % "a.example")
    (tmp_path / "etc" / "sites" / "old.conf.bak").write_text(SITE % "old.example")
    (tmp_path / "etc" / "nginx.conf").write_text(MAIN % include)
    return tmp_path / "etc"


def _findings(cwd, *args):
    code, out, err = run_cli_here(["check", "--format", "json", "--no-cache", *args], cwd)
    assert code in (0, 1), err
    report = json.loads(out)
    return sorted((f["rule"], f["file"]) for f in report["findings"]), report["summary"]["files"]


def test_an_excluded_file_is_not_read_from_a_folder_or_an_include_glob(tmp_path):
    _tree(tmp_path)
    assert _findings(tmp_path, "etc/sites")[0] == [("SEC001", "etc/sites/a.conf"), ("SEC001", "etc/sites/old.conf.bak"),
                                                   ("SEC020", "etc/sites/old.conf.bak")]  # a backup file, enabled
    assert _findings(tmp_path, "etc/sites", "--exclude", "*.bak") == ([("SEC001", "etc/sites/a.conf")], 1)
    assert _findings(tmp_path, "etc/nginx.conf", "--exclude", "etc/sites/old*") == ([("SEC001", "etc/sites/a.conf")], 2)


def test_an_excluded_file_included_by_name_is_read_but_not_reported(tmp_path):
    _tree(tmp_path, include="sites/old.conf.bak")
    assert _findings(tmp_path, "etc/nginx.conf", "--exclude", "*.bak") == ([], 2)  # read: nginx loads it


def test_exclude_in_the_project_config_is_relative_to_its_folder(tmp_path):
    etc = _tree(tmp_path)
    (etc / ".nginxlint.yaml").write_text("exclude: [sites/old*]\n")
    assert _findings(tmp_path, "etc/sites") == ([("SEC001", "etc/sites/a.conf")], 1)
    assert _findings(etc / "sites", ".") == ([("SEC001", "a.conf")], 1)


def test_patterns():
    exclude = Exclude((("*.bak", "/w"), ("sites/old-*", "/w"), ("**/legacy/*", "/w"), ("/etc/nginx/a[0-9]", "/w")))
    assert [exclude.matches(p) for p in ("/x/y.bak", "/w/sites/old-1", "/w/x/sites/old-1", "/w/legacy/f",
                                         "/w/a/b/legacy/f", "/etc/nginx/a1", "/etc/nginx/ab", "/w/sites/new")] == \
        [True, True, False, True, True, True, False, False]
