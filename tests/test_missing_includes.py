"""An include the linted files do not hold (issue 12, item 4): nginx's stock
files are read from nginxlint's copies, --include-path supplies deployment
files, a fragment's other missing includes are one INC003 notice each, a
whole nginx.conf keeps INC001, and below a missing include rules still judge
what it cannot change."""
from __future__ import annotations

import json

from click.testing import CliRunner

from nginxlint.cli import main
from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.reading.loader import load
from nginxlint.reading.missing_includes import STOCK_DIR, stock_copy

POLICIES = prepare(CheckOptions())

WS_SITE = """\
server {
    listen 80;
    server_name dev.example;
    include /config/nginx/ssl.conf;

    location /ws {
        proxy_pass http://127.0.0.1:9000;
        proxy_http_version 1.0;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
    location /socket {
        proxy_pass http://127.0.0.1:9001;
        proxy_http_version 1.1;
        proxy_set_header Connection "upgrade";
    }
    location /inherits {
        proxy_pass http://127.0.0.1:9002;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
}
"""


def _findings(tmp_path, monkeypatch, files: dict[str, str], target: str, **options):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return check([target], CheckOptions(**options), POLICIES).findings


def test_server_level_missing_include_no_longer_hides_what_a_location_writes_itself(tmp_path, monkeypatch):
    findings = _findings(tmp_path, monkeypatch, {"sites-enabled/dev": WS_SITE}, "sites-enabled/dev")
    found = {(f.rule, f.line) for f in findings}
    # /ws writes HTTP/1.0 itself and /socket its own header list without
    # Upgrade: no line at server level can change either.
    assert ("WS001", 8) in found
    assert ("WS002", 12) in found
    # /inherits takes proxy_http_version from the server, where ssl.conf
    # could set it: not judged, and the notice says so.
    assert not [f for f in findings if f.rule == "WS001" and f.location == "/inherits"]
    notice = [f for f in findings if f.rule == "INC003"]
    assert len(notice) == 1 and notice[0].severity == "info" and notice[0].line == 4
    assert "server dev.example: 3 locations judged on their own lines only, what they inherit may come from ssl.conf" \
        in notice[0].message
    assert not [f for f in findings if f.rule == "INC001"]


def test_location_with_its_own_missing_include_is_not_judged(tmp_path, monkeypatch):
    site = WS_SITE.replace("proxy_http_version 1.0;", "proxy_http_version 1.0;\n        include /config/nginx/proxy.conf;")
    findings = _findings(tmp_path, monkeypatch, {"sites-enabled/dev": site}, "sites-enabled/dev")
    assert not [f for f in findings if f.rule.startswith("WS") and f.location == "/ws"]
    assert any(f.rule == "INC003" and "location /ws in server dev.example: not judged, its settings may come from proxy.conf"
               in f.message for f in findings)


def test_one_notice_per_include_line_naming_every_site(tmp_path, monkeypatch):
    files = {"nginx-like/snippets/common.conf": "include /config/nginx/headers.conf;\n",
             "nginx-like/sites-enabled/two": "server { server_name a.example; include snippets/common.conf; }\n"
                                             "server { server_name b.example; include snippets/common.conf; }\n"}
    findings = _findings(tmp_path, monkeypatch, files, "nginx-like/sites-enabled/two")
    notices = [f for f in findings if f.rule == "INC003"]
    assert len(notices) == 1 and notices[0].file.endswith("snippets/common.conf")
    assert "server a.example" in notices[0].message and "server b.example" in notices[0].message


def test_whole_config_with_a_missing_include_is_still_an_error(tmp_path):
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    server {\n        include proxy.conf;\n    }\n}\n")
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", str(tmp_path / "nginx.conf")])
    assert result.exit_code == 1
    [finding] = [f for f in json.loads(result.output)["findings"] if f["rule"].startswith("INC")]
    assert (finding["rule"], finding["severity"], finding["line"]) == ("INC001", "error", 4)


