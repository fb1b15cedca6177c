"""The result cache: a hit gives exactly the cold run's output, and every
change to what a run depends on is a miss (nginxlint/cache.py).

Each test has its own cache folder (NGINXLINT_CACHE_DIR); conftest points
the rest of the suite at a temporary one too, never at ~/.cache."""
from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
import textwrap

import pytest

from nginxlint.commands import check as check_module
from nginxlint.commands import result_cache as cache
from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.findings.selection import Selection
from nginxlint.policy.model import PolicyError
from nginxlint.report import FORMATS

from .conftest import run_cli, run_cli_here

SITE = """\
server {
    listen 443 ssl;
    server_name %s.example.com;
    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        include snippets/timeouts.conf;
    }
}
"""
POLICY = """\
pack: extra
rules:
  - id: EXT001
    name: ws-body-limit
    severity: error
    summary: WebSocket locations limit bodies.
    message: "{location}: client_max_body_size is {actual}"
    select: {kind: location}
    assert: {directive: client_max_body_size, lte: %s}
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A small /etc/nginx: nginx.conf including sites-enabled/* and a snippet."""
    monkeypatch.setenv("NGINXLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "nginx"
    (root / "sites-enabled").mkdir(parents=True)
    (root / "snippets").mkdir()
    (root / "nginx.conf").write_text("events {}\nhttp {\n    include sites-enabled/*;\n}\n")
    (root / "sites-enabled" / "a.conf").write_text(SITE % "a")
    (root / "sites-enabled" / "b.conf").write_text(SITE % "b")
    (root / "snippets" / "timeouts.conf").write_text("proxy_read_timeout 60s;\n")
    (tmp_path / "policy.yaml").write_text(POLICY % "1m")
    return root


class Runs:
    """Lint through the cache, and say whether it linted or reused."""

    def __init__(self, monkeypatch):
        self.linted = 0
        real = check_module.lint_paths

        def counting(*args, **kwargs):
            self.linted += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(check_module, "lint_paths", counting)  # the cache imports it where a miss needs it

    def report(self, options: CheckOptions, paths=("nginx/nginx.conf",), output_format="json") -> tuple[str, bool]:
        """(report through the cache, whether it was a hit); asserts it
        equals a cold run's report."""
        before = self.linted
        cached = cache.check_cached(list(paths), options, lambda: prepare(options), output_format).report
        hit = self.linted == before
        assert cached == FORMATS[output_format](check(list(paths), options, prepare(options)))
        return cached, hit


@pytest.fixture
def runs(monkeypatch):
    return Runs(monkeypatch)


def test_a_hit_gives_the_cold_output(tree, runs):
    cold, hit = runs.report(CheckOptions())
    assert not hit
    warm, hit = runs.report(CheckOptions())
    assert hit and warm == cold


@pytest.mark.parametrize("output_format", ["text", "sarif", "concise"])
def test_a_hit_in_a_format_not_kept_renders_the_stored_findings(tree, runs, output_format):
    """The entry keeps the JSON report of the run that made it; a hit in
    another format decodes the stored findings (related places, affected
    blocks) and renders them as a cold run would (Runs.report compares)."""
    runs.report(CheckOptions())
    _, hit = runs.report(CheckOptions(), output_format=output_format)
    assert hit


@pytest.mark.parametrize("change", [
    "edit", "edit-same-size", "add-to-glob", "remove-from-glob", "retarget-symlink", "snippet-gone", "dotfile",
])
def test_changed_inputs_are_a_miss(tree, runs, change):
    """Every change is a miss, except a dotfile the glob skips: then the
    inputs are the same, and so is the result (runs.report checks it)."""
    link = tree / "sites-enabled" / "c.conf"
    (tree / "c-one.conf").write_text(SITE % "c")
    (tree / "c-two.conf").write_text((SITE % "c").replace("1.1", "1.0"))
    link.symlink_to(tree / "c-one.conf")
    runs.report(CheckOptions())
    if change == "edit":
        (tree / "sites-enabled" / "a.conf").write_text((SITE % "a").replace("Upgrade $http_upgrade", "X y"))
    elif change == "edit-same-size":
        (tree / "snippets" / "timeouts.conf").write_text("proxy_read_timeout 6ds;\n")
    elif change == "add-to-glob":
        (tree / "sites-enabled" / "d.conf").write_text("server { location / { proxy_pass http://x; "
                                                       "proxy_set_header Upgrade $http_upgrade; } }\n")
    elif change == "remove-from-glob":
        (tree / "sites-enabled" / "b.conf").unlink()
    elif change == "retarget-symlink":
        link.unlink()
        link.symlink_to(tree / "c-two.conf")
    elif change == "snippet-gone":
        (tree / "snippets" / "timeouts.conf").unlink()
    else:
        (tree / "sites-enabled" / ".hidden.conf").write_text("garbage {")
    _, hit = runs.report(CheckOptions())
    assert hit == (change == "dotfile")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_permission_change_is_a_miss(tree, runs):
    runs.report(CheckOptions())
    (tree / "snippets" / "timeouts.conf").chmod(0)
    try:
        report, hit = runs.report(CheckOptions())
    finally:
        (tree / "snippets" / "timeouts.conf").chmod(0o644)
    assert not hit and "permission denied" in report


@pytest.mark.parametrize("option", [
    {"params": {"websocket_min_timeout": "1h"}},
    {"nginx_version": "1.29.7"},
    {"selection": Selection(select=("WS",))},
    {"severity": {"WS008": "info"}},
    {"policies": ["policy.yaml"]},
    {"context": "http"},
])
def test_changed_options_are_a_miss(tree, runs, option):
    runs.report(CheckOptions())
    _, hit = runs.report(dataclasses.replace(CheckOptions(), **option))
    assert not hit
    _, hit = runs.report(dataclasses.replace(CheckOptions(), **option))
    assert hit


def test_edited_policy_is_a_miss(tree, runs):
    options = CheckOptions(policies=["policy.yaml"])
    runs.report(options)
    (tree.parent / "policy.yaml").write_text(POLICY % "0")
    _, hit = runs.report(options)
    assert not hit


def test_other_working_directory_is_a_miss(tree, runs, monkeypatch):
    runs.report(CheckOptions(), [str(tree / "nginx.conf")])
    monkeypatch.chdir(tree)  # reported paths are relative to the working directory
    _, hit = runs.report(CheckOptions(), [str(tree / "nginx.conf")])
    assert not hit


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "directory"])
def test_a_damaged_entry_is_a_miss(tree, runs, damage):
    cold, _ = runs.report(CheckOptions())
    (entry,) = (tree.parent / "cache").glob("*.entry")
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    elif damage == "garbage":
        entry.write_bytes(os.urandom(len(data)))
    elif damage == "empty":
        entry.write_bytes(b"")
    else:
        entry.unlink()
        entry.mkdir()
    report, hit = runs.report(CheckOptions())
    assert not hit and report == cold


