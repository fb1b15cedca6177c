"""An include the linted files do not hold: where else it is looked for,
and what is said when it is nowhere (semantics §1.4, §7.3).

Looked for, in order, after the tree (or `--root`) has no such file:
1. under each `--include-path DIR`, by its path as written (a leading "/"
   dropped): the user's deployment files, kept elsewhere;
2. nginx's stock files, by name (data/stock/ORIGIN says where each copy
   comes from): mime.types, fastcgi_params, fastcgi.conf, uwsgi_params,
   scgi_params, proxy_params, koi-utf, koi-win, win-utf, and Debian's
   snippets/fastcgi-php.conf and snippets/snakeoil.conf (those two only in
   a `snippets/` folder).

An include found nowhere is an error in a whole config (nginx refuses to
start) and a notice in a fragment, which says what could not be judged.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from ..semantics.servers import describe_location, display_name, enclosing_server
from .probe import Probe
from .tree import Node, walk

STOCK_DIR = Path(__file__).resolve().parent.parent / "data" / "stock"
STOCK_FILES = frozenset({"mime.types", "fastcgi_params", "fastcgi.conf", "uwsgi_params", "scgi_params", "proxy_params",
                         "koi-utf", "koi-win", "win-utf"})
DEBIAN_SNIPPETS = frozenset({"fastcgi-php.conf", "snakeoil.conf"})


def stock_copy(written: str) -> str | None:
    """nginxlint's copy of the stock file an include names, else None."""
    path = PurePosixPath(written)
    if path.name in STOCK_FILES:
        return str(STOCK_DIR / path.name)
    if path.name in DEBIAN_SNIPPETS and path.parent.name == "snippets":
        return str(STOCK_DIR / "snippets" / path.name)
    return None


def under_include_path(pattern: str, include_path: tuple[str, ...]) -> list[str]:
    """Where `pattern` (an include's argument as written) stands under each
    --include-path folder, in the order given."""
    return [os.path.join(folder, pattern.lstrip("/")) for folder in include_path]


def elsewhere(written: str, include_path: tuple[str, ...], probe: Probe) -> str | None:
    """The file read for a plain include the tree does not hold: the first
    under --include-path, else the stock copy, else None."""
    for candidate in under_include_path(written, include_path):
        if probe.exists(candidate):
            return candidate
    return stock_copy(written)


def unjudged(block: Node, written: str) -> str:
    """What a fragment's missing include leaves unjudged, for the notice.

    An include adds lines at its own level: there they can set any value,
    and in a list directive (proxy_set_header…) add entries or replace the
    inherited list; below, a block's own lines still win. So the block
    holding it is not judged, blocks below it are judged on what they (or
    levels between) write themselves, and the rest as if it set nothing."""
    name = PurePosixPath(written).name or written
    below = [n for n in walk(block) if n.inner == "location"]
    nested = f"{len(below)} location{'s' if len(below) != 1 else ''}"
    if block.inner == "server":
        return f"{_server(block)}: {nested} judged on their own lines only, what they inherit may come from {name}"
    if block.inner in ("location", "if-in-location", "limit_except"):
        where = f"location {describe_location(block)}" + (f" in {_server(enclosing_server(block))}" if enclosing_server(block) else "")
        tail = f"; {nested} in it judged on their own lines only" if below else ""
        return f"{where}: not judged, its settings may come from {name}{tail}"
    if block.parent is None or block.inner in ("http", "stream", "main"):
        return f"judged as if {name} set nothing at {block.inner} level"
    return f"{block.name} block at {block.where()}: not judged, its content may come from {name}"


def _server(server: Node | None) -> str:
    if server is None:
        return "the server"
    return f"server {display_name(server) or 'at ' + server.where()}"
