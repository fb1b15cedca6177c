"""What `nginx -t` refuses in a directive's value: a time, size, offset,
flag or number its set handler cannot parse (ngx_conf_set_msec_slot,
_sec_slot, _size_slot, _off_slot, _flag_slot, _num_slot, _bufs_slot, and
the core keepalive_timeout's own); a word an enum or bitmask slot does not
list, a number outside the bounds checked after (arg_values.py); a status
code `return` or `error_page` refuses (status_codes.py); a `listen` port or
parameter (listen_args.py); an error_log level or access_log parameter
(log_args.py); the third word of fastcgi_param, add_header or rewrite,
an expires time, limit_req's, limit_conn's and an upstream server's parameters
(handler_args.py), for the nginx version judged.

Which handler a directive has comes from the stock directive table, in the
context where it stands (ssl_session_timeout is a sec slot in http, stream
and mail alike; another module's directive of the same name may differ).
A value with a variable is not judged: slots do not expand variables, but a
`$` in a value is usually a template placeholder filled in before nginx
reads the file (return, error_page and listen judge each argument alone)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from ..reading.tree import Node
from . import arg_values, directives
from .effective import parse_version
from .handler_args import THIRD_WORDS, judge_expires, judge_limit_conn, judge_limit_req, third_word, upstream_server
from .listen_args import judge_listen
from .log_args import judge_access_log, judge_error_log
from .placement import Rejection
from .status_codes import judge_error_page, judge_return
from .values import parse_flag, parse_number, parse_size, parse_time

_TIMES_MS = "times: ms s m h d w, largest first, e.g. 1d or 1h30m"
_TIMES_S = "times: s m h d w M y, largest first, e.g. 1d or 1h30m"
# Set handler → (the grammar of each argument it reads, nginx's word for a
# value it cannot read, the hint). Slots read one argument; bufs slots a
# count and a size, neither 0; the core keepalive_timeout a msec and a sec
# time (ngx_http_core_keepalive).
_HANDLERS = {
    "ngx_conf_set_msec_slot": (("time-ms",), "invalid value", _TIMES_MS),
    "ngx_conf_set_sec_slot": (("time-s",), "invalid value", _TIMES_S),
    "ngx_conf_set_size_slot": (("size",), "invalid value", "sizes: a whole number with k or m, e.g. 10m"),
    "ngx_conf_set_off_slot": (("offset",), "invalid value", "sizes: a whole number with k, m or g, e.g. 10m"),
    "ngx_conf_set_flag_slot": (("flag",), "", ""),
    "ngx_conf_set_num_slot": (("number",), "invalid number", "a whole number, e.g. 100"),
    "ngx_conf_set_bufs_slot": (("count", "buffer-size"), "invalid value", "a number of buffers and their size, neither 0, e.g. 8 4k"),
    "ngx_http_core_keepalive": (("time-ms", "time-s"), "invalid value", _TIMES_MS + "; the second one in s m h d w M y"),
}


# Handlers of their own that read each argument (a `$` in one spares only it).
_ARGUMENT_HANDLERS = {
    "ngx_http_rewrite_return": lambda args, version: judge_return(args),
    "ngx_http_core_error_page": lambda args, version: judge_error_page(args),
    "ngx_http_core_listen": judge_listen,
    **dict.fromkeys(("ngx_error_log", "ngx_http_core_error_log", "ngx_stream_core_error_log", "ngx_mail_core_error_log"),
                    judge_error_log),
    "ngx_http_log_set_log": lambda args, version: judge_access_log(args, stream=False),
    "ngx_stream_log_set_log": lambda args, version: judge_access_log(args, stream=True),
    **{handler: third_word(handler) for handler in THIRD_WORDS},
    "ngx_http_headers_expires": judge_expires,
    "ngx_http_limit_req": judge_limit_req,
    **dict.fromkeys(("ngx_http_limit_conn", "ngx_stream_limit_conn"), judge_limit_conn),
    "ngx_http_upstream_server": upstream_server("http"),
    "ngx_stream_upstream_server": upstream_server("stream"),
}


def check_values(statements: Iterable[Node], version_text: str) -> Iterator[Rejection]:
    """`statements`: every statement of a tree (walk(root))."""
    version = parse_version(version_text)
    # A verdict depends on the statement's words and context alone, and a
    # tree repeats most statements (sites made from one template): each
    # distinct one is judged once.
    judged: dict[tuple[str, str, tuple[str, ...]], str | None] = {}
    for node in statements:
        if node.context is None or not node.args or not _judges(node.name, node.context):
            continue
        key = (node.name, node.context, node.args)
        message = judged.get(key, _UNJUDGED)
        if message is _UNJUDGED:
            message = judged[key] = verdict(node.name, node.context, node.args, version)
        if message:
            yield Rejection(node, message)


_UNJUDGED = object()  # not judged yet (None is a verdict: nothing to say)


@lru_cache(maxsize=4096)
def _judges(name: str, context: str) -> bool:
    """Can verdict() find fault with some arguments of `name` in `context`?
    Most statements' values are read by no handler judged here (server_name,
    root, proxy_set_header…): they are passed over without a lookup of their words."""
    spec = directives.spec_for(name, context)
    return spec is not None and (spec.set_handler in _ARGUMENT_HANDLERS or spec.set_handler in _HANDLERS
                                 or spec.set_handler in arg_values.KINDS)


def verdict(name: str, context: str, args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
    """nginx's complaint about these arguments of `name` in `context`, with
    a hint; None when nginx `version` reads them (or they are not judged)."""
    spec = directives.spec_for(name, context)
    if spec is None or not directives.arity_ok(spec.arity, len(args)):
        return None  # third-party, or SYN002's to report
    if spec.set_handler in _ARGUMENT_HANDLERS:
        return _ARGUMENT_HANDLERS[spec.set_handler](args, version)
    if any("$" in arg for arg in args):
        return None
    if accepts(spec.set_handler, args) is False:
        grammars, word, hint = _HANDLERS[spec.set_handler]
        return _message(name, " ".join(args), grammars, word, hint)
    return arg_values.judge(spec, args, version)


def accepts(handler: str, args: tuple[str, ...]) -> bool | None:
    """Whether set handler `handler` reads these arguments; None when it is
    not one judged here or the argument count is not its (that is SYN002)."""
    grammars = _HANDLERS.get(handler, ((),))[0]
    if not 1 <= len(args) <= len(grammars):
        return None
    return all(map(is_valid, grammars, args))


def is_valid(grammar: str, text: str) -> bool:
    try:
        if grammar == "flag":
            parse_flag(text)
        elif grammar.startswith("time"):
            parse_time(text, grammar)
        elif grammar in ("number", "count"):
            return parse_number(text) > 0 or grammar == "number"
        elif grammar == "buffer-size":
            return parse_size(text) > 0
        else:
            parse_size(text, grammar)
    except ValueError:
        return False
    return True


def _message(name: str, value: str, grammars: tuple[str, ...], word: str, hint: str) -> str:
    """nginx's own words (ngx_conf_handler prefixes what the handler
    returns; the flag slot says more), with the value and a hint."""
    if grammars == ("flag",):
        return f'invalid value "{value}" in "{name}" directive, it must be "on" or "off"'
    return f'"{name}" directive {word} "{value}" ({hint})'
