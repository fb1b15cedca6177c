"""No judgement on a statement nginx -t refuses to read.

A statement `nginx -t` rejects (SYN002: wrong place or number of arguments;
SYN003: block structure) is usually two statements merged by a missing `;`:
`proxy_pass http://$backend` followed by `proxy_set_header Host $host;` reads
as one proxy_pass with four arguments. What the other rules make of that
merged text is noise (a false SSRF error on the invented target), and the fix
is the `;` the rejection names. A value nginx cannot parse (SYN004:
`proxy_read_timeout 1D`), a misspelt directive (SYN005) or a parameter too
long for nginx's read buffer (SYN008: a 4 KB add_header) is no setting
at all: "closes idle sessions after 1D" would judge a value nginx never
holds. A variable nginx does not know (SYN006) or a regex it cannot
compile (SYN007, no location at all) fails the whole config the same way.
So the rejection is the one finding on that statement: every other rule's finding pointing at the same file and line, or at the line the
statement begins on (the rejection is at the line nginx names, its `;` or
`{`, and names the first line in `related`), is dropped. A file that does
not parse (SYN001) gets only what nginx -t says about it: the statements
before the syntax error are read (nginx reports a mistake there first), but
judging them on anything else would judge a file nginx never loads.
Applied once, after all rules ran, so no rule needs to know.
"""
from __future__ import annotations

from collections.abc import Iterable

from .records import Finding

REJECTING_RULES = frozenset({"SYN002", "SYN003", "SYN004", "SYN005", "SYN006", "SYN007", "SYN008"})
INPUT_RULES = ("SYN", "INC", "ENC")  # what nginxlint says about its input, not about the configuration


def apply(findings: Iterable[Finding]) -> list[Finding]:
    findings = list(findings)
    rejected = {(f.file, line) for f in findings if f.rule in REJECTING_RULES
                for line in (f.line, *(r.line for r in f.related if r.file == f.file and not r.affected))}
    unparsed = {f.file for f in findings if f.rule == "SYN001"}
    return [f for f in findings if f.rule.startswith("SYN")  # every rejection stays, the syntax error too
            or (f.file, f.line) not in rejected and (f.file not in unparsed or f.rule.startswith(INPUT_RULES))]
