"""How long an editor waits for diagnostics: `nginxlint lsp` started as an
editor starts it (a subprocess over stdio), a file opened, then edited N
times; each time, from sending didChange to receiving publishDiagnostics.
That includes the quiet period every change waits out (scheduling.py,
QUIET_SECONDS), so the lint's own share is printed as well. Not a test.

    python bench/lsp_latency.py                      # the reference deployment (docs/performance.md)
    python bench/lsp_latency.py FILE [FILE...] -n 20
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from nginxlint.lsp.scheduling import QUIET_SECONDS  # noqa: E402

REFERENCE = ["sample_configs/gmai.sa", "sample_configs/gmai.sa.backup", "sample_configs/tree/etc/nginx/sites-enabled/gmai.sa"]


async def measure(paths: list[Path], rounds: int) -> None:
    client = LanguageClient("lsp-latency", "1")
    published: asyncio.Queue = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait((time.perf_counter(), params))

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    await client.start_io(sys.executable, "-m", "nginxlint", "lsp", env=env)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    print(f"quiet period {QUIET_SECONDS * 1000:.0f} ms; times in ms: median, max over {rounds} changes after warm-up")
    for path in paths:
        uri, text = path.resolve().as_uri(), path.read_text()
        started = time.perf_counter()
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "nginx", 1, text)))
        opened_at, params = await _wait(published, uri, 1)
        waits = []
        for version in range(2, rounds + 4):
            edited = text.replace("server {", f"server {{ # edit {version}", 1)  # a new file's bytes each time
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version), [types.TextDocumentContentChangeWholeDocument(text=edited)]))
            at, params = await _wait(published, uri, version)
            waits.append((at - sent) * 1000)
        waits = waits[2:]  # warm-up
        lint = [w - QUIET_SECONDS * 1000 for w in waits]
        print(f"{path}: open {1000 * (opened_at - started):.0f}; change→diagnostics {statistics.median(waits):.0f}, {max(waits):.0f}; "
              f"lint {statistics.median(lint):.0f}, {max(lint):.0f}; {len(params.diagnostics)} diagnostics")
        if params.diagnostics:  # what the cursor on a finding's line asks for
            first = params.diagnostics[0]
            sent = time.perf_counter()
            actions = await client.text_document_code_action_async(types.CodeActionParams(
                types.TextDocumentIdentifier(uri), first.range, types.CodeActionContext([first])))
            acted = time.perf_counter()
            await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), first.range.start))
            print(f"  code actions on line {first.range.start.line + 1} ({len(actions)}: {', '.join(a.title for a in actions)}) "
                  f"{1000 * (acted - sent):.0f}; hover {1000 * (time.perf_counter() - acted):.0f}")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


async def _wait(published: asyncio.Queue, uri: str, version: int):
    while True:
        at, params = await published.get()
        if params.uri == uri and params.version == version:
            return at, params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(REPO / p) for p in REFERENCE])
    parser.add_argument("-n", "--rounds", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(measure([Path(p) for p in arguments.paths], arguments.rounds))


if __name__ == "__main__":
    main()