def test_stock_includes_absent_from_the_set_are_read_from_nginxlints_copies(tmp_path, monkeypatch):
    (tmp_path / "sites-enabled").mkdir()
    (tmp_path / "sites-enabled" / "php").write_text(
        "server {\n    server_name php.example;\n    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n"
        "        fastcgi_pass unix:/run/php.sock;\n    }\n    location /static/ {\n        include mime.types;\n    }\n}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["inspect", "sites-enabled/php", "--host", "php.example", "--uri", "/x.php",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "INC" not in result.stderr
    shown = result.stdout
    # Debian's snippet, and the fastcgi.conf it includes in turn, both from the shipped copies.
    assert "SCRIPT_FILENAME $document_root$fastcgi_script_name" in shown and "PATH_INFO $path_info" in shown
    config = load(["sites-enabled/php"])
    assert not config.problems
    static = next(n for n in config.roots[0].children[0].children if n.args == ("/static/",))
    [types] = [n for n in static.children if n.name == "types"]
    assert any(n.name == "text/html" and "html" in n.args for n in types.children)


def test_a_file_in_the_tree_wins_over_the_stock_copy(tmp_path, monkeypatch):
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include mime.types;\n}\n")
    (tmp_path / "mime.types").write_text("types {\n    text/x-own own;\n}\n")
    monkeypatch.chdir(tmp_path)
    config = load(["nginx.conf"])
    assert "mime.types" in config.files and not any(f.startswith(str(STOCK_DIR)) for f in config.files)


def test_stock_names_match_by_basename_and_debian_snippets_only_in_snippets():
    assert stock_copy("/usr/local/nginx/conf/fastcgi_params") == str(STOCK_DIR / "fastcgi_params")
    assert stock_copy("conf/mime.types") == str(STOCK_DIR / "mime.types")
    assert stock_copy("/etc/nginx/snippets/snakeoil.conf") == str(STOCK_DIR / "snippets" / "snakeoil.conf")
    assert stock_copy("snakeoil.conf") is None
    assert stock_copy("/etc/nginx/fastcgi_params.conf") is None
    assert all((STOCK_DIR / name).is_file() for name in ("mime.types", "koi-utf", "koi-win", "win-utf", "scgi_params",
                                                          "uwsgi_params", "proxy_params", "fastcgi.conf"))


def test_include_path_supplies_deployment_files(tmp_path, monkeypatch):
    (tmp_path / "deploy" / "config" / "nginx").mkdir(parents=True)
    (tmp_path / "deploy" / "config" / "nginx" / "ssl.conf").write_text("proxy_http_version 1.1;\n")
    site = WS_SITE.replace("        proxy_http_version 1.0;\n", "")
    findings = _findings(tmp_path, monkeypatch, {"sites-enabled/dev": site}, "sites-enabled/dev")
    assert any(f.rule == "INC003" for f in findings)
    findings = _findings(tmp_path, monkeypatch, {}, "sites-enabled/dev", include_path=("empty", "deploy"))
    assert not [f for f in findings if f.rule.startswith("INC")]
    assert not [f for f in findings if f.rule == "WS001"]  # /ws and /inherits get 1.1 from ssl.conf at server level
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "--include-path", "deploy", "sites-enabled/dev"])
    assert "INC00" not in result.output


def test_include_path_globs_when_the_tree_matches_nothing(tmp_path, monkeypatch):
    (tmp_path / "deploy" / "conf.d").mkdir(parents=True)
    (tmp_path / "deploy" / "conf.d" / "a.conf").write_text("proxy_read_timeout 5s;\n")
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
    monkeypatch.chdir(tmp_path)
    config = load(["nginx.conf"], include_path=(str(tmp_path / "deploy"),))
    assert [g.loaded for g in config.globbed] == ["deploy/conf.d/a.conf"]
