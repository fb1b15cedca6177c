"""Changes on nodes (policy/fixes.py) as byte edits of the files they stand in.

Every edit touches whole lines the finding points at and nothing else: a
statement's arguments are replaced inside its own line (the name, the
spacing before the first changed argument, a trailing comment stay); new
statements go on new lines just above the block's closing `}`, indented
like the block's own lines, ending like the file's lines (CRLF stays CRLF).
A change that cannot be made that way (a statement over several lines, a
block that closes on a line with other text) is refused with the reason,
never approximated.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ...policy.fixes import AddLines, Change, Rename, SetArgs
from ...reading.tree import Node

# Tokens of one line as nginx's lexer splits them: quoted strings, comments,
# the three punctuation marks, and words (a backslash escapes the next byte).
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|#.*|[;{}]|(?:[^\s;{}"\'\\#]|\\.)(?:[^\s;{}\\]|\\.)*')
_LINES = re.compile(rb"[^\n]*\n|[^\n]+")


class Unfixable(Exception):
    """A change this module will not make, with the reason shown to the user."""


@dataclass(frozen=True)
class LineEdit:
    """One line replaced by `new` (None: left as it is), lines inserted
    before it, or statements written into it just before its `}` (a block
    on one line); the last two merge with other fixes' edits of the line."""

    line: int
    new: bytes | None = None
    before: tuple[bytes, ...] = ()
    inline: tuple[bytes, ...] = ()


def lines_of(data: bytes) -> list[bytes]:
    """The file's lines with their ends, so joining them gives the bytes back."""
    return _LINES.findall(data)


def line_edit(change: Change, read: Callable[[str], list[bytes]]) -> tuple[str, LineEdit]:
    """The file and the edit of it that make one change (raises Unfixable).
    `read` gives a file's lines (as lines_of does), fixed so far or not."""
    node = change.block if isinstance(change, AddLines) else change.node
    return node.file, _edit(change, read(node.file), read)


def _edit(change: Change, lines: list[bytes], read: Callable[[str], list[bytes]]) -> LineEdit:
    if isinstance(change, SetArgs):
        return LineEdit(change.node.line, _set_args(change.node, change.args.encode(), _line(lines, change.node.line)))
    if isinstance(change, Rename):
        start, end, _ = _statement(change.node, _line(lines, change.node.line))
        text = _line(lines, change.node.line)
        name = _TOKEN.match(text, start)
        return LineEdit(change.node.line, text[:start] + change.name.encode() + text[name.end():])
    return _add_lines(change, lines, read)


def _line(lines: list[bytes], number: int) -> bytes:
    if not 1 <= number <= len(lines):
        raise Unfixable(f"line {number} is not in the file")
    return lines[number - 1]


def _tokens(text: bytes) -> list[re.Match]:
    return list(_TOKEN.finditer(text))


def _statement(node: Node, text: bytes) -> tuple[int, int, list[re.Match]]:
    """Where `node` stands on its line: the start of its name, the offset of
    its `;`, and its argument tokens. It must be the only statement of that
    name starting on the line and end there."""
    if node.end_line not in (0, node.line):
        raise Unfixable(f"{node.name} at line {node.line} runs over several lines")
    tokens = [t for t in _tokens(text) if not t.group().startswith(b"#")]
    found = []
    for i, token in enumerate(tokens):
        first = i == 0 or tokens[i - 1].group() in (b";", b"{", b"}")
        if first and token.group() == node.name.encode():
            end = next((j for j in range(i + 1, len(tokens)) if tokens[j].group() in (b";", b"{", b"}")), None)
            if end is not None and tokens[end].group() == b";":
                found.append((token.start(), tokens[end].start(), tokens[i + 1:end]))
    if len(found) != 1:
        raise Unfixable(f"{node.name} at line {node.line} is not alone on its line" if found else
                        f"{node.name} at line {node.line} does not end on its line")
    return found[0]


def _set_args(node: Node, args: bytes, text: bytes) -> bytes:
    """The line with the statement's arguments from the first one that
    differs replaced (the key of `proxy_set_header Host   $x` and the
    spacing after it stay)."""
    name, semicolon, old = _statement(node, text)
    new = [t.group() for t in _TOKEN.finditer(args)]
    same = 0
    while same < min(len(old), len(new)) and old[same].group() == new[same]:
        same += 1
    kept = old[same - 1].end() if same else _TOKEN.match(text, name).end()
    if same < len(old):  # replace from the first differing argument, keeping the space before it
        return text[:old[same].start()] + b" ".join(new[same:]) + text[semicolon:] if same < len(new) else text[:kept] + text[semicolon:]
    return text[:kept] + b"".join(b" " + t for t in new[same:]) + text[semicolon:]


