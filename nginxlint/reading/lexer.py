"""Split a config's text into (token, line, quoted) triples, exactly as
crossplane's `_lex_file_object` does, an order of magnitude faster.

crossplane walks the text one character at a time in Python; on a large
include set that walk was most of nginxlint's run time. Here one compiled
pattern matches a whole token at a time. Every quirk of crossplane's lexer
is kept, because its output defines what nginxlint has always parsed
(tests/test_lexer.py proves the two agree on random and real configs):

- a backslash and the character after it are one unit, kept as written;
  inside quotes only an escaped quote of the same kind loses its backslash;
- a unit ending in a newline counts a line, so a word that starts with a
  backslash-newline is on the next line;
- `#` starts a comment only between tokens; a comment ends before the
  newline (or backslash-newline) that ends it;
- in a word, `${` runs to the first `}` or whitespace, whichever comes first;
  a whitespace stopping it is part of the word, and so is the unit after a
  closing `}` unless it is `{`, `;` or `}`;
- at the end of the text, a token that nothing has ended yet (an unclosed
  quote, a word without a final newline) is dropped, silently.

Text that names one of crossplane's external lexers (`*_by_lua_block`) is
handed to crossplane itself: Lua blocks have a grammar of their own.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator

_LUA_MARK = "_by_lua_block"  # every external lexer crossplane registers (tests check it)

_PAIR = r"\\[\s\S]"  # a backslash escapes any character, a newline too


def _atomic(pattern: str) -> str:
    """`pattern` matched once and never backtracked into: an atomic group.

    Possessive quantifiers (`x++`, `x*+`) say the same more briefly, but
    CPython before 3.11.5 mismatches them (gh-106052: on Debian 12's 3.11.2
    every file lexed as its first comment), while atomic groups are right on
    every Python the package accepts."""
    return "(?>" + pattern + ")"


# In a word, `${` runs to a unit ending in `}` (then one more unit is glued
# on, unless it ends the word) or to a whitespace character (glued on too).
_BRACE = (r"(?<=\$)\{" + _atomic(r"(?:" + _atomic(r"[^\s}\\]+") + r"|\\[^}])*")
          + r"(?:\\?\}(?:" + _PAIR + r"|[^{};\\]|(?=[{};]))|\s)")
# Runs of plain characters are matched as one atomic run, not a character at
# a time: that halves the time the pattern takes.
_TOKEN = re.compile(
    _atomic(r"\s*") + r"(?:"
    r"(?P<word>(?:[^\s{};\\\"'#]|" + _PAIR + r")"
    + _atomic(r"(?:" + _atomic(r"[^\s{};\\]+") + r"|" + _PAIR + r"|" + _BRACE + r")*") + r")"
    r"(?=\s|[};]|(?<!\$)\{)"  # a word ends there; anything else is the end of the text
    r"|(?P<special>[{};])"
    r"|\"(?P<double>" + _atomic(r"(?:" + _atomic(r"[^\"\\]+") + r"|" + _PAIR + r")*") + r")\""
    r"|'(?P<single>" + _atomic(r"(?:" + _atomic(r"[^'\\]+") + r"|" + _PAIR + r")*") + r")'"
    r"|(?P<comment>#" + _atomic(r"(?:" + _atomic(r"[^\\\n]+") + r"|\\[^\n])*") + r")\\?\n"
    r")"
)


class LexError(Exception):
    """A Lua block crossplane cannot read; the only error lexing raises."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _crossplane_tokens(text: str) -> Iterator[tuple[str, int, bool]]:
    """crossplane's own lexer, imported only here: importing crossplane
    registers its Lua lexers, and costs time one-file runs need not pay."""
    from crossplane.errors import NgxParserBaseException
    from crossplane.lexer import _lex_file_object

    try:
        yield from _lex_file_object(io.StringIO(text))
    except NgxParserBaseException as exc:
        raise LexError(exc.lineno or 1, exc.strerror) from None


def tokenize(text: str) -> Iterator[tuple[str, int, bool]]:
    """The tokens of `text`: (token, line, quoted), comments included."""
    if _LUA_MARK in text:
        yield from _crossplane_tokens(text)
        return
    line, counted, pos = 1, 0, 0
    for found in _TOKEN.finditer(text):
        if found.start() != pos:  # no token could start at pos: the text ends inside one
            return
        pos = found.end()
        kind = found.lastgroup
        start = found.start(kind)
        line += text.count("\n", counted, start)
        counted = start
        if kind == "word":
            word = found[kind]
            # crossplane counts a line when a unit ends in a newline, before the unit's token starts
            yield word, line + word.startswith("\\\n"), False
        elif kind == "special" or kind == "comment":
            yield found[kind], line, False
        elif kind == "double":
            yield found[kind].replace('\\"', '"'), line, True
        else:
            yield found[kind].replace("\\'", "'"), line, True
