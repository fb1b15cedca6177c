"""Parameters too long for nginx's read buffer (SYN008).

ngx_conf_read_token (src/core/ngx_conf_file.c) reads a file through a
buffer of NGX_CONF_BUFFER (4096) bytes and keeps the token it is reading at
the buffer's start; when the buffer is full of that one token it stops with
`too long parameter "XXXXXXXXXX..." started` (or, still inside quotes,
`too long parameter, probably missing terminating '"' character`) at the
line the token began. The token's bytes are counted raw, escapes included,
and so are the bytes nginx reads before it moves on: the terminating space
after a word, the closing quote and the byte after it. So a quoted value of
4,095 bytes followed by `;` is refused while one of 4,094 bytes is not, and
a comment line of 4,096 bytes or more is refused too. crossplane has no such
limit, so the parsed tree does not show it; the raw bytes do.
"""
from __future__ import annotations

import re

NGX_CONF_BUFFER = 4096
_BLANK = b" \t\r\n"
# One token as ngx_conf_read_token splits them: separators and block marks,
# a comment (only between tokens), a quoted string (maybe unterminated), a
# word (a backslash escapes the next byte; `${` does not end it).
_TOKEN = re.compile(rb"""
    (?P<separators>[ \t\r\n;{}]+)
  | (?P<comment>\#[^\n]*)
  | (?P<quoted>"(?>[^"\\]+|\\[\s\S])*"?|'(?>[^'\\]+|\\[\s\S])*'?)
  | (?P<word>(?:\\[\s\S]|\$\{?|[^ \t\r\n;{}"'\#\\$])(?>[^ \t\r\n;{\\$]+|\\[\s\S]|\$\{?)*)
  | (?P<other>[\s\S])
""", re.X)


def too_long_parameters(data: bytes) -> list[tuple[int, str]]:
    """(line, nginx's message) for each token nginx's buffer cannot hold."""
    if len(data) <= NGX_CONF_BUFFER or b"_by_lua_block" in data:  # Lua blocks are read by the Lua module's own lexer
        return []
    found = []
    for token in _TOKEN.finditer(data):
        kind, start, end = token.lastgroup, token.start(), token.end()
        if kind == "comment":
            last = end  # the newline ending it is read before nginx moves on
        elif kind == "word":
            last = end + (end < len(data) and data[end] in _BLANK)
        elif kind == "quoted" and end - start > 1 and data[end - 1] == data[start]:
            start += 1  # nginx's token starts after the opening quote
            last = end + (end < len(data) and data[end] in _BLANK)
        elif kind == "quoted":  # unterminated: read to the end of the file
            start, last = start + 1, len(data) - 1
        else:
            continue
        if last < len(data) and last - start >= NGX_CONF_BUFFER:
            found.append((data.count(b"\n", 0, token.start()) + 1, _message(data, token, start)))
    return found


def _message(data: bytes, token: re.Match, start: int) -> str:
    hint = f"(nginx reads a parameter through a {NGX_CONF_BUFFER}-byte buffer; this one is {token.end() - token.start()} bytes: " \
        'build a long value from shorter parts with set $v "${v}…")'
    if token.lastgroup == "quoted" and start + NGX_CONF_BUFFER < token.end():
        return f'too long parameter, probably missing terminating "{chr(data[token.start()])}" character {hint}'
    head = data[start:start + 10].decode("utf-8", "replace")
    return f'too long parameter "{head}..." started {hint}'
