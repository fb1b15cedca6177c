"""Turn the text of one file into raw statements.

Tokens are crossplane's (quotes, escapes, `${var}`, Lua blocks), from our
faster equivalent of its lexer (lexer.py), but we build statements
ourselves: crossplane's parser recurses once per nested block (a config
nested a few thousand levels deep raises RecursionError), drops
statements its 2020 directive table dislikes, and cannot start in `http`
context. The builder below is a loop with an explicit stack.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .lexer import LexError, Match, lex
from .words import Words


class Statement(NamedTuple):
    """One directive as written. A NamedTuple, not a dataclass: parsed files
    are kept in the parse cache as marshal bytes of plain tuples of the same
    fields (plain), read back without a Python step per statement and used
    as they are, by position (ParsedFile)."""

    name: str
    args: tuple[str, ...]
    line: int
    block: tuple[Statement, ...] | None  # None for a simple directive
    end: int  # line of the closing ";" or "}" (suppression comments cover up to it)
    head_end: int  # line of the ";" or "{" that ends its words: where nginx reports what it refuses in them


_new_statement = tuple.__new__


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    # Statements; read from the parse cache, plain tuples of the same fields
    # (plain): code that may see either reads them by position.
    statements: tuple[Statement, ...]
    comments: dict[int, str]  # line -> comment text, for suppressions
    problem: SyntaxProblem | None  # the first syntax error; nginx stops there too


def walk_statements(statements: tuple[Statement, ...]) -> Iterator[Statement]:
    """Every statement in file order, depth first, with an explicit stack
    (no depth of nesting reaches a recursion limit)."""
    stack = [iter(statements)]
    while stack:
        stmt = next(stack[-1], None)
        if stmt is None:
            stack.pop()
            continue
        yield stmt
        if stmt.block:
            stack.append(iter(stmt.block))


def plain(statements: tuple[Statement, ...]) -> tuple[tuple, ...]:
    """The statements as nested plain tuples of the same fields, what
    marshal writes (it writes no NamedTuple) and gives back as they are: a
    file read from the parse cache is used without a Python step per
    statement. Built from the innermost blocks out, with an explicit stack
    (no depth of nesting reaches Python's recursion limit; marshal's own,
    about 1,000 nested blocks, is the parse cache's to meet)."""
    built: list[tuple] = []
    shared = Words()  # marshal writes an object met again as a reference: read back, it is one object again
    for stmt in reversed(list(walk_statements(statements))):
        block = stmt.block
        if block is not None:
            children = len(block)
            block = tuple(built[:-children - 1:-1])
            if children:
                del built[-children:]
        built.append((shared[stmt.name], shared[stmt.args], stmt.line, block, stmt.end, stmt.head_end))
    built.reverse()
    return tuple(built)


def _if_args(args: list[str]) -> list[str]:
    """Strip the parentheses of an `if` condition, glued or not (as crossplane does)."""
    if args and args[0].startswith("(") and args[-1].endswith(")"):
        args[0] = args[0][1:].lstrip()
        args[-1] = args[-1][:-1].rstrip()
        return args[int(not args[0]) : len(args) - int(not args[-1])]
    return args


class _Open:
    """A block being filled: its header, the line of its "{", and the statements read so far."""

    __slots__ = ("name", "args", "line", "brace", "body")

    def __init__(self, name: str, args: list[str], line: int, brace: int):
        self.name, self.args, self.line, self.brace, self.body = name, args, line, brace, []


def parse_text(text: str, lexer: Callable[[str], Iterable[Match]] = lex) -> ParsedFile:
    """Parse one file's text. Never raises on bad input: the first syntax
    error is returned as the problem, with the statements nginx had read
    before it: nginx judges each statement as it reads it, so a mistake
    there is what it reports first (after a missing "}", the next `server`
    "is not allowed here" inside the location left open). Blocks still open
    are closed at the error. Only nginx's own checks judge such a file
    (findings/rejected.py): the rest of its text was never read. (The tests
    parse with crossplane's lexer too: `lexer`.)"""
    eof_line = text.count("\n") + 1  # where nginx reports the end of the file
    if not text.endswith("\n"):
        text += "\n"  # the lexer drops a last token that no newline ends
    stack = [_Open("", [], 0, 0)]
    comments: dict[int, str] = {}
    try:
        problem = _build(lexer(text), stack, comments, eof_line)
    except LexError as exc:  # a malformed *_by_lua_block
        problem = SyntaxProblem(exc.line, exc.message)
    if problem is not None:
        while len(stack) > 1:
            done = stack.pop()
            stack[-1].body.append(_new_statement(Statement, (done.name, tuple(done.args), done.line, tuple(done.body),
                                                             problem.line, done.brace)))
    return ParsedFile(tuple(stack[0].body), comments, problem)


def _build(matches: Iterable[Match], stack: list[_Open], comments: dict[int, str], eof_line: int) -> SyntaxProblem | None:
    """Fold the lexer's matches into statements on `stack`; return the first syntax error.

    This loop runs once per token of every file, so it reads the matches
    as they come (lexer.py), without a call per token: the token is in
    the slot of its kind, and the line is counted from the newlines in the
    space before it, and in the token itself when there are any. The
    common cases (a word, then `;` or a brace) are tested first, and
    statements are made with tuple.__new__, which skips the NamedTuple's
    Python-level constructor."""
    name: str | None = None  # the statement being read, if any
    args: list[str] = []
    line = 0  # where the statement starts
    at = 1  # the line the next token starts on
    body = stack[-1].body
    for space, special, word, double, single, comment, rest in matches:
        if "\n" in space:
            at += space.count("\n")
        if word:
            if name is None:
                # crossplane counts a line when a unit ends in a newline, before the unit's token starts
                name, args, line = word, [], at + word.startswith("\\\n")
            else:
                args.append(word)
            if "\n" in word:
                at += word.count("\n")
        elif special == ";" or special == "{":
            if name is None:
                return SyntaxProblem(at, f'unexpected "{special}"')
            if name == "if":
                args = _if_args(args)
            if special == ";":
                body.append(_new_statement(Statement, (name, tuple(args), line, None, at, at)))
            else:
                stack.append(_Open(name, args, line, at))
                body = stack[-1].body
            name = None
        elif special:
            if name is not None or len(stack) == 1:
                return SyntaxProblem(at, 'unexpected "}"')
            done = stack.pop()
            body = stack[-1].body
            body.append(_new_statement(Statement, (done.name, tuple(done.args), done.line, tuple(done.body), at, done.brace)))
        elif comment:
            comments[at] = comment[1:]
            at += 1  # the newline that ends it
        elif rest:  # the text ends inside a token: crossplane drops it
            break
        else:  # a quoted string
            quoted = double or single
            token = double.replace('\\"', '"') if double else single.replace("\\'", "'")
            if name is None:
                name, args, line = token, [], at
            else:
                args.append(token)
            if "\n" in quoted:
                at += quoted.count("\n")
    # nginx names the line where it meets the end of the file, not where the
    # open statement or block began: the message names that.
    if name is not None:
        return SyntaxProblem(eof_line, f'unexpected end of file, expecting ";" or "}}": "{name}" from line {line} '
                                       'is not terminated by ";" (or a quote in it is never closed)')
    if len(stack) > 1:
        return SyntaxProblem(eof_line, f'unexpected end of file, expecting "}}": "{stack[-1].name}" opened on line '
                                       f'{stack[-1].line} is never closed')
    return None
