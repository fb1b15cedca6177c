"""Text, JSON and SARIF for `nginxlint diff`."""
from __future__ import annotations

import json

from ..commands.restore.audit import Change, DiffResult, Reach, Verdict, affected, describe
from ..commands.restore.routing import RoutingChange, Served
from ..commands.restore.traffic import TrafficChange
from ..findings.records import Finding
from ..semantics.in_force import Entry
from . import sarif_report


def render_text(result: DiffResult, active: str, backup: str, verdict: Verdict) -> str:
    head = [verdict.text] + ([truncated_note(result)] if result.routing_truncated else [])
    if result.empty:
        return "\n".join(head) + (f"\nNo change: restoring {backup} over {active} changes no effective setting "
                                  "and no finding.\n")
    lines = head + ["", f"Restoring {backup} over {active}:", ""]
    lines += _routing(result.routing)
    lines += _findings("Findings the restore would introduce", result.regressions)
    lines += _findings("Findings the restore would fix", result.fixed)
    if result.reach:
        lines.append(f"Findings whose cause the restore would make apply elsewhere ({len(result.reach)}):")
        for reach in result.reach:
            f = reach.backup
            lines.append(f"  {f.rule} {f.severity} {f.file}:{f.line} (active {reach.active.file}:{reach.active.line}): {f.message}")
            lines += [f"    + {block}" for block in reach.added] + [f"    - {block}" for block in reach.removed]
        lines.append("")
    for title, keys in (("Servers only in the backup (added)", result.servers_added),
                        ("Servers only in the active config (removed)", result.servers_removed),
                        ("Locations only in the backup (added)", [f"{s} {p}" for s, p in result.locations_added]),
                        ("Locations only in the active config (removed)", [f"{s} {p}" for s, p in result.locations_removed])):
        if keys:
            lines += [f"{title}:"] + [f"  {key}" for key in keys] + [""]
    if result.traffic:
        lines.append("Upstream, map, listen and include changes (active → backup):")
        current = None
        for t in result.traffic:
            if t.block != current:
                lines.append(f"  {t.block}:")
                current = t.block
            lines.append(f"    {t.item}: {describe(t.active)} → {describe(t.backup)}" + (f" [{t.note}]" if t.note else ""))
        lines.append("")
    if result.changes:
        lines.append("Effective changes (active → backup):")
        current = None
        for change in result.changes:
            scope = (change.server, change.location)
            if scope != current:
                lines.append(f"  {change.server}" + (f" location {change.location}:" if change.location else ":"))
                current = scope
            lines.append(f"    {change.directive}: {describe(change.active)} → {describe(change.backup)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def truncated_note(result: DiffResult) -> str:
    """The routing diff stopped at its cap: say so, a SAFE is then partial."""
    count = result.routing_requests
    return (f"Note: routing compared on the first {count:,} request{'s' * (count != 1)} only (the cap); requests "
            "beyond them were not compared: name the ones that matter with --probe.")


def _routing(changes: list[RoutingChange]) -> list[str]:
    if not changes:
        return []
    lines = [f"Requests another block would serve ({len(changes)}):"]
    for c in changes:
        mark = "REGRESSION: proxied, " if c.regression else ""
        lines.append(f"  {mark}{c.url} was served by {_where(c.active)}, would be served by {_where(c.backup)}")
    return lines + [""]


def _where(served: Served) -> str:
    return f"{served.text} ({served.file}:{served.line})" if served.file else served.text


def _findings(title: str, findings: list[Finding]) -> list[str]:
    if not findings:
        return [f"{title}: none", ""]
    lines = [f"{title} ({len(findings)}):"]
    for f in findings:
        lines.append(f"  {f.rule} {f.severity} {f.server or '-'} {f.location or '-'} {f.file}:{f.line}: {f.message}")
        lines += [f"    {r.file}:{r.line}: {r.message}" for r in f.affected]
    return lines + [""]


def render_json(result: DiffResult, active: str, backup: str, verdict: Verdict) -> str:
    def finding(f: Finding) -> dict:
        return {"rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message, "file": f.file,
                "line": f.line, "server": f.server, "location": f.location, "affected": sorted(affected(f))}

    def reach(r: Reach) -> dict:
        return {"backup": finding(r.backup), "active": {"file": r.active.file, "line": r.active.line},
                "added": r.added, "removed": r.removed}

    def entries(items: list[Entry]) -> list[dict]:
        return [{"value": e.value, "file": e.file, "line": e.line, "block": e.block} for e in items]

    def change(c: Change) -> dict:
        return {"server": c.server, "location": c.location, "directive": c.directive,
                "active": entries(c.active), "backup": entries(c.backup)}

    def served(s: Served) -> dict:
        return {"served_by": s.text, "file": s.file, "line": s.line, "proxied": s.proxied}

    def routed(c: RoutingChange) -> dict:
        return {"request": c.url, "socket": c.socket, "regression": c.regression,
                "active": served(c.active), "backup": served(c.backup)}

    def traffic(t: TrafficChange) -> dict:
        return {"block": t.block, "item": t.item, "active": entries(t.active), "backup": entries(t.backup), "note": t.note}

    document = {
        "version": 1, "active": active, "backup": backup,
        "verdict": _verdict(verdict),
        "identical": result.empty,
        "routing": [routed(c) for c in result.routing],
        "routing_requests": result.routing_requests, "routing_truncated": result.routing_truncated,
        "traffic": [traffic(t) for t in result.traffic],
        "regressions": [finding(f) for f in result.regressions], "fixed": [finding(f) for f in result.fixed],
        "reach": [reach(r) for r in result.reach],
        "servers": {"added": result.servers_added, "removed": result.servers_removed},
        "locations": {"added": [{"server": s, "location": p} for s, p in result.locations_added],
                      "removed": [{"server": s, "location": p} for s, p in result.locations_removed]},
        "changes": [change(c) for c in result.changes],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in result.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _verdict(verdict: Verdict) -> dict:
    return {"level": verdict.level, "new_findings": verdict.new_findings, "rerouted": verdict.rerouted,
            "changes": verdict.changes, "text": verdict.text}


# The changes diff reports besides findings, as SARIF rules of their own.
_ROUTING_RULE = {"id": "DIFF-ROUTING", "name": "request-served-elsewhere",
                 "shortDescription": {"text": "The restore would have another server or location answer this request"},
                 "defaultConfiguration": {"level": "warning"}}
_TRAFFIC_RULE = {"id": "DIFF-TRAFFIC", "name": "traffic-block-changed",
                 "shortDescription": {"text": "The restore changes an upstream, map, listen socket or included file"},
                 "defaultConfiguration": {"level": "note"}}


def render_sarif(result: DiffResult, active: str, backup: str, verdict: Verdict) -> str:
    """SARIF 2.1.0: the findings the restore would introduce, each request
    served elsewhere and each traffic change as a result at its line (the
    backup's, or the active config's for what it drops); the verdict in the
    run's properties and, for readers that show only results' messages, as
    the invocation's first notification."""
    routed = [_sarif_result(_ROUTING_RULE["id"], "error" if c.regression else "warning",
                            f"{c.url} was served by {_where(c.active)}, would be served by {_where(c.backup)}",
                            (c.backup.file, c.backup.line), (c.active.file, c.active.line)) for c in result.routing]
    traffic = [_sarif_result(_TRAFFIC_RULE["id"], "note",
                             f"{t.block}: {t.item}: {describe(t.active)} → {describe(t.backup)}"
                             + (f" [{t.note}]" if t.note else ""),
                             _first_line(t.backup), _first_line(t.active)) for t in result.traffic]
    properties = {"verdict": _verdict(verdict), "active": active, "backup": backup,
                  "routing_requests": result.routing_requests, "routing_truncated": result.routing_truncated}
    run = sarif_report.run(result.rules, result.regressions, result.errors, [_ROUTING_RULE, _TRAFFIC_RULE],
                           routed + traffic, properties)
    notes = [verdict.text] + ([truncated_note(result)] if result.routing_truncated else [])
    run["invocations"][0]["toolExecutionNotifications"][:0] = [{"level": "note", "message": {"text": n}} for n in notes]
    return sarif_report.dumps(run)


def _first_line(entries: list[Entry]) -> tuple[str | None, int | None]:
    return next(((e.file, e.line) for e in entries if e.file), (None, None))


def _sarif_result(rule: str, level: str, message: str, *places: tuple[str | None, int | None]) -> dict:
    """A result at the first place that has a file (the backup's side first)."""
    file, line = next(((f, n) for f, n in places if f), (None, None))
    result = {"ruleId": rule, "level": level, "message": {"text": message}}
    return {**result, "locations": [sarif_report.location(file, line or 1)]} if file else result
