"""What selectors and assertions may look at while a rule runs: the effective
configuration, the maps, which sockets are TLS, and the parameter values."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..reading.tree import Node
from ..semantics.effective import Effective
from ..semantics.servers import TlsIndex
from ..semantics.variables import MapIndex

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Scope:
    effective: Effective
    maps: MapIndex
    tls: TlsIndex
    params: dict[str, str]
    incomplete: frozenset[int] = frozenset()  # ids of blocks missing an include (loader.Config.incomplete)
    # Answers rules ask again and again within one tree: whether a block is a
    # WebSocket block (every WebSocket rule asks it of every location), a
    # header assertion's request and expected values, the TLS default servers.
    memo: dict = field(default_factory=dict)

    def known(self, block: Node) -> bool:
        """Is the effective configuration of `block` known? Not when an
        include inside it, or around it, could not be read."""
        return not self.incomplete or not any(id(n) in self.incomplete for n in (block, *block.ancestors()))


def substitute(text: str, params: dict[str, str]) -> str:
    """Replace `{name}` by a parameter's value. Regex quantifiers such as
    `{2}` or `{1,3}` are not identifiers and stay as they are; `{name}` that
    is not a parameter stays too (messages fill those in later)."""
    return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), text)


def referenced_params(text: str) -> list[str]:
    return _PARAM.findall(text)