def test_a_damaged_answer_list_is_a_miss(tree, runs):
    """An entry whose checksum holds but whose content is not what a run
    wrote (another version's layout, say) is a miss too."""
    cold, _ = runs.report(CheckOptions())
    (entry,) = (tree.parent / "cache").glob("*.entry")
    payload = marshal.dumps(({("bogus", "x"): 1}, ((), (), 0)))
    entry.write_bytes(cache._MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload)
    report, hit = runs.report(CheckOptions())
    assert not hit and report == cold


def test_verdicts_kept_in_another_shape_are_not_reused(tree, runs):
    """An entry whose checksum holds but whose verdicts per server are not
    in the shape this code writes: the run lints every server, no crash."""
    cold, _ = runs.report(CheckOptions())
    (entry,) = (tree.parent / "cache").glob("*.entry")
    _, result, kept, reports, summary = marshal.loads(entry.read_bytes()[len(cache._MAGIC) + 64:])
    context, units, digests = marshal.loads(kept)
    units = {key: (summary, tuple(record[:7] for record in records)) for key, (summary, records) in units.items()}
    assert any(records for _, records in units.values())
    payload = marshal.dumps(({("bogus", "x"): 1}, result, marshal.dumps((context, units, digests)), reports, summary))  # bogus: a miss
    entry.write_bytes(cache._MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload)
    report, hit = runs.report(CheckOptions())
    assert not hit and report == cold


def test_unwritable_cache_dir_does_not_fail_the_run(tree, runs, monkeypatch):
    (tree.parent / "not-a-dir").write_text("")
    monkeypatch.setenv("NGINXLINT_CACHE_DIR", str(tree.parent / "not-a-dir" / "cache"))
    runs.report(CheckOptions())
    _, hit = runs.report(CheckOptions())
    assert not hit


