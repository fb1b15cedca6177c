"""`nginxlint diff ACTIVE BACKUP`: what restoring BACKUP over ACTIVE would
change and break.

Both sides are linted with the same policies; findings are matched by their
cause: the rule and the text of the line it points at (never the line
number: a restore moves every line), then by the blocks the cause applies
to. So the restore's regressions and fixes stand out, and so does a cause
both sides have that the restore makes reach more (or fewer) locations. Then the effective configuration
of each server and location is compared: servers and locations added or
removed, values changed, proxy headers lost or gained, with file:line on
both sides. Requests that would be served elsewhere come from routing.py,
upstream, map and socket changes from traffic.py; `verdict` sums it all up
as SAFE, REVIEW or UNSAFE.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...findings.records import Finding, InputError, LintResult, applies_to, severity_rank
from ...reading.loader import Config
from ...reading.tree import Node, walk
from ...semantics.effective import Effective
from ...semantics.in_force import Entry, settings_in_force
from ...semantics.servers import describe_location, display_name
from ...semantics.sockets import listens_of
from .routing import RoutingChange, routing_changes
from .traffic import TrafficChange, traffic_changes

# Settings that change what is logged, never what a client or backend gets.
LOGGING_ONLY = frozenset({"access_log", "error_log", "log_format", "open_log_file_cache", "log_not_found",
                          "log_subrequest", "rewrite_log"})


@dataclass
class Change:
    server: str
    location: str | None  # None: a server-level setting
    directive: str
    active: list[Entry]
    backup: list[Entry]


@dataclass
class Reach:
    """A cause both sides have, applying to other blocks after the restore."""

    active: Finding
    backup: Finding
    added: list[str]  # blocks it applies to in the backup only ("applies to location /ws/ (server a)")
    removed: list[str]  # in the active config only


@dataclass
class DiffResult:
    regressions: list[Finding] = field(default_factory=list)  # the backup has them, the active config not
    fixed: list[Finding] = field(default_factory=list)  # the active config has them, the backup not
    reach: list[Reach] = field(default_factory=list)  # a cause on both sides, applying to other blocks
    servers_added: list[str] = field(default_factory=list)  # in the backup only
    servers_removed: list[str] = field(default_factory=list)
    locations_added: list[tuple[str, str]] = field(default_factory=list)
    locations_removed: list[tuple[str, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    routing: list[RoutingChange] = field(default_factory=list)  # requests served by another block
    routing_requests: int = 0  # requests routed in both configurations
    routing_truncated: bool = False  # routing.REQUEST_LIMIT reached: not every request was compared
    traffic: list[TrafficChange] = field(default_factory=list)  # upstream, map, geo, split_clients, sockets
    errors: list[InputError] = field(default_factory=list)
    rules: list = field(default_factory=list)  # the policy rules both sides were linted with (for SARIF)

    @property
    def empty(self) -> bool:
        return not (self.regressions or self.fixed or self.reach or self.servers_added or self.servers_removed
                    or self.locations_added or self.locations_removed or self.changes or self.routing
                    or self.traffic)


@dataclass(frozen=True)
class Verdict:
    """The answer to "may I restore this?": SAFE (nothing that alters
    traffic changes), REVIEW (changes, none a regression), UNSAFE."""

    level: str
    new_findings: int  # regressions: new findings at or above --fail-on
    rerouted: int  # regressions: proxied requests another block would serve
    changes: int  # every other change that alters traffic

    @property
    def text(self) -> str:
        regressions = self.new_findings + self.rerouted
        parts = [f"{regressions} regression{'s' * (regressions != 1)}"
                 + (f" ({self.new_findings} new finding(s) at or above the threshold, "
                    f"{self.rerouted} proxied request(s) served elsewhere)" if regressions else ""),
                 f"{self.changes} other change{'s' * (self.changes != 1)} that alter{'s' * (self.changes == 1)} traffic"]
        return f"{self.level}: {', '.join(parts)}"


def verdict(result: DiffResult, fail_on: str) -> Verdict:
    threshold = severity_rank(fail_on)
    new_findings = sum(severity_rank(f.severity) <= threshold for f in result.regressions)
    rerouted = sum(c.regression for c in result.routing)
    changes = (len(result.regressions) - new_findings + len(result.fixed) + len(result.reach)
               + len(result.servers_added) + len(result.servers_removed)
               + len(result.locations_added) + len(result.locations_removed)
               + sum(c.directive not in LOGGING_ONLY for c in result.changes)
               + len(result.routing) - rerouted + len(result.traffic))
    level = "UNSAFE" if new_findings or rerouted else "REVIEW" if changes else "SAFE"
    return Verdict(level, new_findings, rerouted, changes)


def diff(active: tuple[Config, LintResult], backup: tuple[Config, LintResult], version: str,
         probes: tuple[str, ...] = ()) -> DiffResult:
    result = DiffResult(errors=list(active[1].errors) + list(backup[1].errors), rules=list(backup[1].rules))
    routed = routing_changes(active[0], backup[0], probes)
    result.routing, result.routing_requests, result.routing_truncated = routed.changes, routed.requests, routed.truncated
    result.traffic = traffic_changes(active[0], backup[0])
    result.regressions, result.fixed, result.reach = _match(_causes(*active), _causes(*backup))
    effective_a, effective_b = Effective(version), Effective(version)
    servers_a, servers_b = _servers(active[0]), _servers(backup[0])
    result.servers_added = [k for k in servers_b if k not in servers_a]
    result.servers_removed = [k for k in servers_a if k not in servers_b]
    for key in (k for k in servers_a if k in servers_b):
        server_a, server_b = servers_a[key], servers_b[key]
        result.changes += _compare(key, None, settings_in_force(effective_a, server_a),
                                   settings_in_force(effective_b, server_b), server_level=True)
        locations_a, locations_b = _locations(server_a), _locations(server_b)
        result.locations_added += [(key, k) for k in locations_b if k not in locations_a]
        result.locations_removed += [(key, k) for k in locations_a if k not in locations_b]
        for path in (k for k in locations_a if k in locations_b):
            result.changes += _compare(key, path, settings_in_force(effective_a, locations_a[path]),
                                       settings_in_force(effective_b, locations_b[path]), server_level=False)
    return result


Cause = tuple[str, str]  # (rule, the text of the line the finding points at)


def _causes(config: Config, lint: LintResult) -> list[tuple[Cause, frozenset[str], Finding]]:
    """Each finding with its cause and the blocks it applies to."""
    written: dict[tuple[str, int], list[str]] = {}
    for root in config.roots:
        for node in walk(root):
            written.setdefault((node.file, node.line), []).append(" ".join((node.name, *node.args)))
    return [((f.rule, "; ".join(dict.fromkeys(written.get((f.file, f.line), ())))), affected(f), f) for f in lint.findings]


def affected(finding: Finding) -> frozenset[str]:
    """The blocks a finding applies to, named as in its related entries."""
    return frozenset(r.message for r in finding.affected) or frozenset({applies_to(finding.server, finding.location)})


def _match(active: list, backup: list) -> tuple[list[Finding], list[Finding], list[Reach]]:
    """(regressions, fixed, reach): a backup finding matches an active one
    with the same cause and the same blocks; then one with the same cause
    only, and the blocks that differ are a Reach."""
    left: dict[Cause, list[tuple[frozenset[str], Finding]]] = {}
    for cause, blocks, finding in active:
        left.setdefault(cause, []).append((blocks, finding))
    unmatched = []
    for cause, blocks, finding in backup:
        candidates = left.get(cause, [])
        same = next((i for i, (theirs, _) in enumerate(candidates) if theirs == blocks), None)
        if same is None:
            unmatched.append((cause, blocks, finding))
        else:
            del candidates[same]
    regressions, reach = [], []
    for cause, blocks, finding in unmatched:
        candidates = left.get(cause)
        if not candidates:
            regressions.append(finding)
            continue
        theirs, counterpart = candidates.pop(0)
        reach.append(Reach(counterpart, finding, sorted(blocks - theirs), sorted(theirs - blocks)))
    fixed = sorted((finding for candidates in left.values() for _, finding in candidates), key=Finding.sort_key)
    return regressions, fixed, reach


def server_key(server: Node) -> str:
    """A server's identity across two configs: its first name and its sockets."""
    sockets = sorted({listen.socket for listen in listens_of(server)})
    return f"{display_name(server) or '(no server_name)'} [{', '.join(sockets)}]"


