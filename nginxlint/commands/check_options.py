"""The settings of one `check` run, apart from the phases that use them:
the command line builds them, and the result cache keys on them, before
anything heavier than this is imported (a cache hit needs nothing more)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..findings.selection import Selection
from ..reading.layout import DEFAULT_PREFIX
from .exclude import Exclude

if TYPE_CHECKING:
    from ..reading.parse_cache import ParseCache

# nginx before 1.29.7 (proxy_http_version 1.0 by default); 1.28 is the last
# stable line with those defaults.
DEFAULT_NGINX_VERSION = "1.28"


@dataclass
class CheckOptions:
    """Settings of a run, merged from the project config and the command line."""

    policies: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    packs: list[str] = field(default_factory=list)  # opt-in packs turned on by name (--pack, packs:)
    nginx_version: str = DEFAULT_NGINX_VERSION
    root: str | None = None  # --root: the copy is laid out below DIR as on the host
    prefix: str | None = None  # --prefix: DIR is a copy of nginx's conf prefix (prefix_of)
    prefix_of: str = DEFAULT_PREFIX
    allow_outside: bool = False  # --allow-outside: read what the tree reaches outside itself
    context: str | None = None
    include_path: tuple[str, ...] = ()  # folders an include not found in the tree is looked for in, in order
    selection: Selection = Selection()
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity override
    source: str = "command line"  # where select/ignore/severity came from, for errors
    exclude: Exclude = Exclude()  # files not read from folders and globs, and not reported on
    directives: tuple[str, ...] = ()  # directives: names or globs the project's own modules define (SYN005 spares them)
    # How files are read, not what a result depends on: no part of the
    # result cache's key (repr) and never a reason for a different result.
    parse_cache: ParseCache | None = field(default=None, repr=False, compare=False)
