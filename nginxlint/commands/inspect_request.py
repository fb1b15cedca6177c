"""`nginxlint inspect`: which server and location serve a request, and the
effective configuration there, each directive with its origin."""
from __future__ import annotations

import json
from dataclasses import replace

from tabulate import tabulate

from ..reading.loader import Config
from ..reading.tree import Node
from ..routing.route import Request, Route, Router
from ..semantics.effective import Effective
from ..semantics.in_force import Entry, block_label, locations_of, owner_label, settings_in_force


def _where(node: Node | None) -> dict | None:
    return None if node is None else {"file": node.file, "line": node.line, "block": block_label(node)}


def _entries_json(entries: list[Entry]) -> list[dict]:
    return [{"directive": e.directive, "value": e.value, "file": e.file, "line": e.line, "block": e.block}
            for e in entries]


def _table(entries: list[Entry]) -> str:
    rows = [(e.directive, e.value, f"{e.file}:{e.line} ({e.block})" if e.file else e.block) for e in entries]
    return tabulate(rows, headers=("directive", "value", "origin"), maxcolwidths=[None, 60, None])


def inspect_request(config: Config, effective: Effective, request: Request, as_json: bool,
                    every_default: bool = False, port_given: bool = True) -> str:
    router = Router(config.roots)
    request, note = (request, None) if port_given else _port_for_host(router, request)
    found = router.route(request)
    block = found.location or found.server
    entries = settings_in_force(effective, block, every_default) if block is not None else []
    if as_json:
        return json.dumps({
            "version": 1,
            "request": {"host": request.host, "port": request.port, "tls": request.tls, "uri": request.uri},
            "note": note,
            "server": _where(found.server), "location": _where(found.location),
            "locations": [_where(n) for n in found.locations],
            "status": found.status, "reason": found.reason,
            "answered_by": _answer(found),
            "rewritten_uri": found.uri, "depends_on": list(found.undecided), "then": list(found.then),
            "directives": _entries_json(entries),
        }, indent=2, ensure_ascii=False) + "\n"
    text = (f"note:     {note}\n" if note else "") + _request_text(request, found)
    return text + ("\n\n" + _table(entries) if entries else "") + "\n"


def _answer(found: Route) -> dict | None:
    node = found.answered_by
    return None if node is None else {"file": node.file, "line": node.line, "block": owner_label(node),
                                      "directive": _statement(node), "target": found.target}


def _port_for_host(router: Router, request: Request) -> tuple[Request, str | None]:
    """Without --port the request goes to port 80; when the host is named
    only elsewhere, route it there if that is one socket, else say where
    to ask."""
    elsewhere = router.sockets_naming(request.host, request.address)
    if any(port == request.port for _, port, _ in elsewhere):
        return request, None
    host = request.host or "a request without Host"
    if len(elsewhere) == 1:
        sock, port, tls = elsewhere[0]
        return (replace(request, port=port, tls=tls),
                f"no --port: {host} is served only on {sock}{' (TLS)' if tls else ''}, so routed there")
    if elsewhere:
        listed = ", ".join(f"{sock}{' (TLS)' if tls else ''}" for sock, _, tls in elsewhere)
        return request, (f"{host} is not named on port {request.port}; it is served on {listed}: "
                         f"ask with --port (and --tls) for one of them")
    return request, None


def _request_text(request: Request, found: Route) -> str:
    scheme = "https" if request.tls else "http"
    lines = [f"request:  GET {scheme}://{request.host or '(no Host)'}:{request.port}{request.uri}"]
    if found.server is None:
        lines.append("server:   none: nothing listens on that address and port")
    else:
        lines.append(f"server:   {block_label(found.server)} ({found.server.file}:{found.server.line})")
        chain = " > ".join(f"{block_label(n)} ({n.file}:{n.line})" for n in found.locations)
        if not chain:
            chain = ("none: the server rewrite phase answers before any location is chosen" if found.answered_by
                     else "none: served at server level")
        lines.append(f"location: {chain}")
    if found.uri is not None:
        lines.append(f"uri:      {found.uri} (rewritten)")
    if found.status:
        answer = found.answered_by
        by = f" from `{_statement(answer)}` ({answer.file}:{answer.line})" if answer is not None else ""
        lines.append(f"status:   {found.status}{by}" + (f": {found.target}" if found.target is not None else ""))
    lines += [f"depends:  {condition} (taken as false)" for condition in found.undecided]
    lines += [f"then:     {redirect}" for redirect in found.then]
    lines.append(f"why:      {found.reason}")
    return "\n".join(lines)


def _statement(node: Node) -> str:
    return " ".join((node.name, *(a or '""' for a in node.args)))


def inspect_all(config: Config, effective: Effective, as_json: bool, every_default: bool = False) -> str:
    """Every location of every loaded tree, with its effective configuration."""
    blocks = [(server, location) for root in config.roots for server, location in locations_of(root)]
    if as_json:
        return json.dumps({"version": 1, "locations": [
            {"server": _where(server), "location": _where(location),
             "directives": _entries_json(settings_in_force(effective, location, every_default))}
            for server, location in blocks]}, indent=2, ensure_ascii=False) + "\n"
    parts = [f"{block_label(location)} in {block_label(server) if server else 'no server'} "
             f"({location.file}:{location.line})\n{_table(settings_in_force(effective, location, every_default))}"
             for server, location in blocks]
    return "\n\n".join(parts) + "\n" if parts else "no locations\n"
