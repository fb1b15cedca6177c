"""Sample request paths that a regex location matches.

The routing diff must route the requests a regex location takes, but a
regex names no path. Python's own regex parser gives the pattern's
structure (most location regexes are also valid Python); one short string
per alternative is built from it (literals as written, one member of each
class, the fewest repeats) and kept only when nginx's engine (PCRE2,
routing.pcre) really matches it as a URI ("/" first). A pattern Python
cannot parse gets no samples: its requests are not routed, not misrouted."""
from __future__ import annotations

import re

try:
    from re import _constants as _c  # Python 3.11+
    from re import _parser as _sre
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre  # type: ignore[no-redef]

from ...routing.pcre import as_nginx_reads, compile_pcre

LIMIT = 4  # samples per regex: enough for `\.(js|css|io)/`, few enough for thousands of locations


def regex_samples(pattern_text: str, caseless: bool) -> list[str]:
    pattern = compile_pcre(pattern_text, caseless)
    if pattern is None:
        return []
    try:
        parsed = _sre.parse(as_nginx_reads(pattern_text), re.IGNORECASE if caseless else 0)
    except (re.error, RecursionError):
        return []
    samples: list[str] = []
    for text in _strings(list(parsed)):
        for uri in ((text,) if text.startswith("/") else ("/x" + text, "/x/" + text, "/" + text)):
            if uri.startswith("/") and pattern.matches(uri.encode("utf-8", "surrogateescape")):
                samples.append(uri)
                break
    return list(dict.fromkeys(samples))[:LIMIT]


def _strings(items: list) -> list[str]:
    """Short strings the parsed sequence matches: one per alternative, at most LIMIT."""
    results = [""]
    for op, arg in items:
        choices = _choices(op, arg)
        if choices is None:
            continue
        results = [r + c for r in results for c in choices][:LIMIT]
    return results


def _choices(op, arg) -> list[str] | None:
    if op is _c.LITERAL:
        return [chr(arg)]
    if op is _c.NOT_LITERAL:
        return ["x" if chr(arg) != "x" else "y"]
    if op is _c.ANY:
        return ["x"]
    if op is _c.IN:
        return [_member(arg)]
    if op is _c.BRANCH:
        return [s for branch in arg[1] for s in _strings(list(branch))][:LIMIT]
    if op is _c.SUBPATTERN:
        return _strings(list(arg[-1]))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _, body = arg
        once = _strings(list(body))[0]
        return [once * low]
    return None  # anchors, lookarounds, back references: nothing to add


def _member(items) -> str:
    """One character a character class matches."""
    if items and items[0][0] is _c.NEGATE:
        excluded = {chr(a) for op, a in items[1:] if op is _c.LITERAL}
        return next(c for c in "xyz0" if c not in excluded)
    for op, arg in items:
        if op is _c.LITERAL:
            return chr(arg)
        if op is _c.RANGE:
            return chr(arg[0])
        if op is _c.CATEGORY:
            return {_c.CATEGORY_DIGIT: "0", _c.CATEGORY_SPACE: " ", _c.CATEGORY_WORD: "a"}.get(arg, "x")
    return "x"
