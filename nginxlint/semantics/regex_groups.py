"""The capturing groups of a PCRE regex, read as text: what a $1 or a $name holds.

A capture's value is what its group matched, so whether it can carry a line
break (header splitting) or is one of a few fixed words (not a host the
client chooses) is a question about the group's text. nginx's regexes are
PCRE; the few constructs read here (escapes, classes, groups, flags) are
spelled the same in Python's `re`, which only scans them, never runs them.
"""
from __future__ import annotations

import re

# PCRE's named-group openings: (?<name>, (?P<name>, (?'name'.
_NAMED = re.compile(r"\?(?:P?<(\w+)>|'(\w+)')")
# Inside a group: escapes and classes that can match "\n" in PCRE.
_NEWLINE_ESCAPE = re.compile(r"\\[sWDHRv]")
_NEWLINE_SAFE_IN_NEGATED = re.compile(r"\\[nsvR]")
_CLASS = re.compile(r"\[(\^?)(\]?(?:\\.|[^\]\\])*)\]")
# A group that matches one of a few fixed words: letters, digits, - . _ (escaped or not),
# alternation, optional characters and non-capturing groups: (https?), (a|b), (?:v1|v2).
_LITERAL_CHOICE = re.compile(r"(?:[\w.-]|\\[./-]|\?|\||\(\?:|\))*")


def group(regex: str, ref: str) -> str | None:
    """The text of group `ref` ("1".."9" or a name) with its parentheses, or None."""
    for number, (opening, closing) in enumerate(_groups(regex), 1):
        if ref == str(number) or ref == _name(regex, opening):
            return regex[opening:closing + 1]
    return None


def can_match_newline(regex: str, ref: str) -> bool:
    """Can group `ref` match a line feed? A lone carriage return is not asked:
    a dot matches one, and a bare CR does not end a header line for nginx."""
    text = group(regex, ref)
    if text is None:
        return False
    flags = re.match(r"\(\?([a-zA-Z]+)\)", regex)
    outside = _outside_classes(text)
    if flags and "s" in flags.group(1) and "." in re.sub(r"\\.", "", outside):
        return True  # (?s): an unescaped dot matches a newline too
    if _NEWLINE_ESCAPE.search(outside):
        return True
    return any(not _NEWLINE_SAFE_IN_NEGATED.search(body) if negated else _NEWLINE_ESCAPE.search(body)
               for negated, body in ((m.group(1) == "^", m.group(2)) for m in _CLASS.finditer(text)))


def starts_with_slash(regex: str, ref: str) -> bool:
    """Does whatever group `ref` matches begin with "/"? (Then, after a host, it is a path.)"""
    text = group(regex, ref)
    return text is not None and re.match(r"\((?:\?(?:P?<\w+>|'\w+'))?\\?/", text) is not None


def is_literal_choice(regex: str, ref: str) -> bool:
    """Does group `ref` match only a few fixed words, such as (https?) or (eu|us)?"""
    text = group(regex, ref)
    if text is None:
        return False
    body = text[1:-1]
    opening = _NAMED.match(body)
    return _LITERAL_CHOICE.fullmatch(body[opening.end():] if opening else body) is not None


def _name(regex: str, opening: int) -> str | None:
    named = _NAMED.match(regex, opening + 1)
    return (named.group(1) or named.group(2)) if named else None


def _groups(regex: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each capturing group's parentheses, in the order of
    their opening, which is PCRE's numbering (named groups are numbered too)."""
    found: dict[int, int] = {}
    stack: list[tuple[bool, int]] = []
    i, in_class = 0, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 + regex.startswith("^", i + 1)
            i += regex.startswith("]", i)  # a leading ] is literal
            continue
        elif char == "(":
            named = regex.startswith(("?<", "?P<", "?'"), i + 1) and not regex.startswith(("?<=", "?<!"), i + 1)
            stack.append((not regex.startswith("?", i + 1) or named, i))
        elif char == ")" and stack:
            capturing, start = stack.pop()
            if capturing:
                found[start] = i
        i += 1
    return sorted(found.items())


def _outside_classes(text: str) -> str:
    return _CLASS.sub("", text)
