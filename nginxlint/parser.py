"""Turn the text of one file into raw statements, with crossplane's lexer.

We use crossplane's tokenizer (quotes, escapes, `${var}`, Lua blocks) but build
statements ourselves: crossplane's parser recurses once per nested block (a
config nested a few thousand levels deep raises RecursionError), drops
statements its 2020 directive table dislikes, and cannot start in `http`
context. The builder below is a loop with an explicit stack.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import NamedTuple

from crossplane.lexer import _lex_file_object  # the tokenizer, minus file I/O


class Statement(NamedTuple):
    """One directive as written. A NamedTuple, not a dataclass: parsed files
    travel back from worker processes, and tuples pickle several times faster."""

    name: str
    args: tuple[str, ...]
    line: int
    block: tuple[Statement, ...] | None  # None for a simple directive
    end: int  # line of the closing ";" or "}" (suppression comments cover up to it)


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    statements: tuple[Statement, ...]
    comments: dict[int, str]  # line -> comment text, for suppressions
    problem: SyntaxProblem | None  # the first syntax error; nginx stops there too


def _if_args(args: list[str]) -> list[str]:
    """Strip the parentheses of an `if` condition, glued or not (as crossplane does)."""
    if args and args[0].startswith("(") and args[-1].endswith(")"):
        args[0] = args[0][1:].lstrip()
        args[-1] = args[-1][:-1].rstrip()
        return args[int(not args[0]) : len(args) - int(not args[-1])]
    return args


class _Open:
    """A block being filled: its header and the statements read so far."""

    __slots__ = ("name", "args", "line", "body")

    def __init__(self, name: str, args: list[str], line: int):
        self.name, self.args, self.line, self.body = name, args, line, []


def parse_text(text: str) -> ParsedFile:
    """Parse one file's text. Never raises on bad input: the first syntax
    error is returned as a problem, with the statements read before it."""
    top = _Open("", [], 0)
    stack = [top]
    comments: dict[int, str] = {}
    name: str | None = None
    args: list[str] = []
    line = 0
    problem = None

    def close_statement(end: int) -> Statement:
        final = _if_args(args) if name == "if" else args
        return Statement(name, tuple(final), line, None, end)

    for token, tline, quoted in _lex_file_object(io.StringIO(text)):
        if not quoted:
            if token.startswith("#"):
                comments[tline] = token[1:]
                continue
            if token in ("{", ";", "}"):
                if token == "}":
                    if name is not None:
                        problem = SyntaxProblem(tline, 'unexpected "}"')
                        break
                    if len(stack) == 1:
                        problem = SyntaxProblem(tline, 'unexpected "}"')
                        break
                    done = stack.pop()
                    stack[-1].body.append(
                        Statement(done.name, tuple(done.args), done.line, tuple(done.body), tline)
                    )
                    continue
                if name is None:
                    problem = SyntaxProblem(tline, f'unexpected "{token}"')
                    break
                if token == ";":
                    stack[-1].body.append(close_statement(tline))
                else:
                    final = _if_args(args) if name == "if" else args
                    stack.append(_Open(name, final, line))
                name, args = None, []
                continue
        if name is None:
            name, args, line = token, [], tline
        else:
            args.append(token)

    if problem is None:
        eof_line = text.count("\n") + 1  # where nginx reports the end of file
        if name is not None:
            problem = SyntaxProblem(
                line,
                f'unexpected end of file (line {eof_line}): "{name}" from here is not '
                'terminated by ";" (an unterminated quote swallows the rest of the file)',
            )
        elif len(stack) > 1:
            problem = SyntaxProblem(
                stack[-1].line,
                f'unexpected end of file (line {eof_line}), expecting "}}": "{stack[-1].name}" '
                "opened here is never closed",
            )
    if problem is not None:
        # nginx refuses the whole file; keep nothing half-built.
        return ParsedFile((), comments, problem)
    return ParsedFile(tuple(top.body), comments, None)
