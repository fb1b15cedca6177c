"""What the http `listen` handler refuses in its arguments, per version
(ngx_http_core_listen in src/http/ngx_http_core_module.c; the address part
through ngx_parse_url in src/core/ngx_inet.c):

- the port: ngx_atoi, 1 to 65535, `invalid port in "80800" of the "listen"
  directive`; a range `8000-8010` is accepted (ngx_parse_inet_url);
- each parameter: one of the words or `name=` prefixes below, compared
  case-sensitively (ngx_strcmp), else `invalid parameter "quic"`; values
  of backlog=, rcvbuf=, sndbuf=, fastopen=, ipv6only= and so_keepalive=
  read as the handler reads them.

Host names (resolved by nginx) and platform-only parameters are not judged:
setfib= (FreeBSD) and accept_filter= are accepted as nginx on their
platform does. A Linux build is assumed for the rest (deferred, reuseport,
fastopen, tunable so_keepalive).
"""
from __future__ import annotations

from .directive_names import near
from .values import is_number, parse_number, parse_size, parse_time

# Parameter words and `name=` prefixes: the release that added each (all
# older than 1.18.0 but quic and multipath) and the one that removed it,
# from the git tags of nginx's repository (`git tag --contains` the commit).
PARAMETERS = {
    "default_server": ((1, 18, 0), None), "default": ((1, 18, 0), None), "bind": ((1, 18, 0), None),
    "deferred": ((1, 18, 0), None), "reuseport": ((1, 18, 0), None), "ssl": ((1, 18, 0), None),
    "http2": ((1, 18, 0), None), "proxy_protocol": ((1, 18, 0), None), "spdy": ((1, 18, 0), (1, 19, 7)),
    "quic": ((1, 25, 0), None), "multipath": ((1, 29, 7), None),
    "setfib=": ((1, 18, 0), None), "fastopen=": ((1, 18, 0), None), "backlog=": ((1, 18, 0), None),
    "rcvbuf=": ((1, 18, 0), None), "sndbuf=": ((1, 18, 0), None), "accept_filter=": ((1, 18, 0), None),
    "ipv6only=": ((1, 18, 0), None), "so_keepalive=": ((1, 18, 0), None),
}


def judge_listen(args: tuple[str, ...], version: tuple[int, int, int]) -> str | None:
    address = args[0]
    if "$" not in address:
        problem = _address(address)
        if problem:
            return f'{problem} in "{address}" of the "listen" directive'
    for param in args[1:]:
        if "$" not in param:
            problem = _parameter(param, version)
            if problem:
                return problem
    return None


def _address(address: str) -> str | None:
    """ngx_parse_url's complaint about a listen address nginx can read
    without DNS, else None. A unix: socket is not judged."""
    if address.startswith("unix:"):
        return None
    if address.startswith("["):
        host, bracket, rest = address[1:].partition("]")
        if not bracket:
            return None
        if not rest:
            return None
        if not rest.startswith(":"):
            return "invalid host"
        return _port(rest[1:])
    if "/" in address or "?" in address:
        return "invalid host"
    host, colon, port = address.partition(":")  # the first colon (ngx_strlchr): a bare IPv6 address is refused
    if colon:
        return _port(port) or (None if host else "no host")
    first, dash, last = address.partition("-")
    if is_number(first) and (not dash or is_number(last)):
        return _port(address)
    return None  # a host name alone: resolved by nginx


def _port(text: str) -> str | None:
    first, dash, last = text.partition("-")
    numbers = [first, last] if dash else [first]
    if not all(is_number(n) and 1 <= int(n) <= 65535 for n in numbers):
        return "invalid port"
    if dash and int(first) > int(last):
        return "invalid port range"
    return None


def _parameter(param: str, version: tuple[int, int, int]) -> str | None:
    word, equals, value = param.partition("=")
    key = word + equals
    if key not in PARAMETERS:
        known = [name for name, span in PARAMETERS.items() if _in(span, version)]
        close = near(key.lower(), known)
        hint = f"did you mean {close[0]}?" if len(close) == 1 else f"listen parameters in nginx {_dotted(version)}: {', '.join(known)}"
        return f'invalid parameter "{param}" ({hint})'
    first, gone = PARAMETERS[key]
    if not _in((first, gone), version):
        why = f"added in nginx {_dotted(first)}" if version < first else f"removed in nginx {_dotted(gone)}"
        return f'invalid parameter "{param}" ({word} was {why})'
    if equals and not _value_ok(word, value):
        noun = "ipv6only flags" if word == "ipv6only" else word
        shown = f'so_keepalive value: "{value}"' if word == "so_keepalive" else f'{noun} "{param}"'
        return f"invalid {shown}"
    return None


def _in(span: tuple[tuple[int, int, int], tuple[int, int, int] | None], version: tuple[int, int, int]) -> bool:
    first, gone = span
    return first <= version and (gone is None or version < gone)


def _dotted(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


def _value_ok(word: str, value: str) -> bool:
    if word in ("setfib", "accept_filter"):
        return True
    if word == "ipv6only":
        return value in ("on", "off")
    if word in ("rcvbuf", "sndbuf"):
        return _parses(parse_size, value)
    if word == "so_keepalive":
        return value in ("on", "off") or _keepalive_ok(value)
    return is_number(value) and (word != "backlog" or int(value) > 0)


def _keepalive_ok(value: str) -> bool:
    """[keepidle]:[keepintvl]:[keepcnt], times in seconds, at least one not 0."""
    idle, _, rest = value.partition(":")
    interval, _, count = rest.partition(":")
    try:
        numbers = [parse_time(idle, "time-s") if idle else 0, parse_time(interval, "time-s") if interval else 0,
                   parse_number(count) if count else 0]
    except ValueError:
        return False
    return any(numbers)


def _parses(parser, text: str) -> bool:
    try:
        parser(text)
    except ValueError:
        return False
    return True

