"""`check --staged`: a staged file linted inside the tree that loads it,
with the findings its change causes elsewhere (compared with HEAD)."""
from __future__ import annotations

import subprocess

import pytest

from nginxlint.commands.check import CheckOptions, prepare
from nginxlint.commands.staged import check_staged, tree_root

from .conftest import run_cli_here
from .test_precommit import CONNECTION_LINE, DEBIAN_TREE, write_tree

SITE = "etc/nginx/sites-available/app"
MAP = "etc/nginx/conf.d/websocket-map.conf"
OTHER_SITE = """\
server {
    listen 81;
    server_name other.example;
    location /ws/ {
        proxy_pass http://127.0.0.1:8001;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
    }
}
"""  # WS001 at line 4 already at HEAD


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository holding the Debian tree, committed; the working directory."""
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path)
    git(tmp_path, "init", "-q")
    return tmp_path


def git(folder, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=folder, check=True, capture_output=True)


def commit(folder):
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "tree")


def staged(*paths, entries=()):
    options = CheckOptions()
    return {(f.rule, f.file, f.line) for f in check_staged(list(paths), options, prepare(options), entries).findings}


def edit(path, old, new):
    with open(path) as handle:
        text = handle.read()
    assert old in text
    with open(path, "w") as handle:
        handle.write(text.replace(old, new))


def test_a_map_change_fails_at_the_line_of_the_site_it_breaks(repo):
    commit(repo)
    assert staged(MAP, SITE) == set()
    edit(MAP, "default upgrade;", "default close;")
    assert staged(MAP) == {("WS003", "etc/nginx/sites-available/app", CONNECTION_LINE)}


def test_what_was_wrong_elsewhere_before_does_not_block_a_commit(repo):
    (repo / "etc/nginx/sites-available/other").write_text(OTHER_SITE)
    (repo / "etc/nginx/sites-enabled/other").symlink_to("/etc/nginx/sites-available/other")  # absolute, as Debian writes it
    commit(repo)
    edit(SITE, "server_name app.example;", "# a comment line moves every line below\n    server_name app.example;")
    assert staged(SITE) == set()  # other's WS001 is old and not in a staged file
    assert staged("etc/nginx/sites-available/other") == {("WS001", "etc/nginx/sites-available/other", 4)}


def test_a_shared_map_change_is_reported_in_every_site_it_breaks(repo):
    (repo / "etc/nginx/sites-available/other").write_text(OTHER_SITE)
    (repo / "etc/nginx/sites-enabled/other").symlink_to("/etc/nginx/sites-available/other")  # absolute, as Debian writes it
    commit(repo)
    assert staged(MAP) == set()
    edit(MAP, "default upgrade;", "default close;")
    assert staged(MAP) == {("WS003", "etc/nginx/sites-available/app", CONNECTION_LINE),
                           ("WS003", "etc/nginx/sites-available/other", 7)}


def test_the_first_commit_reports_the_whole_tree(repo):
    edit(MAP, "default upgrade;", "default close;")
    git(repo, "add", "-A")
    assert staged(MAP) == {("WS003", "etc/nginx/sites-available/app", CONNECTION_LINE)}


def test_a_file_no_entry_reaches_is_linted_as_a_fragment(repo):
    (repo / "sites-enabled").mkdir()
    (repo / "sites-enabled/loose").write_text(OTHER_SITE)
    commit(repo)
    assert staged("sites-enabled/loose") == {("WS001", "sites-enabled/loose", 4)}


def test_a_configured_entry_is_used_and_its_includes_stay_relative(repo):
    """entry: names a main config of any name; one outside etc/nginx gets no --root."""
    (repo / "deploy/conf.d").mkdir(parents=True)
    (repo / "deploy/main.conf").write_text("events {}\nhttp {\n    proxy_read_timeout 86400s;\n    include conf.d/*.conf;\n}\n")
    (repo / "deploy/conf.d/site.conf").write_text(OTHER_SITE.replace("listen 81", "listen 82"))
    (repo / "deploy/conf.d/map.conf").write_text(DEBIAN_TREE[MAP])
    commit(repo)
    edit("deploy/conf.d/map.conf", "default upgrade;", "default close;")
    entry = str(repo / "deploy/main.conf")
    assert staged("deploy/conf.d/map.conf", entries=[entry]) == {("WS003", "deploy/conf.d/site.conf", 7)}
    assert tree_root(entry) is None
    assert tree_root(str(repo / "etc/nginx/nginx.conf")) == str(repo)


def test_the_entry_of_the_project_config_is_read_relative_to_it(repo):
    """`entry:` in .nginxlint.yaml, through the command line; the file given is reported at its own line too."""
    (repo / "deploy").mkdir()
    (repo / "deploy/main.conf").write_text("events {}\nhttp {\n    include ../etc/nginx/conf.d/*.conf;\n"
                                           "    include ../etc/nginx/sites-available/app;\n}\n")
    (repo / ".nginxlint.yaml").write_text("entry: deploy/main.conf\n")
    commit(repo)
    edit(MAP, "default upgrade;", "default close;")
    code, out, err = run_cli_here(["check", "--staged", "--format", "concise", MAP], repo)
    assert code == 1, out + err
    assert f"etc/nginx/sites-available/app:{CONNECTION_LINE}:" in out and "WS003" in out, out


def test_staged_outside_a_git_repository_is_a_tool_error(tmp_path):
    (tmp_path / "a.conf").write_text(OTHER_SITE)
    code, _out, err = run_cli_here(["check", "--staged", "a.conf"], tmp_path)
    assert code == 2 and "nginxlint: error: --staged: " in err, err


def test_a_cached_run_reports_what_a_run_without_the_cache_reports(repo, tmp_path_factory, monkeypatch):
    """With the cache on, --staged re-lints only the servers a change
    touched, in the tree and in HEAD's copy (kept in the cache folder);
    edit after edit and commit after commit, it reports what a --no-cache
    run reports."""
    monkeypatch.setenv("NGINXLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    (repo / "etc/nginx/sites-available/other").write_text(OTHER_SITE)
    (repo / "etc/nginx/sites-enabled/other").symlink_to("/etc/nginx/sites-available/other")
    commit(repo)
    other = "etc/nginx/sites-available/other"
    for path, old, new in ((SITE, "server_name app.example;", "# moved\n    server_name app.example;"),
                           (other, "listen 81;", "listen 81;\n    add_header X-Frame-Options DENY;"),
                           (MAP, "default upgrade;", "default close;"),
                           (other, "proxy_set_header Upgrade $http_upgrade;", "")):
        edit(path, old, new)
        git(repo, "add", "-A")
        args = ["check", "--staged", "--format", "json", path]
        cached = run_cli_here(args, cwd=repo)
        assert cached == run_cli_here([*args, "--no-cache"], cwd=repo), (path, new)
    # HEAD's copy is kept between runs: a file HEAD no longer has must not stay in it.
    commit(repo)
    git(repo, "rm", "-q", "etc/nginx/sites-enabled/other", other)
    commit(repo)
    edit(MAP, "default close;", "default upgrade;")
    git(repo, "add", "-A")
    args = ["check", "--staged", "--format", "json", MAP]
    assert run_cli_here(args, cwd=repo) == run_cli_here([*args, "--no-cache"], cwd=repo)
