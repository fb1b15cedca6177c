"""The Language Server Protocol side of `nginxlint lsp` (pygls): diagnostics
on open, change and save; code actions (each finding's fix, and a comment
that suppresses it here); hover (the directive's value in force and its
origin, a finding's explanation). Documents are synced whole; answers come
from answers.Workspace, computed off the event loop (scheduling.LintQueue):
changes are debounced, and a lint publishes for its own file and for the
other open files of the same tree."""
from __future__ import annotations

import os

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..findings.records import Finding
from .answers import Action, Workspace
from .scheduling import QUIET_SECONDS, LintQueue

SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}


def build(quiet: float = QUIET_SECONDS) -> LanguageServer:
    """A server with its own Workspace: no state outside it. `quiet`: the
    seconds without a change before a document is linted."""
    server = LanguageServer("nginxlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    workspace = Workspace()
    told: set[str] = set()

    def tell(exc: Exception) -> None:
        """A bad policy or project config, said once (not at every keystroke until it is fixed)."""
        if str(exc) not in told:
            told.add(str(exc))
            server.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"nginxlint: {exc}"))

    queue = LintQueue(quiet, tell)

    def open_documents() -> dict[str, tuple[str, str, int | None]]:
        """uri -> (path, text, version) of every open document that is a file
        (an untitled buffer has no tree, no project config: it is not linted)."""
        return {uri: (path, doc.source, doc.version) for uri, doc in server.workspace.text_documents.items()
                if (path := to_fs_path(uri)) is not None}

    def schedule(uri: str, at_once: bool = False) -> None:
        """Lint `uri` (and publish) once it has been quiet a moment, or `at_once`."""
        documents = open_documents()  # the texts as of this change: a later one supersedes this lint
        if uri not in documents:
            return
        generations = {other: queue.generation(other) for other in documents}
        buffers = {path: text for path, text, _ in documents.values()}

        def work() -> list[tuple[str, list[Finding]]]:
            """(uri, findings located there): the changed file, and the open files of the
            same tree (an edit of nginx.conf refreshes the open sites it includes)."""
            path = documents[uri][0]
            lint = workspace.lint(path, buffers)
            shown = [(uri, lint.located_in(path))]
            shown += [(other, lint.located_in(other_path)) for other, (other_path, _, _) in documents.items()
                      if other != uri and lint.read(other_path) and workspace.tree_of(other_path) == os.path.abspath(lint.tree)]
            return shown

        def done(shown: list[tuple[str, list[Finding]]]) -> None:
            for target, findings in shown:
                if target != uri and (target not in server.workspace.text_documents
                                      or queue.generation(target) != generations[target]):
                    continue  # closed, or changed since: its own lint will say
                _, text, version = documents[target]
                server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                    target, [diagnostic(f, text) for f in findings], version))
            queue.submit(workspace.tidy)  # after the diagnostics are out

        queue.changed(uri, work, done, at_once)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        schedule(params.text_document.uri, at_once=True)  # nothing to coalesce: show the findings now

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        await queue.run(workspace.forget_trees)  # the disk changed: which tree reads a file may have too
        schedule(params.text_document.uri, at_once=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        queue.cancel(params.text_document.uri)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(params.text_document.uri, []))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        path, buffers = to_fs_path(uri), {p: text for p, text, _ in open_documents().values()}
        if path not in buffers:
            return []
        lines = range(params.range.start.line + 1, params.range.end.line + 2)
        actions = await queue.run(lambda: workspace.actions(path, buffers, lines))
        return [code_action_of(a, uri, buffers[path]) for a in actions]

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        path, buffers = to_fs_path(params.text_document.uri), {p: text for p, text, _ in open_documents().values()}
        if path not in buffers:
            return None
        shown = await queue.run(lambda: workspace.hover(path, buffers, params.position.line + 1))
        return types.Hover(types.MarkupContent(types.MarkupKind.PlainText, shown)) if shown else None

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        queue.shutdown()

    return server


def line_range(text: str, line: int) -> types.Range:
    """The statement's line, from its first character to its end."""
    lines = text.splitlines()
    content = lines[line - 1] if 1 <= line <= len(lines) else ""
    start = len(content) - len(content.lstrip())
    return types.Range(types.Position(line - 1, start), types.Position(line - 1, len(content)))


def diagnostic(finding: Finding, text: str) -> types.Diagnostic:
    """A finding as the editor shows it; its related lines (the cause's
    other places, the blocks it applies to) as related information."""
    related = [types.DiagnosticRelatedInformation(
        types.Location(from_fs_path(os.path.abspath(r.file)) or r.file, types.Range(types.Position(max(r.line - 1, 0), 0),
                                                                                     types.Position(max(r.line - 1, 0), 0))),
        r.message) for r in finding.related]
    return types.Diagnostic(line_range(text, finding.line), finding.message, SEVERITY[finding.severity], finding.rule,
                            source="nginxlint", related_information=related or None)


def code_action_of(action: Action, uri: str, text: str) -> types.CodeAction:
    edits = []
    for edit in action.edits:
        if edit.line is None:  # the whole document
            end = types.Position(len(text.splitlines()) + 1, 0)
            edits.append(types.TextEdit(types.Range(types.Position(0, 0), end), edit.text))
        else:
            at = types.Position(edit.line - 1, 0)
            edits.append(types.TextEdit(types.Range(at, at), edit.text))
    return types.CodeAction(action.title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic(action.finding, text)],
                            edit=types.WorkspaceEdit(changes={uri: edits}))
