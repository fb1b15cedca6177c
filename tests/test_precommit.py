"""The pre-commit hook, run by the real pre-commit tool against this
repository (working tree included), in a throwaway git repository."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from .conftest import REPO

GOOD = """\
server {
    listen 80;
    location / {
        root /var/www;
    }
}
"""
BAD = """\
server {
    listen 80;
    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
    }
}
"""


@pytest.mark.slow
def test_hook_fails_on_the_bad_config_and_passes_on_the_good_one(tmp_path):
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    project = tmp_path / "project"
    (project / "sites-enabled").mkdir(parents=True)
    (project / "sites-enabled" / "good").write_text(GOOD)
    (project / "sites-enabled" / "bad").write_text(BAD)
    (project / "README.md").write_text("not nginx\n")  # must not be matched by the hook
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    env.pop("PYTHONPATH", None)

    def git(*args):
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")

    def hook(*files):
        return subprocess.run([pre_commit, "try-repo", str(REPO), "nginxlint", "--files", *files],
                              cwd=project, env=env, capture_output=True, text=True, timeout=600)

    bad = hook("sites-enabled/bad", "README.md")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "WS001" in bad.stdout and "sites-enabled/bad" in bad.stdout and "Failed" in bad.stdout
    good = hook("sites-enabled/good", "README.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


# A Debian tree as a repository holds it: etc/nginx/nginx.conf includes
# conf.d/*.conf and sites-enabled/* by absolute path; the site lives in
# sites-available/ and is enabled by an absolute symlink, as Debian writes it.
DEBIAN_TREE = {
    "etc/nginx/nginx.conf": """\
user www-data;
worker_processes auto;
pid /run/nginx.pid;

events {
    worker_connections 768;
}

http {
    server_tokens off;
    proxy_read_timeout 86400s;
    proxy_send_timeout 86400s;

    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
}
""",
    "etc/nginx/conf.d/websocket-map.conf": """\
map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
}
""",
    "etc/nginx/sites-available/app": """\
server {
    listen 80;
    server_name app.example;

    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $host;
    }
}
""",
}
# Debian's own links are absolute: read inside the repository (--root remaps
# symlink targets too), never on the machine running the hook.
DEBIAN_LINKS = {"etc/nginx/sites-enabled/app": "/etc/nginx/sites-available/app"}
CONNECTION_LINE = 9  # the site's `proxy_set_header Connection $connection_upgrade;`
SITE_AT = r"etc/nginx/sites-(?:available|enabled)/app\n(?:.*\n){{2}}\s*{line}\s+{rule}\s"


def write_tree(folder, files=DEBIAN_TREE, links=DEBIAN_LINKS):
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    for name, target in links.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(target)


def readme_hook_config() -> str:
    """The .pre-commit-config.yaml the README shows, verbatim."""
    readme = (REPO / "README.md").read_text()
    return re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.S).group(1)


def test_the_readme_snippet_is_the_published_hook():
    """The README's `repo: local` hook and .pre-commit-hooks.yaml run the same command on the same files."""
    local = yaml.safe_load(readme_hook_config())["repos"][0]
    assert local["repo"] == "local"
    (readme_hook,) = local["hooks"]
    (published,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    for key in ("id", "entry", "files", "require_serial"):
        assert readme_hook[key] == published[key], key
    assert published["entry"] == "nginxlint check --staged"


@pytest.mark.slow
def test_readme_hook_lints_the_debian_tree_a_staged_file_belongs_to(tmp_path):
    """The README's snippet, verbatim, in a repository holding /etc/nginx:
    the clean tree passes; a conf.d map broken alone fails at the site's
    line (the file that was not staged); a broken site fails at its line."""
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    project = tmp_path / "project"
    write_tree(project)
    (project / ".pre-commit-config.yaml").write_text(readme_hook_config())
    bin_dir = tmp_path / "bin"  # `language: system` runs the installed nginxlint: this checkout's
    bin_dir.mkdir()
    (bin_dir / "nginxlint").write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m nginxlint "$@"\n')
    (bin_dir / "nginxlint").chmod(0o755)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t", PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               NGINXLINT_CACHE_DIR=str(tmp_path / "nginxlint-cache"))
    env.pop("PYTHONPATH", None)

    def git(*args):
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)

    def pre_commit_run(*args):
        return subprocess.run([pre_commit, "run", *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)

    git("init", "-q")
    git("add", ".")
    clean = pre_commit_run("--all-files")
    assert clean.returncode == 0 and "Passed" in clean.stdout, clean.stdout + clean.stderr
    git("commit", "-q", "--no-verify", "-m", "tree")

    map_file = project / "etc/nginx/conf.d/websocket-map.conf"
    map_file.write_text(map_file.read_text().replace("default upgrade;", "default close;"))
    git("add", "etc/nginx/conf.d/websocket-map.conf")
    broken_map = pre_commit_run()
    out = broken_map.stdout
    assert broken_map.returncode == 1 and "Failed" in out, out + broken_map.stderr
    assert re.search(SITE_AT.format(line=CONNECTION_LINE, rule="WS003"), out), out
    git("reset", "-q", "--hard")

    site = project / "etc/nginx/sites-available/app"
    site.write_text(site.read_text().replace("        proxy_http_version 1.1;\n", ""))
    git("add", "etc/nginx/sites-available/app")
    broken_site = pre_commit_run()
    out = broken_site.stdout
    assert broken_site.returncode == 1 and "Failed" in out, out + broken_site.stderr
    assert re.search(SITE_AT.format(line=5, rule="WS001"), out), out  # the /ws/ location's line
