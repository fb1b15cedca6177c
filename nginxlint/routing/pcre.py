"""PCRE patterns (server names, locations) in Python's re: the few
constructs whose syntax differs are translated; what re cannot express
compiles to None, a pattern that never matches."""
from __future__ import annotations

import re

_POSIX_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "xdigit": "0-9A-Fa-f", "word": r"\w", "punct": r"!-/:-@\[-`{-~",
    "blank": r" \t", "cntrl": r"\x00-\x1f\x7f", "print": r" -~", "graph": r"!-~",
}
_PCRE_ESCAPES = {"\\z": "\\Z", "\\Z": "(?=\\n?\\Z)"}
_PCRE_ONLY = re.compile(r"\\.|\(\?<(?=[A-Za-z_])|\(\?'([A-Za-z_]\w*)'|\[:(\^?)([a-z]+):\]")


def compile_pcre(pattern: str, flags: int) -> re.Pattern | None:
    """A PCRE pattern (as nginx compiles it: no UTF mode, so bytes) for
    Python's re; the PCRE-only spellings that configs use are translated:
    `(?<name>`, `(?'name'`, POSIX classes such as `[:alpha:]`, `\\z`, `\\Z`.
    None (the location or name never matches) when a pattern uses
    PCRE syntax Python lacks, such as a negated POSIX class or `\\Q…\\E`."""
    unsupported = False

    def translate(match: re.Match) -> str:
        nonlocal unsupported
        text = match.group(0)
        if text.startswith("\\"):
            unsupported = unsupported or text in ("\\Q", "\\E", "\\K", "\\R", "\\X")
            return _PCRE_ESCAPES.get(text, text)
        if text.startswith("(?<"):
            return "(?P<"
        if text.startswith("(?'"):
            return f"(?P<{match.group(1)}>"
        if match.group(2) or match.group(3) not in _POSIX_CLASSES:
            unsupported = True
            return text
        return _POSIX_CLASSES[match.group(3)]

    translated = _PCRE_ONLY.sub(translate, pattern)
    try:
        return None if unsupported else re.compile(translated.encode("utf-8", "surrogateescape"), flags)
    except (re.error, ValueError):
        return None
