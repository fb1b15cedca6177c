"""No judgement on a statement nginx refuses to read.

A statement `nginx -t` rejects (SYN002: wrong place or number of arguments;
SYN003: block structure) is usually two statements merged by a missing `;`:
`proxy_pass http://$backend` followed by `proxy_set_header Host $host;` reads
as one proxy_pass with four arguments. What the other rules make of that
merged text is noise (a false SSRF error on the invented target), and the fix
is the `;` the rejection names. A value nginx cannot parse (SYN004:
`proxy_read_timeout 1D`) or a misspelt directive (SYN005) is no setting
at all: "closes idle sessions after 1D" would judge a value nginx never
holds. A variable nginx does not know (SYN006) or a regex it cannot
compile (SYN007) fails the whole config the same way. So the rejection is the one finding at that
line: every other rule's finding pointing at the same file and line is
dropped. Applied once, after all rules ran, so no rule needs to know.
"""
from __future__ import annotations

from collections.abc import Iterable

from .records import Finding

REJECTING_RULES = frozenset({"SYN002", "SYN003", "SYN004", "SYN005", "SYN006", "SYN007"})


def apply(findings: Iterable[Finding]) -> list[Finding]:
    findings = list(findings)
    rejected = {(f.file, f.line) for f in findings if f.rule in REJECTING_RULES}
    return [f for f in findings if f.rule in REJECTING_RULES or (f.file, f.line) not in rejected]
