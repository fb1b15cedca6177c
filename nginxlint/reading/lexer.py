"""Split a config's text into crossplane's tokens, exactly as its
`_lex_file_object` does, an order of magnitude faster.

crossplane walks the text one character at a time in Python; on a large
include set that walk was most of nginxlint's run time. Here one compiled
pattern matches a whole token at a time, and `lex` hands the parser every
match at once (re.findall): each match is a tuple of strings, made in C,
that the parser's loop reads without a call per token (parser.py). Every
quirk of crossplane's lexer is kept, because its output defines what
nginxlint has always parsed (tests/test_lexer.py proves that parsing our
tokens and crossplane's gives the same statements, on random and real configs):

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
from collections.abc import Iterable, Iterator

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
# Most words have neither a backslash nor a `${`, nor end in `$`: such a
# word, matched first as one run, skips the loop over units below (a tenth
# of the time the pattern takes); any other word fails it and is matched
# unit by unit.
_PLAIN = r"[^\s{};\\\"'#]" + _atomic(r"[^\s{};\\]*") + r"(?<!\$)(?=[\s;{}])"
# Runs of plain characters are matched as one atomic run, not a character at
# a time: that halves the time the pattern takes. Each match is one tuple
# (space, special, word, double, single, comment, rest): the whitespace
# before the token, then the token in the slot of its kind, the others
# empty (so an empty quoted string is the one match with every slot empty).
# `rest` is the text from where no token can start: the end of the text
# inside an unclosed quote or an unfinished word, which crossplane drops.
_TOKEN = re.compile(
    "(" + _atomic(r"\s*") + r")(?:"
    r"(?P<special>[{};])"  # first: a third of the tokens, told from a word by one character
    r"|(?P<word>" + _PLAIN + r"|(?:[^\s{};\\\"'#]|" + _PAIR + r")"
    + _atomic(r"(?:" + _atomic(r"[^\s{};\\]+") + r"|" + _PAIR + r"|" + _BRACE + r")*") + r")"
    r"(?=\s|[};]|(?<!\$)\{)"  # a word ends there; anything else is the end of the text
    r"|\"(?P<double>" + _atomic(r"(?:" + _atomic(r"[^\"\\]+") + r"|" + _PAIR + r")*") + r")\""
    r"|'(?P<single>" + _atomic(r"(?:" + _atomic(r"[^'\\]+") + r"|" + _PAIR + r")*") + r")'"
    r"|(?P<comment>#" + _atomic(r"(?:" + _atomic(r"[^\\\n]+") + r"|\\[^\n])*") + r")\\?\n"
    r"|(?P<rest>[\s\S]+)"
    r")"
)

Match = tuple[str, str, str, str, str, str, str]  # one match of _TOKEN, as above


class LexError(Exception):
    """A Lua block crossplane cannot read; the only error lexing raises."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def lex(text: str) -> Iterable[Match]:
    """The matches of `text`, comments included: all at once, or for text
    with Lua blocks crossplane's tokens one by one, as crossplane_matches
    shapes them (LexError once crossplane fails)."""
    if _LUA_MARK in text:
        return crossplane_matches(text)
    return _TOKEN.findall(text)


def crossplane_matches(text: str) -> Iterator[Match]:
    """crossplane's tokens of `text`, each shaped as _TOKEN would match it:
    the space before it holds the newlines that bring the parser's count to
    crossplane's line for it. crossplane names a Lua block's text by the
    line of its closing "}", after the newlines inside it: the space before
    that text gives up as many newlines as the next token finds too many.
    (Used for Lua blocks, and by the tests to parse with crossplane's lexer.)"""
    counted, held = 1, None  # the line the parser will have counted to; the match not handed over yet
    try:
        for token, line, quoted in _crossplane_tokens(text):
            if quoted:
                match = ("", "", "", token.replace('"', '\\"'), "", "", "")  # the parser takes the backslashes out again
            elif token in ("{", ";", "}"):
                match = ("", token, "", "", "", "", "")
            elif token.startswith("#"):
                match = ("", "", "", "", "", token, "")
            else:
                match = ("", "", token, "", "", "", "")
            starts = line - (not quoted and token.startswith("\\\n"))  # the parser's count before it
            if starts < counted:
                held = ("\n" * (held[0].count("\n") + starts - counted), *held[1:])
            if held is not None:
                yield held
            held = ("\n" * max(starts - counted, 0), *match[1:])
            counted = starts + token.count("\n") + bool(match[5])  # a comment's match takes its newline too
    except LexError:
        if held is not None:
            yield held
        raise
    if held is not None:
        yield held


def _crossplane_tokens(text: str) -> Iterator[tuple[str, int, bool]]:
    """crossplane's own lexer, imported only here: importing crossplane
    registers its Lua lexers, and costs time one-file runs need not pay."""
    from crossplane.errors import NgxParserBaseException
    from crossplane.lexer import _lex_file_object

    try:
        yield from _lex_file_object(io.StringIO(text))
    except NgxParserBaseException as exc:
        raise LexError(exc.lineno or 1, exc.strerror) from None
