"""The language server's answers without a client: a file linted inside
the tree that includes it, with open buffers overlaid; a second lint
parses only the changed file; bursts of changes coalesce into one lint of
the newest text (scheduling.LintQueue)."""
from __future__ import annotations

import asyncio
import gc
import threading

from nginxlint.commands.fix.run import fix_paths
from nginxlint.lsp import answers
from nginxlint.lsp.answers import COLLECT_EVERY, Workspace
from nginxlint.lsp.parses import SPARE, ParsesInMemory
from nginxlint.lsp.scheduling import LintQueue
from nginxlint.reading.source import Source
from nginxlint.reading.tree import Node

from .test_precommit import CONNECTION_LINE, write_tree

SITE = "etc/nginx/sites-available/app"
ENABLED = "etc/nginx/sites-enabled/app"
MAP = "etc/nginx/conf.d/websocket-map.conf"
STREAMING = "packs: [websocket-streaming]\n"  # the timeout rules (WS008, WS009): what nginx.conf's http block settles


def test_a_site_is_linted_in_its_tree_with_an_open_map_buffer(tmp_path):
    """The map's unsaved `default close;` breaks the site's Connection line:
    the finding is located in the site, caused from the map's buffer."""
    write_tree(tmp_path)
    site, broken_map = str(tmp_path / SITE), str(tmp_path / MAP)
    buffers = {site: (tmp_path / SITE).read_text()}
    workspace = Workspace()
    assert workspace.lint(site, buffers).located_in(site) == []
    buffers[broken_map] = (tmp_path / MAP).read_text().replace("default upgrade;", "default close;")
    lint = workspace.lint(site, buffers)
    assert lint.entry == str(tmp_path / "etc/nginx/nginx.conf")
    assert [(f.rule, f.line) for f in lint.located_in(site)] == [("WS003", CONNECTION_LINE)]
    assert workspace.tree_of(site) == lint.entry
    assert (tmp_path / MAP).read_text().count("default upgrade;") == 1  # the disk is never written


def test_the_symlink_in_sites_enabled_is_linted_in_the_tree_too(tmp_path):
    """Opened through sites-enabled/ (a relative link here), the site is
    the same file: the http-level timeouts of nginx.conf are in force."""
    write_tree(tmp_path, links={ENABLED: "../sites-available/app"})
    (tmp_path / ".nginxlint.yaml").write_text(STREAMING)
    enabled = str(tmp_path / ENABLED)
    lint = Workspace().lint(enabled, {enabled: (tmp_path / SITE).read_text().replace("proxy_http_version 1.1;", "")})
    assert lint.entry == str(tmp_path / "etc/nginx/nginx.conf")
    assert {f.rule for f in lint.located_in(enabled)} == {"WS001", "WS005", "WS006", "WS007", "WS010"}  # no WS008/WS009: nginx.conf sets 86400s


def test_a_file_no_tree_reaches_is_linted_alone(tmp_path):
    write_tree(tmp_path)
    (tmp_path / ".nginxlint.yaml").write_text(STREAMING)
    (tmp_path / "etc/nginx/sites-available/old").write_text((tmp_path / SITE).read_text())  # not enabled
    old = str(tmp_path / "etc/nginx/sites-available/old")
    lint = Workspace().lint(old, {old: (tmp_path / SITE).read_text()})
    assert lint.entry is None
    assert {"WS008", "WS009"} <= {f.rule for f in lint.located_in(old)}  # alone, the 60s default timeouts are in force


def test_a_second_lint_parses_only_the_changed_file(tmp_path):
    write_tree(tmp_path)
    site = str(tmp_path / SITE)
    text = (tmp_path / SITE).read_text()
    workspace = Workspace()
    workspace.lint(site, {site: text})
    first = workspace.parses.parsed
    assert first == 3  # nginx.conf, the map, the site
    lint = workspace.lint(site, {site: text.replace("        proxy_http_version 1.1;\n", "")})
    assert workspace.parses.parsed == first + 1
    assert [f.rule for f in lint.located_in(site)] == ["WS001"]
    workspace.lint(site, {site: text})  # undo: those bytes were parsed before
    assert workspace.parses.parsed == first + 1


def test_tidy_frees_the_trees_of_earlier_lints(tmp_path):
    """Trees are cyclic (a Node knows its parent) and built with the
    collector off: the server's tidy (after publishing) is what frees them
    in a long session, whatever generation lint_paths left them in."""
    write_tree(tmp_path)
    site = str(tmp_path / SITE)
    text = (tmp_path / SITE).read_text()
    workspace = Workspace()
    gc.collect()
    before = _nodes()
    workspace.lint(site, {site: text})
    per_tree = _nodes() - before  # the tree the workspace keeps (hover reuses the last lint)
    for edit in range(COLLECT_EVERY):
        workspace.lint(site, {site: f"# edit {edit}\n{text}"})
    workspace.tidy()
    assert _nodes() - before == per_tree  # the last lint's, no more


