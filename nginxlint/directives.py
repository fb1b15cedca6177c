"""What nginx knows about each stock directive: where it may stand, how many
arguments it takes and how its value is parsed.

The table (data/nginx-directives.tsv) is generated from nginx's own module
command tables, so it is current where crossplane's analyzer (2020) is not.
Third-party directives are not in it: they are accepted unchecked, as a
linter cannot know which modules a host loads.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class DirectiveSpec:
    name: str
    contexts: frozenset[str]
    arity: str  # "1", "1+", "1-2", "on|off", "0/1-2", …
    block: bool
    set_handler: str


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[DirectiveSpec, ...]]:
    text = resources.files("nginxlint").joinpath("data/nginx-directives.tsv").read_text("utf-8")
    table: dict[str, list[DirectiveSpec]] = {}
    rows = (r for r in csv.reader(text.splitlines(), delimiter="\t") if r and not r[0].startswith("#"))
    for name, contexts, arity, block, _first, _absent, _source, handler in rows:
        spec = DirectiveSpec(name, frozenset(contexts.split(",")), arity, block == "block", handler)
        table.setdefault(name, []).append(spec)
    return {name: tuple(specs) for name, specs in table.items()}


def specs(name: str) -> tuple[DirectiveSpec, ...]:
    return _table().get(name, ())


def is_known(name: str) -> bool:
    return name in _table()


def spec_for(name: str, context: str) -> DirectiveSpec | None:
    """The entry for `name` valid in `context` (same name, other module in
    another context: `server` in http vs in upstream)."""
    for spec in specs(name):
        if context in spec.contexts or "any" in spec.contexts:
            return spec
    return None


def value_kind(name: str) -> str:
    """How the http-level directive's value is parsed: time-ms, time-s, size,
    offset, flag, enum, bitmask or text (see values.py)."""
    handler = next((s.set_handler for s in specs(name) if "http" in s.contexts or "location" in s.contexts), "")
    return _HANDLER_KIND.get(handler, "text")


_HANDLER_KIND = {
    "ngx_conf_set_msec_slot": "time-ms",
    "ngx_conf_set_sec_slot": "time-s",
    "ngx_conf_set_size_slot": "size",
    "ngx_conf_set_off_slot": "offset",
    "ngx_conf_set_flag_slot": "flag",
    "ngx_conf_set_bitmask_slot": "bitmask",
    "ngx_conf_set_enum_slot": "enum",
}


def is_bitmask(name: str) -> bool:
    return value_kind(name) == "bitmask"


def arity_ok(arity: str, count: int) -> bool:
    """Check an argument count against the table's arity notation."""
    if arity == "on|off":
        return count == 1
    for alternative in arity.split("/"):
        if alternative.endswith("+"):
            if count >= int(alternative[:-1]):
                return True
        elif "-" in alternative:
            low, high = alternative.split("-")
            if int(low) <= count <= int(high):
                return True
        elif count == int(alternative):
            return True
    return False
