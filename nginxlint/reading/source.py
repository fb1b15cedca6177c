"""Read one config file into parsed statements: bytes, encoding, syntax.

Pure functions of the file's bytes, so that a parse can be kept between
runs (parse_cache.py) under the hash of the bytes it came from.
"""
from __future__ import annotations

import errno
import hashlib
import marshal
import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from .param_length import too_long_parameters
from .parser import ParsedFile, SyntaxProblem, parse_text, plain

# nginx has no limit, but no real config comes near it: a bigger file is a
# log or a dump included by mistake, and lexing it would take minutes.
MAX_FILE_BYTES = 16 * 1024 * 1024

if TYPE_CHECKING:  # a type only: the cache module imports this one
    from .parse_cache import ParseCache


@dataclass(frozen=True, slots=True)
class Source:
    unreadable: str | None  # why the file could not be opened or read
    parsed: ParsedFile | None  # None when unreadable or not text at all
    problems: tuple[tuple[str, int, str], ...] = ()  # (rule, line, message)
    digest: str | None = None  # sha256 of the bytes read: what a cached result depends on


def pack(source: Source) -> bytes:
    """The source as marshal bytes of plain tuples, as the parse cache
    stores it: pickling the statements' classes cost more than parsing them,
    and rebuilding Statements from flat records more than the marshal read.
    ValueError for blocks nested too deep for marshal (~1,000 levels): such
    a file is parsed again on every run."""
    parsed = source.parsed
    stored = None if parsed is None else (
        plain(parsed.statements), parsed.comments,
        None if parsed.problem is None else (parsed.problem.line, parsed.problem.message))
    return marshal.dumps((source.unreadable, stored, source.problems, source.digest))


def unpack(data: bytes) -> Source:
    """What pack wrote; the statements stay plain tuples (ParsedFile)."""
    unreadable, stored, problems, digest = marshal.loads(data)
    parsed = None
    if stored is not None:
        statements, comments, problem = stored
        parsed = ParsedFile(statements, comments, None if problem is None else SyntaxProblem(*problem))
    return Source(unreadable, parsed, problems, digest)


def read_source(path: str, cache: ParseCache | None = None) -> Source:
    """One file, from `cache` when a file of the same bytes was parsed before."""
    data = _read_bytes(path)
    if isinstance(data, str):
        return Source(data, None)
    if cache is None:
        return decode_source(data)
    digest = hashlib.sha256(data).hexdigest()
    source = cache.get(digest)
    if source is None:
        source = decode_source(data, digest)
        cache.put(source)
    return source


def fingerprint(path: str) -> str:
    """What reading `path` gives, in short: the sha256 of its bytes (a
    Source's digest), or why it cannot be read (its `unreadable`)."""
    data = _read_bytes(path)
    return data if isinstance(data, str) else hashlib.sha256(data).hexdigest()


def _read_bytes(path: str) -> bytes | str:
    """The file's bytes, or why nginxlint does not read it."""
    handle = _opened(path)
    if isinstance(handle, str):
        return handle
    with handle:
        try:
            return handle.read()
        except OSError as exc:
            return os_reason(exc, path)


def unreadable(path: str) -> str | None:
    """Why nginxlint would not read the file (as reading it would say), found
    by opening it without reading; None when it would read it."""
    handle = _opened(path)
    if isinstance(handle, str):
        return handle
    handle.close()
    return None


def _opened(path: str) -> BinaryIO | str:
    """The regular file open for reading, or why nginxlint does not read it."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return not_regular(info.st_mode)
        if info.st_size > MAX_FILE_BYTES:
            return f"is {info.st_size / 2**20:.1f} MiB; nginxlint reads files up to {MAX_FILE_BYTES // 2**20} MiB"
        # unbuffered: the file is read whole, and a buffer costs ~4 us a file to set up
        return open(path, "rb", buffering=0)  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        return os_reason(exc, path)


def decode_source(data: bytes, digest: str | None = None) -> Source:
    """A file's bytes parsed; `digest`, their sha256 when the caller has it."""
    digest = digest or hashlib.sha256(data).hexdigest()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Source(None, None, (("SYN001", 1, "file is UTF-16 text; nginx reads bytes and cannot parse it"),), digest)
    if data.startswith(b"\xef\xbb\xbf"):
        return Source(None, None, (("SYN001", 1, "file starts with a UTF-8 byte order mark; nginx reads it as "
                                                 "part of the first directive and fails (unknown directive)"),), digest)
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return Source(None, None, (("SYN001", line, "binary file (NUL byte); not an nginx config"),), digest)
    problems = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(("ENC001", line, "not valid UTF-8; nginx reads it byte for byte, other tools may not"))
        text = data.decode("utf-8", errors="replace")
    parsed = parse_text(text)
    if parsed.problem is not None:
        problems.append(("SYN001", parsed.problem.line, parsed.problem.message))
    problems += (("SYN008", line, message) for line, message in too_long_parameters(data))
    return Source(None, parsed, tuple(problems), digest)


def not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a FIFO"
    return "not a regular file"


def os_reason(exc: OSError, path: str) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "dangling symlink" if os.path.islink(path) else "no such file or directory"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return exc.strerror or str(exc)
