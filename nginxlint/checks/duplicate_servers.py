"""Two http servers with the same name on the same address:port.

nginx keeps the first, ignores the second for that name and only warns
("conflicting server name ... ignored"), so an edited copy of a site in a
second file silently never serves. Comparing servers with each other, across
files, is not something a per-block YAML rule can do.
"""
from __future__ import annotations

from ..findings.records import Failure, Related
from ..reading.tree import Node
from .view import TreeView


def check(tree: TreeView) -> list[Failure]:
    first: dict[tuple[str, str], tuple[Node, Node]] = {}  # (socket, name) -> (server, its server_name line)
    failures = []
    for server in tree.servers.servers:
        sockets = [listen.socket for listen in tree.servers.listens(server)]
        # Regex names are tried in order, never compared: nginx does not warn
        # about those. Only a server without server_name has the name "".
        lines = [c for c in server.children if c.name == "server_name"]
        named = [(c, name.lower()) for c in lines for name in c.args if not name.startswith("~")]
        for site, name in named if lines else [(server, "")]:
            clashes = [(s, first[(s, name)][1]) for s in sockets if first.get((s, name), (server,))[0] is not server]
            for socket in sockets:
                first.setdefault((socket, name), (server, site))
            if clashes:
                socket, kept = clashes[0]
                fields = {"actual": name or '""', "expected": socket, "origin": kept.where(), "directive": "server_name"}
                failures.append(Failure(site, fields, None, (Related(kept.file, kept.line, "nginx keeps this one"),)))
    return failures