def test_old_entries_are_pruned(tree, runs, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for version in ("1.20", "1.22", "1.24"):
        runs.report(CheckOptions(nginx_version=version))
    assert len(list((tree.parent / "cache").glob("*.entry"))) == 2


def test_cli_no_cache_writes_nothing_and_cache_matches(tree):
    cache_dir = tree.parent / "cache"
    args = ["check", "nginx/nginx.conf", "--format", "json"]
    code, cold, _ = run_cli([*args, "--no-cache"], cwd=tree.parent)
    assert not cache_dir.exists()
    first = run_cli(args, cwd=tree.parent)
    second = run_cli(args, cwd=tree.parent)
    assert first == second == (code, cold, "")
    assert len(list(cache_dir.glob("*.entry"))) == 1


def test_cache_dir_defaults_to_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv("NGINXLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "nginxlint"
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "nginxlint"


def test_stdin_is_never_cached(tree):
    code, out, _ = run_cli(["check", "-", "--format", "json"], cwd=tree.parent,
                           stdin=textwrap.dedent(SITE % "s").encode())
    # the missing snippet is a fragment's notice (INC003, info): exit 0
    assert code == 0 and '"INC003"' in out and not (tree.parent / "cache").exists()


def test_a_hit_with_its_report_kept_compiles_no_policy(tree, runs):
    """The entry keeps the report as rendered: a hit in the same format
    gives it back without compiling the policies or decoding the findings."""
    cold, _ = runs.report(CheckOptions())

    def no_policies():
        raise AssertionError("a hit compiled the policies")

    again = cache.check_cached(["nginx/nginx.conf"], CheckOptions(), no_policies, "json")
    severities = {f.severity for f in check(["nginx/nginx.conf"], CheckOptions(), prepare(CheckOptions())).findings}
    assert again.report == cold and again.severities == severities


@pytest.mark.parametrize("fail_on", ["error", "info"])
def test_cli_hits_exit_as_cold_runs(tree, fail_on):
    args = ["check", "nginx/nginx.conf", "--format", "concise", "--fail-on", fail_on]
    cold = run_cli_here([*args, "--no-cache"], cwd=tree.parent)
    assert run_cli_here(args, cwd=tree.parent) == run_cli_here(args, cwd=tree.parent) == cold


def test_text_reports_are_kept_per_terminal_width(tree, monkeypatch):
    """The text report is laid out for the terminal's width: a kept copy
    stands only for the same width."""
    args, seen = ["check", "nginx/nginx.conf"], set()
    for columns in ("200", "60", "200", "60"):
        monkeypatch.setenv("COLUMNS", columns)
        seen.add(run_cli_here(args, cwd=tree.parent))
        assert run_cli_here(args, cwd=tree.parent) == run_cli_here([*args, "--no-cache"], cwd=tree.parent)
    assert len(seen) == 2


def test_github_hits_still_write_the_step_summary(tree, monkeypatch):
    """github's report appends to $GITHUB_STEP_SUMMARY: a hit does too."""
    summary = tree.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = ["check", "nginx/nginx.conf", "--format", "github"]
    first, second = run_cli_here(args, cwd=tree.parent), run_cli_here(args, cwd=tree.parent)
    text = summary.read_text()
    assert first == second and text[:len(text) // 2] == text[len(text) // 2:] and text.startswith("### nginxlint")


def test_a_policy_link_replaced_by_a_copy_is_a_miss(tree, runs):
    """The loader reads a policy file once by its real path: a second name
    linked to the first adds nothing, a copy declares its pack twice (a
    policy error). Same names, same bytes: still a miss, never the kept report."""
    policy = tree.parent / "policy.yaml"
    (tree.parent / "again.yaml").symlink_to(policy)
    options = CheckOptions(policies=[str(policy), str(tree.parent / "again.yaml")])
    runs.report(options)
    (tree.parent / "again.yaml").unlink()
    (tree.parent / "again.yaml").write_text(policy.read_text())
    with pytest.raises(PolicyError, match="already declared"):
        cache.check_cached(["nginx/nginx.conf"], options, lambda: prepare(options), "json")
