"""Regexes compiled as nginx compiles them: PCRE2, bytes, no UTF mode.

nginx hands every location, server_name, map, `if` and rewrite regex to
pcre2_compile() with no option but PCRE2_CASELESS for the caseless forms
(src/core/ngx_regex.c, ngx_regex_compile). Python's re is another dialect:
it refuses `\\Q…\\E`, `\\x{41}`, `\\h`, `[[:^digit:]]`, `\\K`, `(?|…)` and
reads others differently, so a translation sent requests to the wrong
location. The `pcre2` package binds the same library; its compile()
adds PCRE2_ALT_BSUX (Python-style `\\u`, `\\x` only as two digits) and
PCRE2_NEVER_BACKSLASH_C, so we call its compiler with both taken off again.
Patterns come as the configuration's tokens (crossplane's, which keep
escapes) and are read as ngx_conf_read_token reads them first: `\\\\`,
`\\"`, `\\'` become the character, `\\t`, `\\r`, `\\n` TAB, CR, LF (so
`[^/\\\\\\]` is the class `[^/\\\\]` to nginx, valid).
The one remaining difference: the wheel's PCRE2 is built without `\\C`,
which nginx's PCRE2 allows; such a pattern is "cannot evaluate" (None
from compile_pcre, no verdict from compile_error), never "never matches".
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import pcre2
from pcre2 import _cy

# The binding's Pattern.search builds a Match object per call (5 µs); routing
# asks thousands of yes/no questions, so Regex calls the matcher directly (1 µs).
_NO_CALLOUT = pcre2._EMPTY_MATCH_CONTEXT

# pcre2.h: options the binding forces on that nginx never sets.
_ALT_BSUX, _NEVER_BACKSLASH_C = 0x00000002, 0x00100000
_BACKSLASH_C_DISABLED = 185  # PCRE2 error code: "using \C is disabled in this PCRE2 library"
_ESCAPE = re.compile(r"\\([\"'\\trn])")
_ESCAPED = {"t": "\t", "r": "\r", "n": "\n"}


def as_nginx_reads(token: str) -> str:
    """The token after ngx_conf_read_token's escapes."""
    return _ESCAPE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(1)), token)


class RegexError(NamedTuple):
    """pcre2_compile()'s refusal: the library's message and the offset it names."""

    message: str
    offset: int

    def nginx_text(self, pattern: str) -> str:
        """The line nginx logs (ngx_regex_compile), without the `at "…"` tail
        nginx adds: the offset it quotes moved between PCRE2 releases (10.42,
        Debian 12's, names `)b` for `a)b` where the wheel's 10.47 names `b`)."""
        return f'pcre2_compile() failed: {self.message} in "{as_nginx_reads(pattern)}"'



class Regex:
    """One compiled pattern, JIT-compiled as nginx does with pcre_jit."""

    __slots__ = ("text", "_code", "_pattern", "groupindex")

    def __init__(self, text: str, code: object):
        self.text, self._code = text, code
        self._pattern = pcre2.Pattern(code, text.encode("utf-8", "surrogateescape"), 0, True, None)
        self.groupindex = self._pattern.groupindex

    def search(self, subject: bytes) -> pcre2.Match | None:
        """The first match in `subject` with its captures, for the rewrite
        phase's $1…$9 and named captures (slower than matches())."""
        return self._pattern.search(subject)

    def matches(self, subject: bytes) -> bool:
        """Whether the pattern matches anywhere in `subject` (unanchored, as
        ngx_regex_exec)."""
        return _cy.match(self._code, subject, len(subject), 0, _NO_CALLOUT, 0)[0] is not None


@lru_cache(maxsize=4096)
def _compile(pattern: str, caseless: bool) -> Regex | RegexError | None:
    data = as_nginx_reads(pattern).encode("utf-8", "surrogateescape")
    try:
        code = _cy.compile(data, int(pcre2.IGNORECASE) if caseless else 0, _ALT_BSUX | _NEVER_BACKSLASH_C)
    except pcre2.PatternError as error:
        if error.code == _BACKSLASH_C_DISABLED:
            return None
        return RegexError(error.msg.split("; ", 1)[-1], error.pos)
    _cy.jit_compile(code)
    return Regex(pattern, code)


def compile_pcre(pattern: str, caseless: bool = False) -> Regex | None:
    """The compiled pattern, or None when nginx would refuse it or this
    library cannot say (`\\C`)."""
    compiled = _compile(pattern, caseless)
    return compiled if isinstance(compiled, Regex) else None


def compile_error(pattern: str, caseless: bool = False) -> RegexError | None:
    """Why nginx's pcre2_compile() refuses the pattern, or None if it accepts it."""
    compiled = _compile(pattern, caseless)
    return compiled if isinstance(compiled, RegexError) else None


def named_captures(pattern: str) -> tuple[str, ...]:
    """The names of the pattern's named groups: each is a variable nginx
    adds when it compiles the regex (ngx_http_regex_compile)."""
    compiled = compile_pcre(pattern)
    return tuple(compiled.groupindex) if compiled is not None else ()


def server_name_caseless(pattern: str) -> bool:
    """ngx_http_core_server_name compiles a `~` server name caseless only
    when its text has an upper-case ASCII letter; the Host it is matched
    against is already lower-cased (ngx_http_validate_host)."""
    return any("A" <= c <= "Z" for c in pattern)
