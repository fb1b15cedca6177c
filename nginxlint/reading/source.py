"""Read one config file into parsed statements: bytes, encoding, syntax.

Pure functions of the file's bytes, so that many files can be read in
worker processes (parsing is CPU-bound) and the results merged in include
order by the loader. The process-pool machinery is imported only when a
pool starts: most runs read a handful of files.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import marshal
import os
import signal
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .param_length import too_long_parameters
from .parser import ParsedFile, SyntaxProblem, flatten, parse_text, unflatten

# Below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 48
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
    """The source as marshal bytes of plain tuples. Results travel back from
    worker processes this way: pickling the statements' classes cost more
    than parsing them."""
    parsed = source.parsed
    plain = None if parsed is None else (
        flatten(parsed.statements), parsed.comments,
        None if parsed.problem is None else (parsed.problem.line, parsed.problem.message))
    return marshal.dumps((source.unreadable, plain, source.problems, source.digest))


def unpack(data: bytes) -> Source:
    unreadable, plain, problems, digest = marshal.loads(data)
    parsed = None
    if plain is not None:
        flat, comments, problem = plain
        parsed = ParsedFile(unflatten(flat), comments, None if problem is None else SyntaxProblem(*problem))
    return Source(unreadable, parsed, problems, digest)


def read_source(path: str, cache: ParseCache | None = None) -> Source:
    """One file, from `cache` when a file of the same bytes was parsed before."""
    if cache is not None:
        return read_sources([path], cache)[path]
    data = _read_bytes(path)
    return Source(data, None) if isinstance(data, str) else decode_source(data)


def fingerprint(path: str) -> str:
    """What reading `path` gives, in short: the sha256 of its bytes (a
    Source's digest), or why it cannot be read (its `unreadable`)."""
    data = _read_bytes(path)
    return data if isinstance(data, str) else hashlib.sha256(data).hexdigest()


def _read_bytes(path: str) -> bytes | str:
    """The file's bytes, or why nginxlint does not read it."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return not_regular(info.st_mode)
        if info.st_size > MAX_FILE_BYTES:
            return f"is {info.st_size / 2**20:.1f} MiB; nginxlint reads files up to {MAX_FILE_BYTES // 2**20} MiB"
        with open(path, "rb") as handle:
            return handle.read()
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


def read_sources(paths: list[str], cache: ParseCache | None = None) -> dict[str, Source]:
    """Read many files; parse those `cache` does not hold, in worker
    processes when there are enough of them."""
    if cache is None:
        return _parse_all(paths)
    sources, misses = {}, {}
    for path in paths:
        data = _read_bytes(path)
        if isinstance(data, str):
            sources[path] = Source(data, None)
            continue
        digest = hashlib.sha256(data).hexdigest()
        hit = cache.get(digest)
        if hit is not None:
            sources[path] = hit
        else:
            misses[path] = (data, digest)
    if len(misses) < PARALLEL_MIN_FILES:  # parse the bytes already read, hashed once
        fresh = {path: decode_source(data, digest) for path, (data, digest) in misses.items()}
    else:
        fresh = _parse_all(list(misses))
    for source in fresh.values():
        cache.put(source)
    sources.update(fresh)
    return {path: sources[path] for path in paths}


def _parse_all(paths: list[str]) -> dict[str, Source]:
    """Read and parse every file, in worker processes when there are enough of them."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_MIN_FILES or workers < 2:
        return {path: read_source(path) for path in paths}
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    try:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"),
                                   initializer=_worker_start, initargs=(os.getpid(),))
    except (OSError, RuntimeError):  # no fork or no processes here: read them ourselves
        return {path: read_source(path) for path in paths}
    try:
        chunk = max(1, len(paths) // (workers * 4))
        with _sigint_blocked():  # workers are forked here and keep it blocked: Ctrl-C is the parent's
            results = pool.map(_read_packed, paths, chunksize=chunk)
        sources = {path: unpack(data) for path, data in zip(paths, results)}
    except BrokenProcessPool:  # a worker was killed (out of memory?): read them ourselves
        pool.shutdown(wait=True, cancel_futures=True)
        return {path: read_source(path) for path in paths}
    except BaseException:  # Ctrl-C: stop every worker now, not after the queue
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        # Do not wait: the pool's thread may be reading a result that a
        # terminated worker wrote only half of, and would wait forever.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return sources


def _read_packed(path: str) -> bytes:
    return pack(read_source(path))


@contextlib.contextmanager
def _sigint_blocked():
    """Hold SIGINT while workers are forked: they inherit the blocked mask
    (so Ctrl-C never reaches them), and the parent gets a Ctrl-C that came
    meanwhile as soon as the mask is lifted."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _worker_start(parent: int) -> None:
    """Workers die with the parent: a `kill -9` of nginxlint must not leave
    orphans holding its stdout open."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # not Linux: orphans are the OS's business
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


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
