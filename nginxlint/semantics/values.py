"""nginx's value grammars (semantics §3), so thresholds compare what nginx
would compute, not the text: `1d`, `24h`, `1440m` and `86400` are one time;
`50m` and `50M` one size; `0` an unlimited body size."""
from __future__ import annotations

import math
import re

_TIME_UNITS = {"y": 365 * 86400_000, "M": 30 * 86400_000, "w": 7 * 86400_000, "d": 86400_000,
               "h": 3600_000, "m": 60_000, "s": 1000, "ms": 1}
_TIME_ORDER = ("y", "M", "w", "d", "h", "m", "s", "ms")  # largest first, each at most once
_TIME_PART = re.compile(r"([0-9]+)(ms|[yMwdhms]?) *")  # ASCII digits; spaces between parts, not tabs

# Directives where a size of 0 switches the limit off (semantics §2.9, §3.4).
ZERO_IS_UNLIMITED = frozenset({"client_max_body_size"})


def parse_time(text: str, kind: str = "time-ms") -> int:
    """Milliseconds for an nginx time; ValueError when nginx would reject it.

    `kind` is "time-ms" (msec slots: no `M`/`y`) or "time-s" (sec slots: no `ms`).
    """
    pos, total, last = 0, 0, -1
    if not text:
        raise ValueError("empty time")
    while pos < len(text):
        match = _TIME_PART.match(text, pos)
        if not match:
            raise ValueError(f"invalid time {text!r}")
        number, unit = match.groups()
        unit = unit or "s"
        rank = _TIME_ORDER.index(unit)
        if rank <= last:
            raise ValueError(f"invalid time {text!r}: units must be largest first, each once")
        if (kind == "time-ms" and unit in ("M", "y")) or (kind == "time-s" and unit == "ms"):
            raise ValueError(f"invalid time {text!r}: unit {unit!r} not allowed here")
        if not match.group(2) and match.end() != len(text):  # a bare number must come last
            raise ValueError(f"invalid time {text!r}")
        last, total, pos = rank, total + int(number) * _TIME_UNITS[unit], match.end()
    return total


def parse_size(text: str, kind: str = "size") -> int:
    """Bytes for an nginx size (k, m) or offset (k, m, g); ValueError if invalid."""
    match = re.fullmatch(r"([0-9]+)([kKmMgG]?)", text)
    if not match or (kind == "size" and match.group(2) in ("g", "G")):
        raise ValueError(f"invalid size {text!r}")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(match.group(1)) * factor


def parse_flag(text: str) -> bool:
    lowered = text.lower()
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
