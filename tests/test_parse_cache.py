"""The parse cache (reading/parse_cache.py): a run parses only files whose
bytes it has not parsed before, and no change to the tree makes its output
differ from a `--no-cache` run's, whether the result cache answers too or
only parsed files are reused."""
from __future__ import annotations

import os

import pytest

from nginxlint.reading import source

from .conftest import run_cli_here
from .test_cache import SITE  # the same two-site tree, written once

ARGS = ["check", "nginx/nginx.conf", "--format", "json"]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """nginx.conf including sites-enabled/*: two sites, a symlinked third, a snippet."""
    monkeypatch.setenv("NGINXLINT_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "nginx"
    (root / "sites-enabled").mkdir(parents=True)
    (root / "snippets").mkdir()
    (root / "nginx.conf").write_text("events {}\nhttp {\n    include sites-enabled/*;\n}\n")
    (root / "sites-enabled" / "a.conf").write_text(SITE % "a")
    (root / "sites-enabled" / "b.conf").write_text((SITE % "b").replace("1.1", "1.0"))
    (root / "snippets" / "timeouts.conf").write_text("proxy_read_timeout 60s;\n")
    (root / "c-one.conf").write_text(SITE % "c")
    (root / "c-two.conf").write_text((SITE % "c").replace("Upgrade $http_upgrade", "X-Up $http_upgrade"))
    (root / "sites-enabled" / "c.conf").symlink_to(root / "c-one.conf")
    return root


def _same_size_edit(root):
    """An edit that keeps size and mtime: only the bytes' hash can tell."""
    site = root / "sites-enabled" / "a.conf"
    before = site.stat()
    site.write_text((SITE % "a").replace("1.1", "1.0"))
    os.utime(site, ns=(before.st_atime_ns, before.st_mtime_ns))


def _swap(root):
    a, b = root / "sites-enabled" / "a.conf", root / "sites-enabled" / "b.conf"
    a.rename(root / "swap")
    b.rename(a)
    (root / "swap").rename(b)


def _retarget(root):
    link = root / "sites-enabled" / "c.conf"
    link.unlink()
    link.symlink_to(root / "c-two.conf")


def _to_directory(root):
    (root / "sites-enabled" / "b.conf").unlink()
    (root / "sites-enabled" / "b.conf").mkdir()


CHANGES = {
    "same-size-edit-mtime-restored": _same_size_edit,
    "new-glob-match": lambda root: (root / "sites-enabled" / "d.conf").write_text(SITE % "d"),
    "deleted-include": lambda root: (root / "snippets" / "timeouts.conf").unlink(),
    "retargeted-symlink": _retarget,
    "swapped-files": _swap,
    "file-replaced-by-directory": _to_directory,
}


@pytest.mark.parametrize("result_cache", [True, False], ids=["both-caches", "parse-cache-only"])
@pytest.mark.parametrize("change", CHANGES)
def test_a_change_gives_the_no_cache_output(tree, change, result_cache):
    cache = tree.parent / "cache"
    first = run_cli_here(ARGS, cwd=tree.parent)
    assert first == run_cli_here([*ARGS, "--no-cache"], cwd=tree.parent)
    assert list((cache / "parsed").iterdir())
    CHANGES[change](tree)
    if not result_cache:
        for entry in cache.glob("*.entry"):
            entry.unlink()
    cold = run_cli_here([*ARGS, "--no-cache"], cwd=tree.parent)
    assert cold != first
    assert run_cli_here(ARGS, cwd=tree.parent) == cold


def test_only_new_bytes_are_parsed(tree, monkeypatch):
    parsed = []
    real = source.decode_source
    monkeypatch.setattr(source, "decode_source", lambda data, digest=None: parsed.append(data) or real(data, digest))
    first = run_cli_here(ARGS, cwd=tree.parent)
    assert len(parsed) == 5
    for entry in (tree.parent / "cache").glob("*.entry"):
        entry.unlink()
    (tree / "sites-enabled" / "a.conf").write_text((SITE % "a").replace("443", "8443"))
    parsed.clear()
    run_cli_here(ARGS, cwd=tree.parent)
    assert parsed == [(SITE % "a").replace("443", "8443").encode()]
    (tree / "sites-enabled" / "a.conf").write_text(SITE % "a")  # back: parsed before
    parsed.clear()
    assert run_cli_here(ARGS, cwd=tree.parent) == first and parsed == []


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "directory"])
def test_a_damaged_entry_is_parsed_again(tree, damage):
    cold = run_cli_here([*ARGS, "--no-cache"], cwd=tree.parent)
    run_cli_here(ARGS, cwd=tree.parent)
    cache = tree.parent / "cache"
    for entry in cache.glob("*.entry"):
        entry.unlink()
    for entry in (cache / "parsed").iterdir():
        data = entry.read_bytes()
        if damage == "directory":
            entry.unlink()
            entry.mkdir()
        else:
            entry.write_bytes({"truncate": data[: len(data) // 2], "empty": b"",
                               "flip": data[:-3] + bytes([data[-3] ^ 1]) + data[-2:]}[damage])
    assert run_cli_here(ARGS, cwd=tree.parent) == cold


def test_an_unwritable_cache_does_not_fail_the_run(tree, monkeypatch):
    (tree.parent / "not-a-dir").write_text("")
    monkeypatch.setenv("NGINXLINT_CACHE_DIR", str(tree.parent / "not-a-dir" / "cache"))
    assert run_cli_here(ARGS, cwd=tree.parent) == run_cli_here([*ARGS, "--no-cache"], cwd=tree.parent)


def test_old_parses_are_pruned(tree, monkeypatch):
    from nginxlint.reading import parse_cache

    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 3)
    run_cli_here(ARGS, cwd=tree.parent)  # five files parsed and stored
    (tree / "sites-enabled" / "a.conf").write_text(SITE % "z")
    run_cli_here(ARGS, cwd=tree.parent)  # prunes to three before it stores its own
    assert len(list((tree.parent / "cache" / "parsed").iterdir())) == 3 + 1
