"""The configuration nginx really loads (issue 13): no input is an error,
conf.d and sites-enabled share one http level, --root and --prefix map
every absolute path (includes, globs, symlink targets), nothing outside
the tree is read, and findings name the file one edits."""
from __future__ import annotations

import builtins
import io
import os
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.reading.layout import Layout
from nginxlint.reading.loader import load
from nginxlint.reading.probe import Probe

from .conftest import run_cli_here

DEBIAN_MAIN = """user www-data;
events {
    worker_connections 768;
}
http {
    server_tokens off;
    include /etc/nginx/mime.types;
    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
}
"""
PROXY_DEFAULTS = """proxy_set_header X-Real-IP $remote_addr;
proxy_read_timeout 86400s;
proxy_send_timeout 86400s;
"""
WEBSOCKET_MAP = """map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
}
"""
APP = """server {
    listen 80;
    server_name app.example;

    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $host;
    }

    location /static {
        alias /srv/app/static/;
    }

    location /nginx_status {
        stub_status;
    }
}
"""


def _debian_copy(base: Path) -> Path:
    """A copied Debian tree, not under etc/nginx, whose sites-enabled links
    are absolute as Debian writes them (-> /etc/nginx/sites-available/app)."""
    files = {"nginx.conf": DEBIAN_MAIN, "mime.types": "types {\n    text/html html;\n}\n",
             "conf.d/proxy-defaults.conf": PROXY_DEFAULTS, "conf.d/websocket-map.conf": WEBSOCKET_MAP,
             "sites-available/app": APP}
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text)
    (base / "sites-enabled").mkdir()
    os.symlink("/etc/nginx/sites-available/app", base / "sites-enabled" / "app")
    return base


def _lint(paths: list[str], **options):
    opts = CheckOptions(**options)
    return check(paths, opts, prepare(opts))


def _found(result) -> set[tuple[str, str, int]]:
    return {(f.rule, f.file, f.line) for f in result.findings}


# -- 1. no input is an error ------------------------------------------------------------

def test_an_empty_folder_or_stdin_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "only-folders" / "sub").mkdir(parents=True)
    for folder in ("empty", "only-folders"):
        code, _, err = run_cli_here(["check", folder], tmp_path)
        assert code == 2 and f"no nginx configuration found in {folder}" in err
    code, _, err = run_cli_here(["check", "-"], tmp_path, stdin=b"\n  \n")
    assert code == 2 and "no nginx configuration found in <stdin>" in err


# -- 2. conf.d and sites-enabled share one http level -------------------------------------

def test_fragments_given_together_equal_the_whole_tree(tmp_path, monkeypatch):
    """check conf.d sites-enabled = check nginx.conf, for the same files: the
    X-Real-IP and timeouts of conf.d reach the site (no WS008/WS009), and the
    site's own proxy_set_header list drops X-Real-IP (HDR001)."""
    tree = _debian_copy(tmp_path / "copy")
    monkeypatch.chdir(tree)
    packs = ["websocket-streaming"]  # WS008/WS009: the timeouts
    whole = _found(_lint(["nginx.conf"], prefix=".", packs=packs))
    together = _found(_lint(["conf.d", "sites-enabled"], prefix=".", packs=packs))
    assert together == whole
    assert ("HDR001", "sites-available/app", 8) in whole
    assert not {f for f in whole if f[0] in ("WS008", "WS009", "WS003")}
    # each alone: the site loses what conf.d sets (the old, false, WS008)
    alone = _found(_lint(["sites-enabled"], prefix=".", packs=packs))
    assert ("WS008", "sites-available/app", 5) in alone and ("HDR001", "sites-available/app", 8) not in alone


