"""What role a file plays, decided as nginx's own layout implies: a main
config or a fragment, the context a fragment is read in, and the conf prefix
its relative includes resolve against."""
from __future__ import annotations

import os
from pathlib import Path

from ..semantics import directives
from .parser import Statement
from .probe import Probe

HTTP_DIRS = frozenset({"sites-enabled", "sites-available", "conf.d"})  # Debian includes these in http {}
STREAM_DIRS = frozenset({"streams-enabled", "streams-available"})
FRAGMENT_DIRS = HTTP_DIRS | STREAM_DIRS | {"snippets"}
GUESSED_CONTEXTS = ("http", "server", "location")
MAIN_BLOCKS = frozenset({"http", "events", "stream", "mail"})


def is_main_config(statements: tuple[Statement, ...]) -> bool:
    """The file's top level holds `http`, `events`… or another main-only directive."""
    for name, *_ in statements:  # Statements, or plain tuples from the parse cache (parser.ParsedFile)
        if name in MAIN_BLOCKS:
            return True
        specs = directives.specs(name)
        if specs and all(s.contexts == {"main"} for s in specs):
            return True
    return False


def fragment_context(statements: tuple[Statement, ...], directory: str) -> str:
    """Where a fragment is included: http for sites-*/ and conf.d/ (so a
    top-level location there is the error nginx would report), stream for
    streams-*/; elsewhere (snippets) the first of http, server, location
    that accepts every top-level directive."""
    base = os.path.basename(os.path.abspath(directory))
    if base in STREAM_DIRS:
        return "stream"
    if base in HTTP_DIRS:
        return "http"
    for context in GUESSED_CONTEXTS:
        if all(directives.spec_for(name, context) or not directives.is_known(name) for name, *_ in statements):
            return context
    return "http"


def conf_prefix(directory: str, probe: Probe) -> str:
    """The conf prefix relative includes resolve against: the nearest folder
    above holding nginx.conf, else the folder above sites-*/, conf.d/ or
    snippets/, else the file's own folder."""
    directory = os.path.abspath(directory)
    for candidate in (directory, *Path(directory).parents):
        if probe.is_file(os.path.join(candidate, "nginx.conf")):
            return str(candidate)
    if os.path.basename(directory) in FRAGMENT_DIRS:
        return os.path.dirname(directory)
    return directory