def _servers(config: Config) -> dict[str, Node]:
    servers: dict[str, Node] = {}
    for root in config.roots:
        for node in walk(root):
            if node.inner == "server":
                servers.setdefault(server_key(node), node)
    return servers


def _locations(server: Node) -> dict[str, Node]:
    """Locations of a server by their nesting path ("/api/ > /api/v1/")."""
    found: dict[str, Node] = {}
    for node in walk(server):
        if node.inner == "location" and node.server is server:
            chain = [describe_location(a) for a in reversed(list(node.ancestors())) if a.inner == "location"]
            found.setdefault(" > ".join(chain + [describe_location(node)]), node)
    return found


def _compare(server: str, location: str | None, active: list[Entry], backup: list[Entry],
             server_level: bool) -> list[Change]:
    by_a, by_b = _group(active), _group(backup)
    changes = []
    for directive in sorted(set(by_a) | set(by_b)):
        entries_a, entries_b = by_a.get(directive, []), by_b.get(directive, [])
        if [e.value for e in entries_a] == [e.value for e in entries_b]:
            continue
        if not server_level and not any(e.block.startswith(("location", "if", "limit_except"))
                                        for e in entries_a + entries_b):
            continue  # inherited on both sides: reported once, at the server
        if directive == "proxy_set_header":
            changes += _header_changes(server, location, entries_a, entries_b)
        else:
            changes.append(Change(server, location, directive, entries_a, entries_b))
    return changes


def _group(entries: list[Entry]) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.directive, []).append(entry)
    return grouped


def _header_changes(server, location, entries_a, entries_b) -> list[Change]:
    """proxy_set_header compared header by header: lost, gained or changed."""
    def by_name(entries):
        named: dict[str, list[Entry]] = {}
        for entry in entries:
            named.setdefault(entry.value.split(" ", 1)[0].lower(), []).append(entry)
        return named

    def noise(mine: list[Entry], other: list[Entry]) -> bool:
        """The proxy module's default on one side, nothing written on the other."""
        return not other and all(e.file is None for e in mine)

    a, b = by_name(entries_a), by_name(entries_b)
    changes = []
    for name in sorted(set(a) | set(b)):
        ea, eb = a.get(name, []), b.get(name, [])
        if [e.value for e in ea] != [e.value for e in eb] and not noise(ea, eb) and not noise(eb, ea):
            written = (ea + eb)[0].value.split(" ", 1)[0]
            changes.append(Change(server, location, f"proxy_set_header {written}", ea, eb))
    return changes


def describe(entries: list[Entry]) -> str:
    if not entries:
        return "(not set)"
    return "; ".join(f"{e.value} ({e.file}:{e.line})" if e.file else f"{e.value} ({e.block})" for e in entries)

