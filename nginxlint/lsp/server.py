"""The Language Server Protocol side of `nginxlint lsp` (pygls): diagnostics
on open, change and save; code actions (each finding's fix, and a comment
that suppresses it here); hover (the directive's value in force and its
origin, a finding's explanation). Documents are synced whole; answers come
from answers.Workspace."""
from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..findings.records import Finding
from .answers import Action, Workspace

SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
            "info": types.DiagnosticSeverity.Information}


def build() -> LanguageServer:
    """A server with its own Workspace: no state outside it."""
    server = LanguageServer("nginxlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    workspace = Workspace()

    def text_of(uri: str) -> tuple[str, str]:
        return to_fs_path(uri), server.workspace.get_text_document(uri).source

    def publish(uri: str) -> None:
        path, text = text_of(uri)
        try:
            _, findings = workspace.lint(path, text)
        except Exception as exc:  # a bad policy or project config: say so, do not die
            server.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"nginxlint: {exc}"))
            return
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, [diagnostic(f, text) for f in findings]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        path, text = text_of(params.text_document.uri)
        lines = range(params.range.start.line + 1, params.range.end.line + 2)
        return [code_action_of(a, params.text_document.uri, text) for a in workspace.actions(path, text, lines)]

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        path, text = text_of(params.text_document.uri)
        shown = workspace.hover(path, text, params.position.line + 1)
        return types.Hover(types.MarkupContent(types.MarkupKind.PlainText, shown)) if shown else None

    return server


def line_range(text: str, line: int) -> types.Range:
    """The statement's line, from its first character to its end."""
    lines = text.splitlines()
    content = lines[line - 1] if 1 <= line <= len(lines) else ""
    start = len(content) - len(content.lstrip())
    return types.Range(types.Position(line - 1, start), types.Position(line - 1, len(content)))


def diagnostic(finding: Finding, text: str) -> types.Diagnostic:
    return types.Diagnostic(line_range(text, finding.line), finding.message, SEVERITY[finding.severity], finding.rule,
                            source="nginxlint")


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
