"""What `nginx -t` refuses in a directive's value: a time, size, offset or
flag its slot cannot parse (ngx_conf_set_msec_slot, _sec_slot, _size_slot,
_off_slot, _flag_slot, which all read the directive's one argument).

Which slot a directive has comes from the stock directive table, in the
context where it stands (ssl_session_timeout is a sec slot in http, stream
and mail alike; another module's directive of the same name may differ).
A value with a variable is not judged: slots do not expand variables, but a
`$` in a value is usually a template placeholder filled in before nginx
reads the file."""
from __future__ import annotations

from collections.abc import Iterator

from ..reading.tree import Node, walk
from . import directives
from .placement import Rejection
from .values import parse_flag, parse_size, parse_time

# Slot → (grammar, what the hint lists).
_SLOTS = {
    "ngx_conf_set_msec_slot": ("time-ms", "times: ms s m h d w, largest first, e.g. 1d or 1h30m"),
    "ngx_conf_set_sec_slot": ("time-s", "times: s m h d w M y, largest first, e.g. 1d or 1h30m"),
    "ngx_conf_set_size_slot": ("size", "sizes: a whole number with k or m, e.g. 10m"),
    "ngx_conf_set_off_slot": ("offset", "sizes: a whole number with k, m or g, e.g. 10m"),
    "ngx_conf_set_flag_slot": ("flag", ""),
}


def check_values(root: Node) -> Iterator[Rejection]:
    for node in walk(root):
        if node.context is None or len(node.args) != 1 or "$" in node.args[0]:
            continue
        spec = directives.spec_for(node.name, node.context)
        slot = _SLOTS.get(spec.set_handler) if spec else None
        if slot and not is_valid(slot[0], node.args[0]):
            yield Rejection(node, _message(node.name, node.args[0], *slot))


def is_valid(grammar: str, text: str) -> bool:
    try:
        if grammar == "flag":
            parse_flag(text)
        elif grammar.startswith("time"):
            parse_time(text, grammar)
        else:
            parse_size(text, grammar)
    except ValueError:
        return False
    return True


def _message(name: str, value: str, grammar: str, hint: str) -> str:
    """nginx's own words (ngx_conf_handler prefixes the slot's "invalid
    value"; the flag slot says more), with the value and a hint."""
    if grammar == "flag":
        return f'invalid value "{value}" in "{name}" directive, it must be "on" or "off"'
    return f'"{name}" directive invalid value "{value}" ({hint})'
