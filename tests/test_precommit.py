"""The pre-commit hook, run by the real pre-commit tool against this
repository (working tree included), in a throwaway git repository."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

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
