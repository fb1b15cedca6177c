"""Paths in, one configuration tree per path out, with includes resolved the
way nginx resolves them (semantics §1.4, §7).

- A file of any name is a main config when its top level holds main-only
  directives (`http`, `events`, `worker_processes`…); otherwise it is a
  fragment read in `http` context, as Debian's `include sites-enabled/*`
  does. `--context` overrides the guess.
- A directory is read like `include dir/*` (regular files, sorted, dotfiles
  skipped, symlinks followed), except that a directory holding `nginx.conf`
  is linted from that main config, as nginx would load it.
- Relative includes resolve against the conf prefix (the main config's
  directory; for a fragment in `sites-enabled/`, `conf.d/`… the directory
  above), absolute ones through `--root` when given. One not found there is
  looked for under `--include-path` and among nginx's stock files
  (missing_includes.py).

Problems in the input are values, not exceptions: a file that does not
parse, a missing include or a cycle becomes a Problem with file and line,
and loading goes on with every other file.
"""
from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass, field
from typing import NamedTuple

from ..findings.records import InputError
from .file_roles import STREAM_DIRS, conf_prefix, fragment_context, is_main_config
from .missing_includes import elsewhere, under_include_path, unjudged
from .parser import ParsedFile, Statement
from .probe import DIRECTORY, REGULAR, Probe
from .source import MAX_FILE_BYTES, PARALLEL_MIN_FILES, Source, decode_source
from .tree import Node, inner_context

_GUESS_DEPTH = 4  # include levels followed when guessing a fragment's context


@dataclass(frozen=True, slots=True)
class Problem:
    """A defect of the input itself, reported as a built-in finding."""

    rule: str  # SYN001, SYN002, INC001, INC002, INC003, ENC001
    file: str
    line: int
    message: str


class GlobbedFile(NamedTuple):
    """A file that an include glob (or a folder on the command line) loaded."""

    root: Node  # the tree it was loaded into
    include_file: str  # where the include stands (the file itself, for a folder given on the command line)
    include_line: int  # its line; 0 for a command-line folder
    loaded: str  # the file loaded


@dataclass
class Config:
    roots: list[Node] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    comments: dict[str, dict[int, str]] = field(default_factory=dict)
    # server/location/if blocks missing an include (not found, cyclic or
    # unparseable): lines at their level are unknown, so rules judge only
    # what the blocks below them set themselves (policy/scope.py).
    incomplete: set[Node] = field(default_factory=set)
    globbed: list[GlobbedFile] = field(default_factory=list)


