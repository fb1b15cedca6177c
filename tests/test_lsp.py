"""`nginxlint lsp` end to end, as an editor drives it (pytest-lsp runs the
server in a subprocess over stdio): open a file, get its diagnostics with
rule, range and severity, ask for code actions, apply a fix, get the
updated diagnostics; hover shows the value in force and a finding's
explanation. One server serves the module's tests, as one serves an editor's files."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # under CI the lsp extra is installed: a missing one is an error
    pytest.importorskip("pygls", reason="pygls not installed (pip install '.[lsp]')")
    pytest.importorskip("pytest_lsp", reason="pytest-lsp not installed (pip install '.[lsp]')")

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import REPO
from .test_precommit import CONNECTION_LINE, write_tree

SITE = """server {
    listen 80;
    location /ws/ {
        proxy_pass http://127.0.0.1:8000;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
}
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "nginxlint", "lsp"],
                                              server_env=dict(os.environ, PYTHONPATH=str(REPO))), scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "nginx", 1, text)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


@pytest.mark.asyncio(loop_scope="module")
async def test_diagnostics_code_action_fix_and_updated_diagnostics(client: LanguageClient, tmp_path):
    path = tmp_path / "site.conf"
    path.write_text(SITE)
    uri = await _open(client, path, SITE)
    [found] = client.diagnostics[uri]
    assert (found.code, found.severity, found.source) == ("WS001", types.DiagnosticSeverity.Error, "nginxlint")
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (2, 4, len("    location /ws/ {"))
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), found.range, types.CodeActionContext([found])))
    titles = [a.title for a in actions]
    assert titles == ["Fix WS001: proxy_http_version 1.1;", "Suppress WS001 here"]
    [edit] = actions[0].edit.changes[uri]
    assert edit.new_text == SITE.replace('"upgrade";\n', '"upgrade";\n        proxy_http_version 1.1;\n')
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=2), [types.TextDocumentContentChangeWholeDocument(text=edit.new_text)]))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_suppress_action_inserts_the_comment_above(client: LanguageClient, tmp_path):
    path = tmp_path / "site.conf"
    path.write_text(SITE)
    uri = await _open(client, path, SITE)
    [found] = client.diagnostics[uri]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), found.range, types.CodeActionContext([found])))
    [edit] = actions[1].edit.changes[uri]
    assert (edit.range.start.line, edit.new_text) == (2, "    # nginxlint: disable=WS001\n")


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_shows_the_value_in_force_and_the_explanation(client: LanguageClient, tmp_path):
    path = tmp_path / "site.conf"
    path.write_text(SITE)
    uri = await _open(client, path, SITE)
    shown = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(2, 6)))
    assert "WS001: WebSocket location /ws/ proxies with HTTP/1.0" in shown.contents.value
    assert "websocket-http-version" in shown.contents.value
    shown = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 10)))
    assert shown.contents.value.startswith("proxy_pass: http://127.0.0.1:8000 (")


def _change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version), [types.TextDocumentContentChangeWholeDocument(text=text)]))


@pytest.mark.asyncio(loop_scope="module")
async def test_a_burst_of_changes_publishes_once_for_the_newest_text(client: LanguageClient, tmp_path):
    """Keystrokes sent back to back coalesce: the first diagnostics after
    them are those of the last version (an earlier version's would come first)."""
    path = tmp_path / "site.conf"
    path.write_text(SITE)
    uri = await _open(client, path, SITE)
    fixed = SITE.replace('"upgrade";\n', '"upgrade";\n        proxy_http_version 1.1;\n')
    for version, text in enumerate([SITE + "#", SITE + "# a", SITE + "# a comment", fixed], start=2):
        _change(client, uri, version, text)
    published = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert (published.uri, published.version, list(published.diagnostics)) == (uri, 5, [])


@pytest.mark.asyncio(loop_scope="module")
async def test_a_change_to_an_open_map_shows_in_the_open_site_of_its_tree(client: LanguageClient, tmp_path):
    """Both files open in a Debian tree: the map's unsaved `default close;`
    is published as WS003 in the site (the other open file of the same tree)."""
    write_tree(tmp_path)
    site, shared_map = tmp_path / "etc/nginx/sites-available/app", tmp_path / "etc/nginx/conf.d/websocket-map.conf"
    map_uri = await _open(client, shared_map, shared_map.read_text())
    site_uri = await _open(client, site, site.read_text())
    assert list(client.diagnostics[site_uri]) == []
    _change(client, map_uri, 2, shared_map.read_text().replace("default upgrade;", "default close;"))

    async def site_diagnostics() -> list:
        while not client.diagnostics[site_uri]:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[site_uri]

    [found] = await asyncio.wait_for(site_diagnostics(), 30)  # a guard against a hang, not a timing
    assert (found.code, found.range.start.line + 1) == ("WS003", CONNECTION_LINE)


@pytest.mark.asyncio(loop_scope="module")
async def test_an_untitled_buffer_is_not_linted(client: LanguageClient, tmp_path):
    """No file, so no tree and no project config: no diagnostics, no error, and the files beside it still linted."""
    untitled, told = "untitled:Untitled-1", len(client.messages)
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(untitled, "nginx", 1, SITE)))
    shown = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(untitled), types.Position(2, 6)))
    path = tmp_path / "site.conf"
    path.write_text(SITE)
    uri = await _open(client, path, SITE)
    assert shown is None and untitled not in client.diagnostics and [d.code for d in client.diagnostics[uri]] == ["WS001"]
    assert client.messages[told:] == []


@pytest.mark.asyncio(loop_scope="module")
async def test_an_edit_of_nginx_conf_refreshes_the_open_sites_it_includes(client: LanguageClient, tmp_path):
    """nginx.conf is linted as the whole config it is; the open site of its
    tree gets WS008 once the http-level proxy_read_timeout is deleted."""
    write_tree(tmp_path)
    (tmp_path / ".nginxlint.yaml").write_text("packs: [websocket-streaming]\n")  # WS008: the read timeout
    main, site = tmp_path / "etc/nginx/nginx.conf", tmp_path / "etc/nginx/sites-available/app"
    site_uri = await _open(client, site, site.read_text())
    main_uri = await _open(client, main, main.read_text())
    assert "WS008" not in [d.code for d in client.diagnostics[site_uri]]
    _change(client, main_uri, 2, main.read_text().replace("    proxy_read_timeout 86400s;\n", ""))

    async def site_codes() -> list:
        while "WS008" not in (codes := [d.code for d in client.diagnostics[site_uri]]):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return codes

    assert "WS008" in await asyncio.wait_for(site_codes(), 30)  # a guard against a hang, not a timing


@pytest.mark.asyncio(loop_scope="module")
async def test_a_broken_project_config_is_said_once(client: LanguageClient, tmp_path):
    """Not at every keystroke: the second lint's same error stays quiet (lints
    run in the order their changes came, so the good file's diagnostics come after it)."""
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad/.nginxlint.yaml").write_text("no-such-setting: 1\n")
    bad = tmp_path / "bad/site.conf"
    bad.write_text(SITE)
    uri = bad.as_uri()
    told = len(client.messages)
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "nginx", 1, SITE)))
    await client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)
    _change(client, uri, 2, SITE + "# edited\n")
    good = tmp_path / "site.conf"
    good.write_text(SITE)
    await _open(client, good, SITE)
    assert [m.message for m in client.messages[told:]] == [
        f"nginxlint: {tmp_path / 'bad/.nginxlint.yaml'}:1: unknown setting 'no-such-setting'; known: "
        "policies, packs, select, ignore, severity, params, entry, exclude, directives, nginx-version, fail-on, format"]
