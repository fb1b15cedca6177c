"""nginx's value grammars (semantics §3), so thresholds compare what nginx
would compute, not the text: `1d`, `24h`, `1440m` and `86400` are one time;
`50m` and `50M` one size; `0` an unlimited body size.

Each parser accepts exactly what nginx's own does (src/core/ngx_parse.c:
ngx_parse_time, ngx_parse_size, ngx_parse_offset; ngx_conf_file.c:
ngx_conf_set_flag_slot), checked value by value against a real `nginx -t`
in tests/test_nginx_values.py."""
from __future__ import annotations

import math

# ngx_int_t, ssize_t and off_t on a 64-bit build: the ceilings of nginx's
# overflow checks (NGX_MAX_INT_T_VALUE, NGX_MAX_SIZE_T_VALUE, NGX_MAX_OFF_T_VALUE).
MAX_INT = 2**63 - 1

# ngx_parse_time's steps, in the order a value must use them; a unit may
# only follow a smaller step. "last" is a bare number ended by a space.
_STEPS = ("start", "y", "M", "w", "d", "h", "m", "s", "ms", "last")
_SECONDS = {"y": 365 * 86400, "M": 30 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "last": 1}

# Directives where a size of 0 switches the limit off (semantics §2.9, §3.4).
ZERO_IS_UNLIMITED = frozenset({"client_max_body_size"})


def parse_time(text: str, kind: str = "time-ms") -> int:
    """Milliseconds for an nginx time; ValueError when nginx would reject it.

    `kind` is "time-ms" (msec slots: no `y`/`M`) or "time-s" (sec slots: no
    `ms`). Mirrors ngx_parse_time: units largest first, each at most once,
    spaces after a unit are skipped, a space after a bare number closes it
    as seconds and only one more bare number may follow ("12 34" is 46 s),
    a bare number at the end is seconds.
    """
    is_sec = kind == "time-s"
    step = 0 if is_sec else _STEPS.index("M")
    value = total = 0
    valid = False
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        pos += 1
        if "0" <= char <= "9":
            if value >= MAX_INT // 10 and (value > MAX_INT // 10 or int(char) > MAX_INT % 10):
                raise ValueError(f"invalid time {text!r}: too large")
            value, valid = value * 10 + int(char), True
            continue
        if char == "m" and pos < end and text[pos] == "s":
            unit = "ms"
            pos += 1
            if is_sec:
                raise ValueError(f"invalid time {text!r}: unit 'ms' not allowed here")
        elif char == " ":
            unit = "last"
            if step >= _STEPS.index("s"):
                raise ValueError(f"invalid time {text!r}")
        elif char in _SECONDS:
            unit = char
        else:
            raise ValueError(f"invalid time {text!r}")
        rank = _STEPS.index(unit)
        if unit != "last" and (step >= rank if unit != "y" else step > 0):
            raise ValueError(f"invalid time {text!r}: units largest first, each once (y M w d h m s ms)")
        step = rank
        scale, ceiling = (1, MAX_INT) if unit == "ms" else (_SECONDS[unit], MAX_INT // _SECONDS[unit])
        if unit != "ms" and not is_sec:
            scale, ceiling = scale * 1000, ceiling // 1000
        if value > ceiling or total > MAX_INT - value * scale:
            raise ValueError(f"invalid time {text!r}: too large")
        total, value = total + value * scale, 0
        while pos < end and text[pos] == " ":
            pos += 1
    if not valid:
        raise ValueError(f"invalid time {text!r}")
    if not is_sec:
        if value > MAX_INT // 1000:
            raise ValueError(f"invalid time {text!r}: too large")
        value *= 1000
    if total > MAX_INT - value:
        raise ValueError(f"invalid time {text!r}: too large")
    return (total + value) * (1000 if is_sec else 1)


def parse_size(text: str, kind: str = "size") -> int:
    """Bytes for an nginx size (k, m) or offset (k, m, g); ValueError if
    invalid. Mirrors ngx_parse_size / ngx_parse_offset: ASCII digits, one
    optional unit letter in either case, nothing else, no overflow."""
    units = {"k": 1024, "m": 1024**2} | ({"g": 1024**3} if kind == "offset" else {})
    scale = units.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale > 1 else text
    if not digits or not all("0" <= c <= "9" for c in digits) or int(digits) > MAX_INT // scale:
        raise ValueError(f"invalid size {text!r}")
    return int(digits) * scale


def parse_number(text: str) -> int:
    """ngx_atoi, as ngx_conf_set_num_slot and the count of a bufs slot use
    it: ASCII digits only, at least one, no overflow. Bounds some directives
    add after it (gzip_comp_level 1..9) are not checked here."""
    if not text or not all("0" <= c <= "9" for c in text) or int(text) > MAX_INT:
        raise ValueError(f"invalid number {text!r}")
    return int(text)


def is_number(text: str) -> bool:
    """Whether ngx_atoi reads `text` (parse_number would not raise)."""
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def parse_flag(text: str) -> bool:
    """ngx_conf_set_flag_slot: `on` or `off`, in any case (ngx_strcasecmp)."""
    lowered = text.lower() if text.isascii() else text
    if lowered not in ("on", "off"):
        raise ValueError(f"invalid flag {text!r}: nginx accepts only on or off")
    return lowered == "on"


def measure(directive: str, kind: str, text: str) -> float:
    """A comparable number for a time or size value: milliseconds or bytes,
    infinity where nginx reads 0 as "no limit"."""
    if kind.startswith("time"):
        return parse_time(text, kind)
    value = parse_size(text, kind)
    if value == 0 and directive in ZERO_IS_UNLIMITED:
        return math.inf
    return value