def _nodes() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Node)


def test_parses_kept_are_the_largest_tree_and_a_few_recent_edits():
    """A long session of keystrokes keeps memory flat: the oldest parses go
    first, never those of the tree just linted (each lint uses them anew)."""
    parses = ParsesInMemory()
    parses.fit(100)
    tree = [Source(None, None, (), f"tree{i}") for i in range(100)]
    for keystroke in range(200):
        for source in tree:
            if parses.get(source.digest) is None:
                parses.put(source)
        parses.put(Source(None, None, (), f"edit{keystroke}"))
    assert all(parses.get(source.digest) is source for source in tree)
    assert parses.get("edit199") is not None and parses.get(f"edit{199 - SPARE}") is None
    assert parses.parsed == 300


def test_a_burst_of_changes_is_one_lint_of_the_newest_text():
    async def burst():
        queue = LintQueue(delay=0.01)
        linted, published = [], []
        done = asyncio.Event()
        for text in ("s", "se", "ser", "serv"):
            queue.changed("a.conf", lambda text=text: linted.append(text) or text, lambda result: (published.append(result), done.set()))
        await asyncio.wait_for(done.wait(), 10)
        queue.shutdown()
        return linted, published

    assert asyncio.run(burst()) == (["serv"], ["serv"])


def test_a_change_while_a_lint_runs_drops_that_lint():
    """A lint already in the worker thread is not interrupted, but its
    result is not published: the newer text's is."""
    async def overtaken():
        queue = LintQueue(delay=0.01)
        started, release = threading.Event(), threading.Event()
        published = []
        done = asyncio.Event()

        def slow():
            started.set()
            release.wait(10)
            return "old"

        queue.changed("a.conf", slow, published.append)
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        queue.changed("a.conf", lambda: "new", lambda result: (published.append(result), done.set()))
        release.set()
        await asyncio.wait_for(done.wait(), 10)
        queue.shutdown()
        return published

    assert asyncio.run(overtaken()) == ["new"]


def test_a_fix_in_a_tree_edits_the_open_site_only(tmp_path):
    write_tree(tmp_path)
    site = str(tmp_path / SITE)
    text = (tmp_path / SITE).read_text()
    broken = text.replace("        proxy_http_version 1.1;\n", "")
    workspace = Workspace()
    fix, suppress = workspace.actions(site, {site: broken}, range(5, 6))
    assert (fix.title, suppress.title) == ("Fix WS001: proxy_http_version 1.1;", "Suppress WS001 here")
    [edit] = fix.edits
    assert (edit.path, edit.text) == (site, broken.replace("$host;\n", "$host;\n        proxy_http_version 1.1;\n"))
    assert workspace.hover(site, {site: broken}, 6).startswith("proxy_pass: http://127.0.0.1:8000 (")


def test_code_actions_asked_again_on_the_same_text_prove_nothing_again(tmp_path, monkeypatch):
    """Editors ask at every cursor move: a fix is proved (a re-lint) once per finding and text."""
    write_tree(tmp_path)
    site = str(tmp_path / SITE)
    broken = {site: (tmp_path / SITE).read_text().replace("        proxy_http_version 1.1;\n", "")}
    proofs = []
    monkeypatch.setattr(answers, "fix_paths", lambda *args, **kwargs: proofs.append(args) or fix_paths(*args, **kwargs))
    workspace = Workspace()
    first = workspace.actions(site, broken, range(5, 6))
    assert workspace.actions(site, broken, range(5, 6)) == first and len(proofs) == 1
    workspace.actions(site, {site: broken[site] + "\n"}, range(5, 6))
    assert len(proofs) == 2


def test_the_project_configs_entry_is_tried_first(tmp_path):
    """A main config not named nginx.conf is found through `entry:`."""
    (tmp_path / ".nginxlint.yaml").write_text("entry: [main.conf]\n")
    (tmp_path / "main.conf").write_text("events {}\nhttp {\n    map $http_upgrade $connection_upgrade {\n        default close;\n"
                                        "    }\n    include sites/*.conf;\n}\n")
    (tmp_path / "sites").mkdir()
    site = tmp_path / "sites/app.conf"
    site.write_text("server {\n    listen 80;\n    location /ws/ {\n        proxy_pass http://127.0.0.1:8000;\n"
                    "        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n"
                    "        proxy_set_header Connection $connection_upgrade;\n    }\n}\n")
    lint = Workspace().lint(str(site), {str(site): site.read_text()})
    assert lint.entry == str(tmp_path / "main.conf")
    assert [(f.rule, f.line) for f in lint.located_in(str(site))] == [("WS003", 7)]