def display_path(path: str) -> str:
    """Paths under the working directory are shown relative to it; bytes of
    a file name that are not UTF-8 are shown as \\xNN escapes, so reports
    stay valid UTF-8."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    return os.fsencode(os.path.normpath(path)).decode("utf-8", "backslashreplace")


class Loader:
    def __init__(self, root_dir: str | None = None, context: str | None = None, probe: Probe | None = None,
                 include_path: tuple[str, ...] = ()):
        self.root_dir = root_dir
        self.include_path = include_path
        self.forced_context = context
        self.probe = probe or Probe()  # every filesystem question goes through it (probe.py)
        self.config = Config()
        self._cache: dict[str, ParsedFile | None] = {}
        self._prefetched: dict[str, Source] = {}
        self._unseen: list[tuple[Node, Problem, str]] = []  # a fragment's missing includes, told once the tree is built

    # -- entry points -----------------------------------------------------

    def load(self, paths: list[str]) -> Config:
        for path in paths:
            self._load_argument(path)
        told: dict[tuple[str, int], tuple[Problem, list[str]]] = {}  # one notice per include line, every site in it
        for block, problem, written in self._unseen:
            sites = told.setdefault((problem.file, problem.line), (problem, []))[1]
            if (text := unjudged(block, written)) not in sites:
                sites.append(text)
        self.config.problems.extend(Problem("INC003", p.file, p.line, "; ".join((p.message, *sites))) for p, sites in told.values())
        return self.config

    def _load_argument(self, path: str) -> None:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            source = decode_source(data) if len(data) <= MAX_FILE_BYTES else \
                Source(f"is larger than the {MAX_FILE_BYTES // 2**20} MiB nginxlint reads", None)
            parsed = self._accept(source, "<stdin>", None)
            if parsed is not None:
                self._add_root(parsed, "<stdin>", os.getcwd())
            return
        kind = self.probe.kind(path)
        if kind == DIRECTORY:
            self._load_directory(path)
        elif kind != REGULAR:
            self.config.errors.append(InputError(display_path(path), None, kind))
        elif not self.probe.readable(path):
            self.config.errors.append(InputError(display_path(path), None, "permission denied"))
        else:
            parsed = self._read(path, display_path(path), None)
            if parsed is not None:
                self._add_root(parsed, display_path(path), os.path.dirname(os.path.abspath(path)))

    def _load_directory(self, path: str) -> None:
        main = os.path.join(path, "nginx.conf")
        if self.probe.is_file(main):
            self._load_argument(main)
            return
        context = self.forced_context or ("stream" if os.path.basename(os.path.abspath(path)) in STREAM_DIRS else "http")
        root = self._new_root(display_path(path), context)
        prefix = conf_prefix(path, self.probe)
        names = self.probe.listdir(path)
        if isinstance(names, str):
            self.config.errors.append(InputError(display_path(path), None, names))
            return
        members = [os.path.join(path, n) for n in names
                   if not n.startswith(".") and not self.probe.is_dir(os.path.join(path, n))]
        self.config.globbed.extend(GlobbedFile(root, display_path(m), 0, display_path(m)) for m in members)
        self._prefetch(members)
        for member in members:
            parsed = self._read(member, display_path(member), None)
            if parsed is not None:
                self._instantiate(parsed.statements, display_path(member), root, root.inner, prefix,
                                  (self.probe.realpath(member),))
        self.config.roots.append(root)

    def _add_root(self, parsed: ParsedFile, shown: str, directory: str) -> None:
        if self.forced_context:
            context, prefix = self.forced_context, conf_prefix(directory, self.probe)
        elif is_main_config(parsed.statements):
            context, prefix = "main", os.path.abspath(directory)
        else:
            prefix = conf_prefix(directory, self.probe)
            context = fragment_context(self._spliced(parsed.statements, prefix, _GUESS_DEPTH), directory)
        root = self._new_root(shown, context)
        real = self.probe.realpath(shown) if shown != "<stdin>" else shown
        self._instantiate(parsed.statements, shown, root, context, prefix, (real,))
        self.config.roots.append(root)

    def _spliced(self, statements: tuple[Statement, ...], prefix: str, depth: int) -> list[Statement]:
        """A fragment's top level as nginx would read it, its includes replaced
        by the statements of the readable files they name, `depth` levels
        deep: a snippet made of includes (h5bp's basic.conf) is judged by the
        locations it pulls in, not read in http context where they are refused."""
        found: list[Statement] = []
        for stmt in statements:
            if stmt.name != "include" or len(stmt.args) != 1 or depth == 0:
                found.append(stmt)
                continue
            pattern = self._map_path(stmt.args[0], prefix)
            targets = self.probe.glob(pattern) if glob.has_magic(pattern) else (pattern,)
            for target in targets:
                if self.probe.kind(target) == REGULAR and self.probe.readable(target):
                    parsed = self._read(target, display_path(target), None)
                    found += self._spliced(parsed.statements, prefix, depth - 1) if parsed else ()
        return found

    @staticmethod
    def _new_root(shown: str, context: str) -> Node:
        return Node(name="", args=(), file=shown, line=0, context=None, parent=None, children=[], inner=context)

    # -- reading ----------------------------------------------------------

    def _read(self, path: str, shown: str, site: Node | None) -> ParsedFile | None:
        """Read and parse one file once; later include sites reuse the result."""
        real = self.probe.realpath(path)
        if real not in self._cache:
            source = self._prefetched.pop(path, None) or self.probe.source(path)
            self._cache[real] = self._accept(self.probe.read(path, source), shown, site)
        return self._cache[real]

    def _prefetch(self, paths: list[str]) -> None:
        """Parse files about to be read (a glob's or a directory's) in parallel."""
        fresh = [p for p in paths if self.probe.realpath(p) not in self._cache]
        if len(fresh) >= PARALLEL_MIN_FILES:
            self._prefetched.update(self.probe.sources(fresh))

    def _accept(self, source: Source, shown: str, site: Node | None) -> ParsedFile | None:
        """Record what reading one file found: it was read, its problems, its comments."""
        if source.unreadable is not None:
            file, line = (site.file, site.line) if site else (shown, 1)
            self.config.problems.append(Problem("INC001", file, line, f"cannot read {shown}: {source.unreadable}"))
            return None
        self.config.files.append(shown)
        self.config.problems.extend(Problem(rule, shown, line, message) for rule, line, message in source.problems)
        if source.parsed is not None:
            self.config.comments[shown] = source.parsed.comments
            if source.parsed.problem is not None:
                return None
        return source.parsed

    # -- building nodes and resolving includes ------------------------------

    def _instantiate(self, statements: tuple[Statement, ...], file: str, parent: Node, context: str | None, prefix: str,
                     chain: tuple[str, ...]) -> None:
        """Create nodes for `statements` under `parent`. One loop with an
        explicit stack, for nested blocks and included files alike: neither
        thousands of nested blocks nor a long include chain can reach
        Python's recursion limit."""
        stack = [(iter(statements), parent, context, file, chain)]
        while stack:
            items, block, ctx, file, chain = stack[-1]
            for stmt in items:  # simple directives go by in this inner loop
                if stmt.name == "include" and stmt.block is None:
                    included = self._include(stmt, file, block, ctx, prefix, chain)
                    stack.extend((iter(body), block, ctx, shown, sub) for body, shown, sub in reversed(included))
                    break
                node = Node(stmt.name, stmt.args, file, stmt.line, ctx, block, end_line=stmt.end)
                block.adopt(node)
                if stmt.block is not None:
                    node.children = []
                    node.inner = inner_context(stmt.name, ctx) if ctx else None
                    stack.append((iter(stmt.block), node, node.inner, file, chain))
                    break
            else:
                stack.pop()

    def _include(self, stmt: Statement, file: str, block: Node, ctx: str | None, prefix: str,
                 chain: tuple[str, ...]) -> list[tuple]:
        """Resolve one include: [(statements, shown path, include chain)] to splice in, in order."""
        if len(stmt.args) != 1:
            self.config.problems.append(Problem("SYN002", file, stmt.line, 'invalid number of arguments in "include" directive'))
            return []
        written = stmt.args[0]
        pattern = self._map_path(written, prefix)
        top = next(n for n in (block, *block.ancestors()) if n.parent is None)
        if glob.has_magic(pattern):
            # Sorted; no match is fine for nginx. None in the tree: the first --include-path folder with a match.
            matches = (self.probe.glob(p) for p in (pattern, *under_include_path(written, self.include_path)))
            targets = list(next((m for m in matches if m), ()))
            self.config.globbed.extend(GlobbedFile(top, file, stmt.line, display_path(t)) for t in targets)
        elif self.probe.exists(pattern):
            targets = [pattern]
        elif found := elsewhere(written, self.include_path, self.probe):
            targets = [found]
        else:
            self._not_found(block, top, Problem("INC001", file, stmt.line, f'include "{written}": {display_path(pattern)} not found'
                                                + (" (nor under --include-path)" if self.include_path else "")), written)
            return []
        self._prefetch(targets)
        site = Node("include", stmt.args, file, stmt.line, ctx, block)
        included = []
        for target in targets:
            real, shown = self.probe.realpath(target), display_path(target)
            if real in chain:
                cycle = " -> ".join(display_path(p) for p in chain + (real,))
                self._missing(block, Problem("INC002", file, stmt.line, f"include cycle: {cycle}"))
                continue
            parsed = self._read(target, shown, site)
            if parsed is None:
                self._missing(block, None)
            else:
                included.append((parsed.statements, shown, chain + (real,)))
        return included

    def _not_found(self, block: Node, top: Node, problem: Problem, written: str) -> None:
        """A whole config (nginx.conf) with a missing include does not start:
        INC001. In a fragment the file may well exist where it is deployed:
        an INC003 notice, which says what it leaves unjudged."""
        if top.inner == "main":
            self._missing(block, problem)
        else:
            self._missing(block, None)
            self._unseen.append((block, problem, written))

    def _missing(self, block: Node, problem: Problem | None) -> None:
        """Part of `block` could not be read. Inside a server, location, if,
        map or any block below http its content and effective config are
        unknown (a missing proxy snippet would fake every WebSocket finding,
        a missing map file its default); at http or main level, where missing
        mime.types or module includes are common, rules still run."""
        if problem is not None:
            self.config.problems.append(problem)
        if block.inner not in ("main", "http", "stream", "mail", "events"):
            self.config.incomplete.add(block)

    def _map_path(self, path: str, prefix: str) -> str:
        if os.path.isabs(path):
            return os.path.join(self.root_dir, path.lstrip("/")) if self.root_dir else path
        return os.path.join(prefix, path)


def load(paths: list[str], root_dir: str | None = None, context: str | None = None,
         probe: Probe | None = None, include_path: tuple[str, ...] = ()) -> Config:
    return Loader(root_dir, context, probe, include_path).load(paths)
