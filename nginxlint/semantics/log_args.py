"""What the log handlers refuse in their arguments (nginx 1.18 to 1.31 alike):

- error_log (main: ngx_error_log; http, stream, mail: their core modules'
  *_error_log), through ngx_log_set_levels in src/core/ngx_log.c: every
  argument after the file is a level, compared case-sensitively
  (ngx_strcmp); one of LEVELS at most once and first (a second is
  `duplicate log level`), any of DEBUG_LEVELS after none of LEVELS, else
  `invalid log level "warning"`;
- access_log (ngx_http_log_set_log in src/http/modules/ngx_http_log_module.c,
  ngx_stream_log_set_log in src/stream/ngx_stream_log_module.c): `off` takes
  nothing more; after the path and the format name each argument is one of
  PARAMETERS (ngx_strncmp on the prefix), else `invalid parameter`; flush=
  needs a buffer (buffer= or gzip); syslog: logs cannot be buffered; the
  stream module has no default format (`log format is not specified`).

In a whole configuration, the format name too: a log_format line before
it must define it (unknown_log_formats). Not judged: syslog: parameters,
memory: buffers, if= conditions. An argument with
`$` is not judged (a template placeholder, usually), nor what depends on it.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..reading.tree import Node
from . import directives
from .directive_names import near
from .placement import Rejection
from .values import parse_number, parse_size, parse_time

LEVELS = ("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug")  # err_levels
DEBUG_LEVELS = ("debug_core", "debug_alloc", "debug_mutex", "debug_event", "debug_http", "debug_mail", "debug_stream")


def _positive_size(text: str) -> bool:
    return parse_size(text) > 0  # ngx_parse_size, 0 refused


def _positive_msec(text: str) -> bool:
    return parse_time(text, "time-ms") > 0  # ngx_parse_time(&s, 0), 0 refused


def _compression_level(text: str) -> bool:
    return 1 <= parse_number(text) <= 9  # ngx_atoi, Z_BEST_SPEED to Z_BEST_COMPRESSION


# access_log's parameters after the format: prefix → (nginx's words for a
# value it cannot read, the reader, the hint); `gzip` alone is level 1.
PARAMETERS = {
    "buffer=": ("invalid buffer size", _positive_size, "a size above 0, e.g. 32k"),
    "flush=": ("invalid flush time", _positive_msec, "a time above 0: ms s m h d w, e.g. 5m"),
    "gzip=": ("invalid compression level", _compression_level, "1 to 9"),
    "if=": None,  # a complex value, compiled by nginx
}


def judge_error_log(args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
    level_set = debug_set = False
    for level in args[1:]:
        if "$" in level:
            return None
        if level in LEVELS and not (level_set or debug_set):
            level_set = True
        elif level in LEVELS:
            return f'duplicate log level "{level}" (one of {" ".join(LEVELS)}, once, before any debug_*)'
        elif level in DEBUG_LEVELS and not level_set:
            debug_set = True  # debug_* bits add up
        else:
            return f'invalid log level "{level}" ({_level_hint(level)})'
    return None


def _level_hint(level: str) -> str:
    if level in DEBUG_LEVELS:
        return f"{level} cannot follow a level such as error; use error_log FILE debug or debug_* alone"
    close = near(level.lower(), LEVELS + DEBUG_LEVELS)
    if len(close) == 1:
        return f"did you mean {close[0]}?"
    return "levels: " + " ".join(reversed(LEVELS))


def judge_access_log(args: tuple[str, ...], stream: bool) -> str | None:
    path = args[0]
    if path == "off":
        return f'invalid parameter "{args[1]}" (access_log off takes nothing more)' if len(args) > 1 else None
    if len(args) == 1 and stream:
        return 'log format is not specified (the stream access_log names a log_format: access_log PATH FORMAT)'
    buffered = flushed = False
    sure = True
    for param in args[2:]:
        if "$" in param and not param.startswith("if="):
            sure = False
            continue
        problem = _parameter(param)
        if problem:
            return problem
        buffered = buffered or param.startswith(("buffer=", "gzip"))
        flushed = flushed or param.startswith("flush=")
    if sure and flushed and not buffered:
        return f'no buffer is defined for access_log "{path}" (flush= needs buffer= or gzip)'
    if sure and buffered and path.startswith("syslog:"):
        return "logs to syslog cannot be buffered (no buffer=, gzip or flush= with syslog:)"
    return None


def _parameter(param: str) -> str | None:
    if param == "gzip":
        return None
    prefix = next((p for p in PARAMETERS if param.startswith(p)), None)
    if prefix is None:
        return f'invalid parameter "{param}" (after the format: buffer=size, gzip[=level], flush=time, if=condition)'
    if PARAMETERS[prefix] is None:
        return None
    words, reads, hint = PARAMETERS[prefix]
    value = param[len(prefix):]
    try:
        ok = reads(value)
    except ValueError:
        ok = False
    return None if ok else f'{words} "{value}" ({hint})'


def unknown_log_formats(statements: Iterable[Node]) -> Iterator[Rejection]:
    """access_log lines of a whole configuration naming a format that no
    log_format line before them defines: nginx looks the name up
    (ngx_strcasecmp) among the formats read so far, http's own `combined`
    first, and says `unknown log format "main"`. Without a name, http's
    access_log uses combined; stream's is the handler's own complaint."""
    known: dict[str, set[bytes]] = {"ngx_http_log_set_log": {b"combined"}, "ngx_stream_log_set_log": set()}
    for node in statements:  # every statement of the configuration (walk(root))
        if node.name not in LOG_DIRECTIVES:
            continue  # most statements: no table lookup
        spec = directives.spec_for(node.name, node.context) if node.context is not None and node.args else None
        if spec is not None and spec.set_handler in _FORMAT_OF:
            known[_FORMAT_OF[spec.set_handler]].add(node.args[0].encode().lower())  # bytes.lower folds ASCII only
        elif spec is not None and spec.set_handler in known and len(node.args) > 1 and node.args[0] != "off":
            name = node.args[1]
            if "$" not in name and name.encode().lower() not in known[spec.set_handler]:
                defined = ", ".join(sorted(value.decode() for value in known[spec.set_handler])) or "none"
                yield Rejection(node, f'unknown log format "{name}" (the log_format lines before it define: {defined})')


_FORMAT_OF = {"ngx_http_log_set_format": "ngx_http_log_set_log", "ngx_stream_log_set_format": "ngx_stream_log_set_log"}
# Every directive of data/nginx-directives.tsv with one of those handlers
# (tests/test_log_formats.py keeps the two in step).
LOG_DIRECTIVES = frozenset({"log_format", "access_log"})