def _add_lines(change: AddLines, lines: list[bytes], read: Callable[[str], list[bytes]]) -> LineEdit:
    """New lines above the block's closing `}`; in a block written on one
    line (`location /x/ { proxy_pass …; }`), the statements before its `}`."""
    block = change.block
    closing = _line(lines, block.end_line)
    braces = [t for t in _tokens(closing) if t.group() == b"}"]
    after = closing[braces[-1].end():].strip() if braces else b"x"
    if len(braces) != 1 or after[:1] not in (b"", b"#"):
        raise Unfixable(f"the block at line {block.line} closes on a line with other text")
    texts = [_written(item, read) for item in change.lines]
    if closing[:braces[0].start()].strip():
        if block.line != block.end_line:
            raise Unfixable(f"the block at line {block.line} closes on a line with other text")
        return LineEdit(block.end_line, inline=tuple(texts))
    eol = _eol(lines, block.end_line)
    indent = _indent(block, lines)
    return LineEdit(block.end_line, None, tuple(indent + text + eol for text in texts))


def _eol(lines: list[bytes], number: int) -> bytes:
    """How the lines around `number` end: CRLF or LF."""
    for text in (lines[number - 2] if number > 1 else b"", lines[number - 1]):
        if text.endswith(b"\r\n"):
            return b"\r\n"
        if text.endswith(b"\n"):
            return b"\n"
    return b"\n"


def _leading(text: bytes) -> bytes:
    return text[:len(text) - len(text.lstrip(b" \t"))]


def _indent(block: Node, lines: list[bytes]) -> bytes:
    """The indentation of the block's own lines (its last child written in
    this file at the start of a line), else the block's plus one step of the
    file's own (a tab in a file indented with tabs, else 4 spaces)."""
    for child in reversed(block.children or ()):
        if child.file == block.file and 1 <= child.line <= len(lines):
            text = lines[child.line - 1]
            if text.lstrip().startswith(child.name.encode()):
                return _leading(text)
    outer = _leading(lines[block.line - 1]) if 1 <= block.line <= len(lines) else b""
    step = b"\t" if b"\t" in outer or any(t.startswith(b"\t") for t in lines) else b"    "
    return outer + step


def _written(item: str | Node, read: Callable[[str], list[bytes]]) -> bytes:
    """A new statement's text, or a copied statement as written on its line (quotes kept)."""
    if isinstance(item, str):
        return item.encode()
    lines = read(item.file)
    if 1 <= item.line <= len(lines):
        try:
            start, semicolon, _ = _statement(item, lines[item.line - 1])
            return lines[item.line - 1][start:semicolon + 1]
        except Unfixable:
            pass
    return (" ".join([item.name, *(_quoted(a) for a in item.args)]) + ";").encode()


def _quoted(arg: str) -> str:
    if arg and not re.search(r"[\s;{}\"'#]", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def apply(data: bytes, edits: list[LineEdit]) -> bytes:
    """The file's bytes with the edits made (at most one replacement per line)."""
    lines = lines_of(data)
    by_line: dict[int, LineEdit] = {}
    for edit in edits:
        known = by_line.get(edit.line)
        if known is None:
            by_line[edit.line] = edit
            continue
        if (known.new is not None and edit.new is not None and known.new != edit.new) or \
                (known.new or edit.new) and (known.inline or edit.inline):
            raise Unfixable(f"two fixes change line {edit.line}")
        # Two fixes adding the same line to one block (the inherited headers each copies) add it once.
        by_line[edit.line] = LineEdit(edit.line, known.new if known.new is not None else edit.new,
                                      known.before + tuple(t for t in edit.before if t not in known.before),
                                      known.inline + tuple(t for t in edit.inline if t not in known.inline))
    out = []
    for number, text in enumerate(lines, 1):
        edit = by_line.get(number)
        if edit is not None:
            out.extend(edit.before)
            text = edit.new if edit.new is not None else text
            if edit.inline:
                at = [t for t in _tokens(text) if t.group() == b"}"][-1].start()
                text = text[:at].rstrip(b" \t") + b" " + b" ".join(edit.inline) + b" " + text[at:]
        out.append(text)
    return b"".join(out)
