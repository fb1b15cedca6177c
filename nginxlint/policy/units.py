"""Reuse an earlier run's verdicts on the http servers that did not change.

A pre-commit hook or an editor lints a whole tree after one file changed:
the parse cache spares re-parsing the other files, and this module spares
re-linting the servers in them. The unit is an http server block, with the
files included inside it. A rule's verdicts on the blocks and statements of
one server depend on

- the server's own lines (`key`: the digests of its file and of the files
  included in it, and where it stands);
- everything outside every server: the main and http levels, what they
  include (inheritance, maps, upstreams, log formats);
- what the other servers show to it: their server-level directives
  (listen, server_name, ssl: sockets, default servers, names; routing), the
  variables they make, map blocks written in them, and whether all their
  directives are stock ones (SYN006 judges only such configs).

The last two make the run's `context` digest. When it is what the earlier
run recorded, the servers whose key is known keep their recorded verdicts
(unless one points into a changed file: a line it quotes may have moved),
and rules run on the tree with those servers left out (`pruned`); what
compares servers with one another (duplicate names, shared sockets) still
sees them all through ServerFacts, built before they are left out, and its
verdicts on the servers left out are the recorded ones. When the context
changed, every server is linted again.
"""
from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from ..reading.loader import Config
from ..reading.tree import Node, walk
from ..semantics.servers import http_servers
from ..semantics.variable_names import Elsewhere, defined_names, stock_only

# What other servers see of one (see the module doc); plain values, so the
# result cache can store it (marshal).
Summary = tuple
Record = tuple  # a verdict as engine._Placed.stored() writes it
Key = tuple  # units._key


@dataclass
class Kept:
    """What a run keeps for the next: its context digest and, per server
    key, the server's summary and its verdicts."""

    context: str = ""
    servers: dict[Key, tuple[Summary, tuple[Record, ...]]] = field(default_factory=dict)
    digests: dict[str, str | None] = field(default_factory=dict)  # the files read: shown path -> sha256


class Units:
    """The http servers of one run, which of them to lint, and the others'
    verdicts from `earlier`; `keeping`: work out what the next run may reuse
    (without it, every server is linted and nothing is kept)."""

    def __init__(self, config: Config, earlier: Kept | None, keeping: bool):
        self.servers = http_servers(config.roots)
        self.ordinal = {server: index for index, server in enumerate(self.servers)}
        self.tree = {server: index for index, root in enumerate(config.roots) for server in http_servers([root])}
        self.keeping = keeping
        self.context = ""
        self.keys: dict[Node, Key | None] = {}
        self.summaries: dict[Node, Summary] = {}
        self.reused: dict[Node, tuple[Record, ...]] = {}
        if not keeping:
            return
        earlier = earlier or Kept()
        seen: dict[tuple[str, int], int] = {}
        for server in self.servers:
            place = (server.file, server.line)
            seen[place] = seen.get(place, 0) + 1
            self.keys[server] = _key(server, seen[place], config)
            known = earlier.servers.get(self.keys[server])
            self.summaries[server] = known[0] if known is not None else _summary(server)
        self.context = _context(config, [self.summaries[s] for s in self.servers])
        self._digests = config.digests
        if self.context != earlier.context:
            return
        changed = [f for f in config.digests.keys() | earlier.digests.keys() if config.digests.get(f) != earlier.digests.get(f)]
        for server, key in self.keys.items():
            records = earlier.servers[key][1] if key is not None and key in earlier.servers else None
            if records is not None and not any(_names(record, file) for record in records for file in changed):
                self.reused[server] = records

    def linted(self, server: Node | None) -> bool:
        """Are this run's verdicts on `server` (None: outside every server) the ones to report?"""
        return server is None or server not in self.reused

    @contextlib.contextmanager
    def pruned(self, root: Node) -> Iterator[Elsewhere]:
        """`root` with the reused servers left out of their http blocks, for
        as long as the rules run; yields what those servers add to
        whole-config answers (the variables they make)."""
        if not self.reused:
            yield Elsewhere()
            return
        left_out = [s for s in self.servers if s in self.reused]
        with _without(root, self.reused):
            names = frozenset(n for server in left_out for n in self.summaries[server][1])
            yield Elsewhere(names, all(self.summaries[server][3] for server in left_out))

    def keep(self, records: dict[Node, list[Record]]) -> Kept | None:
        """What the next run may reuse: every server's verdicts, this run's
        (`records`, by server) or the reused ones. None when not keeping."""
        if not self.keeping:
            return None
        kept = Kept(self.context, digests=dict(self._digests))
        for server, key in self.keys.items():
            if key is not None:
                verdicts = self.reused[server] if server in self.reused else tuple(records.get(server, ()))
                kept.servers[key] = (self.summaries[server], verdicts)
        return kept


def _key(server: Node, nth: int, config: Config) -> Key | None:
    """What a server's lines are made of: where it stands (the nth server
    at that file and line), and its file's and its included files' digests.
    None when a file's digest is unknown (read from standard input)."""
    files = (server.file, *config.server_files.get(server, ()))
    digests = tuple(config.digests.get(file) for file in files)
    if None in digests:
        return None
    return server.file, server.line, nth, files, digests


def _names(record: Record, file: str) -> bool:
    """Does a verdict point into `file` (its line, a related place, the
    block it applies to, or a place its message quotes)?"""
    _, at, _, message, _, _, related, block = record
    return at == file or file in message or any(r[0] == file for r in related) or (block is not None and block[0] == file)


def _summary(server: Node) -> Summary:
    """What other servers see of `server` (the module doc): its own
    directives (not its blocks: locations are its own), the variables it makes, the maps written in it, and whether its
    directives are all stock ones."""
    own = tuple((c.name, c.args) for c in server.children if c.children is None)
    maps = tuple((m.args, tuple((e.name, e.args) for e in m.children or ()))
                 for m in walk(server) if m.name == "map")
    return own, tuple(sorted(defined_names(server)["http"])), maps, stock_only(server)


def _context(config: Config, summaries: list[Summary]) -> str:
    """The digest of everything outside every server, and of what each
    server shows the others, in order. Without line numbers: a line moved
    by an edit moves only in the edited file, and a verdict pointing into
    that file is not reused (_names)."""
    servers = frozenset(http_servers(config.roots))
    complete = not any(p.rule in ("INC001", "INC003", "INC004") for p in config.problems)
    outside = []
    for root in config.roots:
        with _without(root, servers):
            outside.append((root.inner, root.file, [
                (n.name, n.args, n.file, n.context, n.inner, len(n.children) if n.children is not None else -1, n in config.incomplete)
                for n in walk(root)]))
    return _digest((complete, outside, summaries))


@contextlib.contextmanager
def _without(root: Node, servers: Collection[Node]) -> Iterator[None]:
    """`root` without those of `servers` in its http blocks, until the block ends."""
    blocks = [root] if root.inner == "http" else [c for c in root.children or () if c.inner == "http"]
    saved = [(block, block.children) for block in blocks]
    try:
        for block, children in saved:
            block.children = [c for c in children if c not in servers]
        yield
    finally:
        for block, children in saved:
            block.children = children


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()
