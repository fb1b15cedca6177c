"""Small handlers of their own that read each argument, per version:

- ngx_http_upstream_param_set_slot (fastcgi_param, scgi_param, uwsgi_param;
  src/http/ngx_http_upstream.c), ngx_http_headers_add (add_header,
  add_trailer) and ngx_http_rewrite: the optional third argument is one of
  THIRD_WORDS (ngx_strcmp), else `invalid parameter`;
- ngx_http_limit_req (src/http/modules/ngx_http_limit_req_module.c): zone=,
  burst= and delay= (ngx_atoi, above 0), nodelay, else `invalid parameter`;
  a zone= among them;
- ngx_http_limit_conn and ngx_stream_limit_conn: the number of connections
  through ngx_atoi, 1 to 65535;
- ngx_http_headers_expires (src/http/modules/ngx_http_headers_filter_module.c):
  `expires [modified] time`, the time through ngx_http_parse_expires
  (epoch, max, off; @daily under 24 h, not with modified; +/- and a
  ngx_parse_time in seconds), else `invalid value`;
- ngx_http_upstream_server and ngx_stream_upstream_server: after the address,
  each parameter one of SERVER_PARAMETERS (ngx_strncmp on `name=`), values as
  read there, else `invalid parameter`.

An argument with `$` is not judged (a template placeholder, usually).
Not judged: the upstream address (ngx_parse_url may resolve it) and
`balancing method does not support parameter`, which depends on the
balancing directive's place in the upstream block.
"""
from __future__ import annotations

from .directive_names import near
from .values import is_number, parse_number, parse_time

THIRD_WORDS = {"ngx_http_upstream_param_set_slot": ("if_not_empty",), "ngx_http_headers_add": ("always",),
               "ngx_http_rewrite": ("last", "break", "redirect", "permanent")}

_SINCE_1_18 = (1, 18, 0)
# Upstream server parameters and the release that added each: resolve and
# service= moved into open-source nginx in 1.27.3 (with the upstream zone
# module, built by default), drain and route= with the http sticky module in
# 1.29.6 (`git tag --contains` of the commits).
SERVER_PARAMETERS = {
    "http": {"weight=": _SINCE_1_18, "max_conns=": _SINCE_1_18, "max_fails=": _SINCE_1_18, "fail_timeout=": _SINCE_1_18,
             "backup": _SINCE_1_18, "down": _SINCE_1_18, "resolve": (1, 27, 3), "service=": (1, 27, 3),
             "drain": (1, 29, 6), "route=": (1, 29, 6)},
    "stream": {"weight=": _SINCE_1_18, "max_conns=": _SINCE_1_18, "max_fails=": _SINCE_1_18,
               "fail_timeout=": _SINCE_1_18, "backup": _SINCE_1_18, "down": _SINCE_1_18, "resolve": (1, 27, 3),
               "service=": (1, 27, 3)},
}


def third_word(handler: str):
    words = THIRD_WORDS[handler]

    def judge(args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
        if len(args) < 3 or args[2] in words or "$" in args[2]:
            return None
        return f'invalid parameter "{args[2]}" (the third argument can only be {" or ".join(words)}, in lower case)'
    return judge


def judge_limit_req(args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
    zone = False
    for param in args:
        word, equals, value = param.partition("=")
        if "$" in param or (word == "zone" and equals):
            zone = True  # a `$` argument may be the zone a template fills in
        elif word in ("burst", "delay") and equals:
            if not is_number(value) or int(value) <= 0:
                return f'invalid {word} value "{param}" (a whole number above 0)'
        elif param != "nodelay":
            return f'invalid parameter "{param}" (limit_req takes zone=name, burst=number, delay=number or nodelay)'
    return None if zone else '"limit_req" must have "zone" parameter (limit_req zone=name [burst=n] [nodelay | delay=n])'


def judge_limit_conn(args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
    count = args[1]
    if "$" in count:
        return None
    if not is_number(count) or int(count) <= 0:
        return f'invalid number of connections "{count}" (a whole number from 1 to 65535)'
    return None if int(count) <= 65535 else f"connection limit must be less 65536 (not {count})"



def judge_expires(args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
    modified = len(args) == 2
    if modified and args[0] != "modified":
        return f'"expires" directive invalid value "{args[0]}" (the first of two must be modified)'
    value = args[-1]
    if "$" in value or (not modified and value in ("epoch", "max", "off")):
        return None
    daily = value.startswith("@")
    if daily and modified:
        return '"expires" directive daily time cannot be used with "modified" parameter'
    try:
        seconds = parse_time(value[1:] if value[:1] in ("@", "+", "-") else value, "time-s") // 1000
    except ValueError:
        return f'"expires" directive invalid value "{value}" (epoch, max, off, or a time in s m h d w M y, e.g. 30d, -1, @15h30m)'
    if daily and seconds > 24 * 60 * 60:
        return f'"expires" directive daily time value must be less than 24 hours (not {value})'
    return None


def upstream_server(kind: str):
    parameters = SERVER_PARAMETERS[kind]

    def judge(args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
        for param in args[1:]:
            if "$" not in param:
                problem = _server_parameter(param, parameters, version)
                if problem:
                    return problem
        return None
    return judge


def _server_parameter(param: str, parameters: dict, version: tuple[int, int, int]) -> str | None:
    word, equals, value = param.partition("=")
    key = word + equals
    if key not in parameters or version < parameters[key]:
        known = [name for name, first in parameters.items() if first <= version]
        close = near(key.lower(), known)
        later = f"{word} was added in nginx {'.'.join(map(str, parameters[key]))}" if key in parameters else None
        hint = later or (f"did you mean {close[0]}?" if len(close) == 1 else "server parameters: " + ", ".join(known))
        return f'invalid parameter "{param}" ({hint})'
    if word in ("route", "service") and not value:
        return f"{word} is empty"
    if not _server_value_ok(word, value):
        return f'invalid parameter "{param}" ({word}= takes {"a time in s m h d w M y" if word == "fail_timeout" else "a whole number"})'
    return None


def _server_value_ok(word: str, value: str) -> bool:
    try:
        if word == "fail_timeout":
            parse_time(value, "time-s")
        elif word in ("weight", "max_conns", "max_fails"):
            return parse_number(value) > 0 or word != "weight"
    except ValueError:
        return False
    return True