def test_include_order_is_conf_d_then_sites_enabled_each_sorted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("sites-enabled/b", "sites-enabled/a", "conf.d/z.conf", "conf.d/a.conf"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\nserver_names_hash_bucket_size 64;\n")
    config = load(["sites-enabled/b", "sites-enabled", "conf.d"])
    [root] = config.roots
    assert [n.file for n in root.children] == ["conf.d/a.conf", "conf.d/z.conf", "sites-enabled/a", "sites-enabled/b",
                                               "sites-enabled/b"]


def test_sites_available_is_not_joined_to_sites_enabled(tmp_path, monkeypatch):
    """sites-available holds alternatives of the enabled sites, not one config."""
    monkeypatch.chdir(tmp_path)
    for name in ("sites-available/a", "sites-enabled/a"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("server {\n    listen 80;\n    server_name a;\n}\n")
    assert len(load(["sites-available", "sites-enabled"]).roots) == 2


# -- 3. --root and --prefix map every absolute path ------------------------------------------

def test_root_maps_absolute_symlink_targets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    etc = _debian_copy(tmp_path / "copy" / "etc" / "nginx")
    assert os.readlink(etc / "sites-enabled" / "app").startswith("/etc/nginx/")
    config = load(["copy/etc/nginx/nginx.conf"], layout=Layout(root="copy"))
    assert not config.problems and not config.errors
    assert "copy/etc/nginx/sites-available/app" in config.files
    assert config.links == {"copy/etc/nginx/sites-available/app": "copy/etc/nginx/sites-enabled/app"}


def test_prefix_maps_etc_nginx_and_another_conf_prefix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _debian_copy(tmp_path / "etc-nginx")
    config = load(["etc-nginx/nginx.conf"], layout=Layout(prefix="etc-nginx"))
    assert not config.problems and "etc-nginx/sites-available/app" in config.files
    # a build whose conf prefix is /usr/local/nginx/conf
    (tmp_path / "etc-nginx" / "nginx.conf").write_text(DEBIAN_MAIN.replace("/etc/nginx/", "/usr/local/nginx/conf/"))
    config = load(["etc-nginx/nginx.conf"], layout=Layout(prefix="etc-nginx", prefix_of="/usr/local/nginx/conf"))
    assert [p.rule for p in config.problems] == ["INC004"]  # the site's link still names /etc/nginx: outside
    assert "/etc/nginx/sites-available/app" in config.problems[0].message


# -- 4. never leave the tree silently ----------------------------------------------------------

def test_an_include_leaving_the_prefix_is_inc004_at_its_line_and_not_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tree = _debian_copy(tmp_path / "copy")
    (tmp_path / "secret.conf").write_text("server { listen 81; }\n")
    with open(tree / "nginx.conf", "a") as main:
        main.write("include ../secret.conf;\ninclude /opt/nginx/extra.conf;\n")
    result = _lint(["copy/nginx.conf"], prefix="copy")
    outside = sorted((f.file, f.line, f.message) for f in result.findings if f.rule == "INC004")
    assert [(file, line) for file, line, _ in outside] == [("copy/nginx.conf", 11), ("copy/nginx.conf", 12)]
    assert "secret.conf is outside copy: not read" in outside[0][2]
    assert "secret.conf" not in " ".join(load(["copy/nginx.conf"], layout=Layout(prefix="copy")).files)


def test_without_root_or_prefix_a_copy_never_reads_the_hosts_etc_nginx(tmp_path, monkeypatch):
    """A copy linted as it is: its absolute includes and links name the
    host's /etc/nginx; they are INC004, not the host's files."""
    monkeypatch.chdir(tmp_path)
    _debian_copy(tmp_path / "copy")
    result = _lint(["copy/nginx.conf"])
    assert {(f.rule, f.line) for f in result.findings if f.file == "copy/nginx.conf"} >= {("INC004", 8), ("INC004", 9)}
    assert all(not f.file.startswith("/") for f in result.findings)
    # the stock mime.types is nginxlint's own copy: no INC004 for line 7
    assert ("INC004", 7) not in {(f.rule, f.line) for f in result.findings}
    # the links of a copied sites-enabled lead to the host: not read either
    [finding] = [f for f in _lint(["copy/sites-enabled"]).findings if f.rule == "INC004"]
    assert (finding.file, finding.line) == ("copy/sites-enabled/app", 1)


def test_allow_outside_reads_what_the_tree_reaches(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shared.conf").write_text("server_tokens off;\n")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "nginx.conf").write_text("events {}\nhttp {\n    include ../shared.conf;\n}\n")
    assert [p.rule for p in load(["conf/nginx.conf"]).problems] == ["INC004"]
    config = load(["conf/nginx.conf"], layout=Layout(allow_outside=True))
    assert not config.problems and "shared.conf" in config.files


def test_a_fragment_alone_is_told_with_an_inc003_notice(lint_files):
    result = lint_files({"sites-enabled/a": "server {\n    listen 80;\n    include /srv/other/x.conf;\n}\n"})
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.line) == ("INC003", "info", 3)
    assert "outside" in finding.message and "not read" in finding.message


# -- 5 and 6. a copied tree on a machine with its own /etc/nginx ---------------------------------

def test_copied_debian_tree_with_prefix_reads_nothing_outside_and_finds_through_links(tmp_path, monkeypatch):
    """The issue's acceptance test: a copy under a folder not named etc/nginx,
    absolute symlinks, a conf.d map; linted with --prefix on a machine whose
    /etc/nginx exists. Every file opened and every filesystem question asked
    stays in the copy; SEC001 and SEC012 planted in the site are found, named
    at sites-available/app with the link as related."""
    tree = _debian_copy(tmp_path / "etc-nginx")
    monkeypatch.chdir(tmp_path)
    opened: list[str] = []
    real_open, real_io_open = builtins.open, io.open

    def audit(opener):
        def wrapped(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)):
                opened.append(os.path.abspath(os.fsdecode(file)))
            return opener(file, *args, **kwargs)
        return wrapped

    monkeypatch.setattr(builtins, "open", audit(real_open))
    monkeypatch.setattr(io, "open", audit(real_io_open))
    probe = Probe()
    from nginxlint.commands.check import lint_paths

    options = CheckOptions(prefix="etc-nginx")
    policies = prepare(options)
    opened.clear()  # the policies are nginxlint's own files
    _, result = lint_paths(["etc-nginx/nginx.conf"], options, policies, probe)
    monkeypatch.setattr(builtins, "open", real_open)
    monkeypatch.setattr(io, "open", real_io_open)

    inside = str(tree.resolve()) + os.sep
    assert opened and all(p.startswith(inside) for p in opened), opened
    asked = [path for (_, path) in probe.answers]
    assert asked and all(os.path.abspath(p).startswith(inside) for p in asked), asked
    assert not any(p.startswith("/etc/nginx") for p in opened + asked)

    found = _found(result)
    assert ("SEC001", "etc-nginx/sites-available/app", 14) in found
    assert ("SEC012", "etc-nginx/sites-available/app", 18) in found
    assert not {f for f in found if f[0].startswith("INC")}
    sec012 = next(f for f in result.findings if f.rule == "SEC012")
    assert any(r.file == "etc-nginx/sites-enabled/app" and r.line == 18 for r in sec012.related)


@pytest.mark.skipif(not os.path.isdir("/etc/nginx"), reason="this test is about a machine with its own /etc/nginx")
def test_the_cli_with_prefix_on_a_machine_with_etc_nginx(tmp_path):
    _debian_copy(tmp_path / "etc-nginx")
    code, out, err = run_cli_here(["check", "--prefix", "etc-nginx", "etc-nginx/nginx.conf", "--format", "json",
                                   "--no-cache"], tmp_path)
    assert code == 1, err
    assert '"/etc/nginx' not in out
    assert '"file": "etc-nginx/sites-available/app"' in out
    code, _, err = run_cli_here(["check", "--prefix", "a", "--root", "b", "x"], tmp_path)
    assert code == 2 and "give one" in err


def test_inspect_reads_a_copy_through_prefix(tmp_path):
    """inspect resolves the copy's absolute symlinks inside it, as check does."""
    _debian_copy(tmp_path / "etc-nginx")
    code, out, err = run_cli_here(["inspect", "--prefix", "etc-nginx", "etc-nginx/nginx.conf", "--format", "json"], tmp_path)
    assert code == 0, err
    assert "etc-nginx/sites-available/app" in out and '"/etc/nginx' not in out
