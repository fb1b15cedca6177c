"""Paths in, one configuration tree per path out, with includes resolved the
way nginx resolves them (semantics §1.4, §7).

Why one module of ~450 lines: reading arguments, instantiating nodes and
resolving includes call each other in one loop with an explicit stack (no
recursion limit on deep includes or blocks) and share its state (the parsed
files, the include chain, the missing-include record). What can stand apart
does: file roles (file_roles.py), paths and the tree's boundary (layout.py),
stock and --include-path files (missing_includes.py), parsing (source.py).

- A file of any name is a main config when its top level holds main-only
  directives (`http`, `events`, `worker_processes`…); otherwise it is a
  fragment read in `http` context, as Debian's `include sites-enabled/*`
  does. `--context` overrides the guess.
- A directory is read like `include dir/*` (regular files, sorted, dotfiles
  skipped, symlinks followed), except that a directory holding `nginx.conf`
  is linted from that main config, as nginx would load it. One that holds
  no file is an input error, as is an empty standard input.
- The files of conf.d/ and sites-enabled/ given together (files or the
  folders) share one http level, in the order Debian's nginx.conf includes
  them: conf.d before sites-enabled, each sorted. Inheritance, maps and
  duplicate servers work across them as under nginx.conf. Other fragments
  are linted apart (sites-available/ holds alternatives, not one config),
  a folder's files together.
- Relative includes resolve against the conf prefix (the main config's
  directory; for a fragment in `sites-enabled/`, `conf.d/`… the directory
  above; `--prefix`), absolute ones and symlinks as layout.py says
  (`--root`, `--prefix`). One not found there is looked for under
  `--include-path` and among nginx's stock files (missing_includes.py).
- Nothing outside the tree is read (layout.py): an include or symlink
  leading out is INC004 at the include line, or an INC003 notice in a
  fragment linted alone without --root/--prefix.
- A file reached through a symlink is named by its target, the file one
  edits; `Config.links` maps it to the link.

Problems in the input are values, not exceptions: a file that does not
parse, a missing include or a cycle becomes a Problem with file and line,
and loading goes on with every other file.
"""
from __future__ import annotations

import dataclasses
import glob
import os
import sys
from dataclasses import dataclass, field
from typing import NamedTuple

from ..findings.records import InputError
from .file_roles import STREAM_DIRS, conf_prefix, fragment_context, is_main_config
from .layout import Layout, Resolved, inside
from .missing_includes import elsewhere, under_include_path, unjudged
from .parser import ParsedFile, Statement
from .probe import DIRECTORY, REGULAR, Probe
from .source import MAX_FILE_BYTES, Source, decode_source
from .tree import Node, inner_context
from .words import Words

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
    links: dict[str, str] = field(default_factory=dict)  # a file read through a symlink (shown) -> the first such link
    # What the lines of an http-level block (a server, an upstream) come from,
    # for reusing an earlier run's verdicts on it (policy/units.py): the
    # sha256 of each file read (shown path -> digest), and the files included
    # inside each such block, in order.
    digests: dict[str, str | None] = field(default_factory=dict)
    block_files: dict[Node, list[str]] = field(default_factory=dict)
    maps: list[Node] = field(default_factory=list)  # every map block, in configuration order (MapIndex, without a walk)

    def complete(self, root: Node) -> bool:
        """Every include of the run was read (no INC001, INC003 or INC004)
        and no block of `root` misses one: what whole-config checks need."""
        return (not any(p.rule in ("INC001", "INC003", "INC004") for p in self.problems)
                and not any(block.top() is root for block in self.incomplete))


class _Pending:
    """A file an include names, read when the include's turn comes. (A
    plain class: a NamedTuple costs every run's start-up more to define.)"""

    __slots__ = ("target", "site")

    def __init__(self, target: Resolved, site: Node) -> None:
        self.target, self.site = target, site  # site: the include statement


class _Fragment(NamedTuple):
    """A fragment given on the command line (or a file of a folder given),
    waiting for the level it shares with the others of its group."""

    parsed: ParsedFile
    shown: str
    real: str
    prefix: str
    context: str
    order: tuple  # (group, then nginx's include order in it): see _include_order


def display_path(path: str) -> str:
    """Paths under the working directory are shown relative to it; bytes of
    a file name that are not UTF-8 are shown as \\xNN escapes, so reports
    stay valid UTF-8."""
    if os.path.isabs(path) and path.startswith("//"):  # normpath keeps a leading "//" (POSIX), relpath does not
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    elif os.path.isabs(path):
        # What os.path.relpath(path) gives when it does not climb out with
        # "..", without its per-call splitting (a call per file and include site).
        path, here = os.path.normpath(path), os.getcwd().rstrip(os.sep)
        if path == here or path == os.sep and not here:
            path = "."
        elif path.startswith(here + os.sep) and not path.startswith("..", len(here) + 1):
            path = path[len(here) + 1:]
    return os.fsencode(os.path.normpath(path)).decode("utf-8", "backslashreplace")


class Loader:
    def __init__(self, layout: Layout | None = None, context: str | None = None, probe: Probe | None = None,
                 include_path: tuple[str, ...] = ()):
        self.layout = layout or Layout()
        self.include_path = include_path
        self.forced_context = context
        self.probe = probe or Probe()  # every filesystem question goes through it (probe.py)
        self.config = Config()
        self._read_once: set[str] = set()  # files read, whose statements were not kept
        self._repeated: dict[str, ParsedFile | None] = {}  # files read again: kept for every further site
        self._words = Words()  # equal names and arguments share one object across the tree
        self._unseen: list[tuple[Node, Problem, str]] = []  # a fragment's missing includes, told once the tree is built
        self._fragments: list[_Fragment] = []
        self._displayed: dict[str, str] = {}  # path -> display_path(path), see _display

    # -- entry points -----------------------------------------------------

    def load(self, paths: list[str]) -> Config:
        for index, path in enumerate(paths):
            self._load_argument(path, index)
        self._join_fragments()
        told: dict[tuple[str, int], tuple[Problem, list[str]]] = {}  # one notice per include line, every site in it
        for block, problem, written in self._unseen:
            sites = told.setdefault((problem.file, problem.line), (problem, []))[1]
            if (text := unjudged(block, written)) not in sites:
                sites.append(text)
        self.config.problems.extend(Problem("INC003", p.file, p.line, "; ".join((p.message, *sites))) for p, sites in told.values())
        return self.config

    def _load_argument(self, path: str, index: int) -> None:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            if not data.strip():
                self.config.errors.append(InputError("<stdin>", None, "no nginx configuration found in <stdin>"))
                return
            source = decode_source(data) if len(data) <= MAX_FILE_BYTES else \
                Source(f"is larger than the {MAX_FILE_BYTES // 2**20} MiB nginxlint reads", None)
            parsed = self._accept(source, "<stdin>", None)
            if parsed is not None:
                self._add_root(parsed, "<stdin>", "<stdin>", os.getcwd(), index)
            return
        resolved = self._argument(path)
        if resolved is None:
            return
        kind = self.probe.kind(resolved.path)
        if resolved.link and not self.probe.exists(resolved.path):
            kind = "dangling symlink"
        if kind == DIRECTORY:
            self._load_directory(path, resolved.path, index)
        elif kind != REGULAR:
            self.config.errors.append(InputError(display_path(path), None, kind))
        elif not self.probe.readable(resolved.path):
            self.config.errors.append(InputError(display_path(path), None, "permission denied"))
        else:
            shown, parsed = self._open(resolved, path, None)
            if parsed is not None:
                self._add_root(parsed, shown, resolved.path, os.path.dirname(os.path.abspath(path)), index, path)

    def _argument(self, path: str) -> Resolved | None:
        """A path named on the command line, its symlinks followed inside its
        tree (a path outside --root or --prefix is read: it was named)."""
        boundary = self.layout.boundary(self.layout.conf_prefix(conf_prefix(os.path.dirname(os.path.abspath(path)), self.probe)))
        if boundary is not None and not inside(path, boundary):
            boundary = None
        resolved = self.layout.resolve(path, boundary, self.probe)
        if resolved.outside is not None:
            self.config.problems.append(Problem("INC004", display_path(path), 1, f"{display_path(path)} is a symlink to "
                                                f"{display_path(resolved.outside)}, outside {display_path(boundary)}: not read"
                                                + _ASK))
            return None
        return resolved

    def _load_directory(self, path: str, real: str, index: int) -> None:
        main = os.path.join(real, "nginx.conf")
        if self.probe.is_file(main):
            self._load_argument(os.path.join(path, "nginx.conf"), index)
            return
        context = self.forced_context or ("stream" if os.path.basename(os.path.abspath(path)) in STREAM_DIRS else "http")
        prefix = self.layout.conf_prefix(conf_prefix(path, self.probe))
        # a folder of links like sites-enabled/ points at its siblings: the tree is the folder above
        boundary = self.layout.boundary(os.path.dirname(prefix) if prefix == os.path.abspath(path) else prefix)
        names = self.probe.listdir(real)
        if isinstance(names, str):
            self.config.errors.append(InputError(display_path(path), None, names))
            return
        members = []
        for name in names:
            if name.startswith("."):
                continue
            resolved = self.layout.resolve(os.path.join(real, name), boundary, self.probe)
            if resolved.outside is not None:
                link = display_path(os.path.join(path, name))
                self.config.problems.append(Problem("INC004", link, 1, f"{link} leads to {display_path(resolved.outside)}, "
                                                    f"outside {display_path(boundary)}: not read" + _ASK))
            elif not self.probe.is_dir(resolved.path):
                members.append((os.path.join(path, name), resolved))
        if not members and not any(p.rule == "INC004" and p.file.startswith(display_path(path)) for p in self.config.problems):
            self.config.errors.append(InputError(display_path(path), None, f"no nginx configuration found in {display_path(path)}"))
            return
        for member, resolved in members:
            shown, parsed = self._open(resolved, member, None)
            if parsed is not None:
                self._fragments.append(_Fragment(parsed, shown, resolved.path, prefix, context, _include_order(member, index, context)))
                self.config.globbed.append(GlobbedFile(None, shown, 0, display_path(member)))

    def _add_root(self, parsed: ParsedFile, shown: str, real: str, directory: str, index: int, named: str = "-") -> None:
        if self.forced_context:
            context, prefix = self.forced_context, self.layout.conf_prefix(conf_prefix(directory, self.probe))
        elif is_main_config(parsed.statements):
            context, prefix = "main", self.layout.conf_prefix(os.path.abspath(directory))
        else:
            prefix = self.layout.conf_prefix(conf_prefix(directory, self.probe))
            context = fragment_context(self._spliced(parsed.statements, prefix, _GUESS_DEPTH), directory)
        if context in ("http", "stream"):
            self._fragments.append(_Fragment(parsed, shown, real, prefix, context, _include_order(named, index, context)))
            return
        root = self._new_root(shown, context)
        self._instantiate(parsed.statements, shown, root, context, prefix, (real,))
        self.config.roots.append(root)

    def _join_fragments(self) -> None:
        """One tree per group of fragments (all of conf.d/ and sites-enabled/;
        else one folder or one file), in nginx's include order."""
        groups: dict[object, list[_Fragment]] = {}
        for fragment in self._fragments:
            groups.setdefault(fragment.order[0], []).append(fragment)
        for members in groups.values():
            members.sort(key=lambda f: f.order)
            root = self._new_root(members[0].shown, members[0].context)
            for fragment in members:
                self._instantiate(fragment.parsed.statements, fragment.shown, root, fragment.context, fragment.prefix,
                                  (fragment.real,))
            self.config.roots.append(root)
            shown = {m.shown for m in members}
            self.config.globbed = [g._replace(root=root) if g.root is None and g.include_file in shown else g
                                   for g in self.config.globbed]

    def _spliced(self, statements: tuple[Statement, ...], prefix: str, depth: int) -> list[Statement]:
        """A fragment's top level as nginx would read it, its includes replaced
        by the statements of the readable files they name, `depth` levels
        deep: a snippet made of includes (h5bp's basic.conf) is judged by the
        locations it pulls in, not read in http context where they are refused."""
        found: list[Statement] = []
        for stmt in map(Statement._make, statements):  # plain tuples when read from the parse cache (ParsedFile)
            if stmt.name != "include" or len(stmt.args) != 1 or depth == 0:
                found.append(stmt)
                continue
            targets, _ = self._targets(stmt.args[0], prefix)
            for target in targets:
                if self.probe.kind(target.path) == REGULAR and self.probe.readable(target.path):
                    parsed = self._open(target, target.path, None)[1]
                    found += self._spliced(parsed.statements, prefix, depth - 1) if parsed else ()
        return found

    @staticmethod
    def _new_root(shown: str, context: str) -> Node:
        return Node(name="", args=(), file=shown, line=0, context=None, parent=None, children=[], inner=context)

    def _open(self, resolved: Resolved, named: str, site: Node | None) -> tuple[str, ParsedFile | None]:
        """Read a file as the layout resolved it; (how findings name it, its
        statements). A file reached through a symlink is named by its target,
        the file one edits (the link is remembered in Config.links); a
        dangling link by itself: nothing is read at its target, wherever that is."""
        as_named = self._display(named)
        if resolved.link is None:
            return as_named, self._read(resolved.path, as_named, site)
        if not self.probe.exists(resolved.path):
            return as_named, self._accept(Source("dangling symlink", None), as_named, site)
        shown = self._display(resolved.path)
        self.config.links.setdefault(shown, as_named)
        return shown, self._read(resolved.path, shown, site)

    def _display(self, path: str) -> str:
        """display_path(path), worked out once per load: a file an include
        glob reads is named where the glob lists it and again when it is
        read, and display_path asks for the working directory each time."""
        shown = self._displayed.get(path)
        if shown is None:
            shown = self._displayed[path] = display_path(path)
        return shown

    # -- reading ----------------------------------------------------------

    def _read(self, path: str, shown: str, site: Node | None) -> ParsedFile | None:
        """Read and parse one file. Its statements are not kept once its
        nodes are built: a tree of 1,000 sites would hold them all until
        the end of the load, in memory the lint cannot reuse. A file read
        again (a snippet every server includes) is parsed again, as nginx
        reads it at every include, and kept from then on; what reading it
        found (problems, comments) is recorded the first time only."""
        if path in self._repeated:  # `path` is resolved (layout.py): one spelling per file
            return self._repeated[path]
        source = self.probe.source(path)
        if path not in self._read_once:
            self._read_once.add(path)
            return self._accept(self.probe.read(path, source), shown, site)
        self._repeated[path] = source.parsed if source.unreadable is None else None
        return self._repeated[path]

    def _accept(self, source: Source, shown: str, site: Node | None) -> ParsedFile | None:
        """Record what reading one file found: it was read, its problems, its comments."""
        if source.unreadable is not None:
            file, line = (site.file, site.line) if site else (shown, 1)
            self.config.problems.append(Problem("INC001", file, line, f"cannot read {shown}: {source.unreadable}"))
            return None
        self.config.files.append(shown)
        self.config.digests[shown] = source.digest
        self.config.problems.extend(Problem(rule, shown, line, message) for rule, line, message in source.problems)
        if source.parsed is not None:
            self.config.comments[shown] = source.parsed.comments
        return source.parsed

    # -- building nodes and resolving includes ------------------------------

    def _instantiate(self, statements: tuple[Statement, ...], file: str, parent: Node, context: str | None, prefix: str,
                     chain: tuple[str, ...]) -> None:
        """Create nodes for `statements` under `parent`. One loop with an
        explicit stack, for nested blocks and included files alike: neither
        thousands of nested blocks nor a long include chain can reach
        Python's recursion limit. It runs once per directive of the tree,
        so a node is made in one call with every field given in order, and
        what all children of a block share (their context, file, server and
        location) is worked out once per block, not once per child."""
        stack = [(iter(statements), parent, context, file, chain)]
        shared = self._words
        while stack:
            items, block, ctx, file, chain = stack[-1]
            if isinstance(items, _Pending):  # an included file, read now that its turn came
                stack.pop()
                shown, parsed = self._open(items.target, items.target.link or items.target.path, items.site)
                if parsed is None:
                    self._missing(block, None)
                else:
                    self._included_in(block, shown)
                    stack.append((iter(parsed.statements), block, ctx, shown, chain + (items.target.path,)))
                continue
            children, (server, location) = block.children, block.enclosing()
            for stmt in items:  # simple directives go by in this inner loop
                name, arguments, line, inner, end, head_end = stmt
                if inner is None:
                    if name == "include":
                        # a plain tuple when read from the parse cache (parser.ParsedFile)
                        included = self._include(Statement._make(stmt), file, block, ctx, prefix, chain)
                        stack.extend((pending, block, ctx, file, chain) for pending in reversed(included))
                        break
                    children.append(Node(shared[name], shared[arguments], file, line, ctx, block, None, None, end, head_end, server, location))
                    continue
                node = Node(shared[name], shared[arguments], file, line, ctx, block, [], inner_context(name, ctx) if ctx else None,
                            end, head_end, server, location)
                children.append(node)
                if name == "map":
                    self.config.maps.append(node)
                stack.append((iter(inner), node, node.inner, file, chain))
                break
            else:
                stack.pop()

    def _include(self, stmt: Statement, file: str, block: Node, ctx: str | None, prefix: str,
                 chain: tuple[str, ...]) -> list[_Pending]:
        """Resolve one include: the files to splice in, in order."""
        if len(stmt.args) != 1:
            self.config.problems.append(Problem("SYN002", file, stmt.head_end, 'invalid number of arguments in "include" directive'))
            return []
        written = stmt.args[0]
        top = block.top()
        targets, outside = self._targets(written, prefix)
        if glob.has_magic(written):
            # Sorted; no match is fine for nginx. None in the tree: the first --include-path folder with a match.
            if not targets:
                matches = (self.probe.glob(p) for p in under_include_path(written, self.include_path))
                targets = [Resolved(m) for m in next((m for m in matches if m), ())]
            self.config.globbed.extend(GlobbedFile(top, file, stmt.line, self._display(t.link or t.path)) for t in targets)
        elif not targets and (found := elsewhere(written, self.include_path, self.probe)):
            targets, outside = [Resolved(found)], []
        elif not targets and not outside:
            pattern = self._map_path(written, prefix)
            self._not_found(block, top, Problem("INC001", file, stmt.head_end, f'include "{written}": {display_path(pattern)} not found'
                                                + (" (nor under --include-path)" if self.include_path else "")), written)
            return []
        if outside:
            self._left_tree(block, top, Problem("INC004", file, stmt.line, f'include "{written}": '
                                                f'{", ".join(display_path(o) for o in outside)} '
                                                f'{"is" if len(outside) == 1 else "are"} outside '
                                                f'{display_path(self.layout.boundary(prefix) or "/")}: not read' + _ASK), written)
        site = Node("include", stmt.args, file, stmt.line, ctx, block)
        included = []
        for target in targets:
            if target.path in chain:
                cycle = " -> ".join(display_path(p) for p in chain + (target.path,))
                self._missing(block, Problem("INC002", file, stmt.line, f"include cycle: {cycle}"))
                continue
            # A file is read at its turn, but what opening it tells is told here, in the
            # order of the include's targets (as when every target was read at once): a
            # file that cannot be read is INC001 at this include, and the first link to a
            # file is the one findings in it name.
            first = target.path not in self._read_once and target.path not in self._repeated
            if first and not (self.probe.kind(target.path) == REGULAR and self.probe.readable(target.path)):
                if self._open(target, target.link or target.path, site)[1] is None:
                    self._missing(block, None)
                    continue
            elif first and target.link is not None:
                self.config.links.setdefault(display_path(target.path), display_path(target.link))
            included.append(_Pending(target, site))
        return included

    def _included_in(self, block: Node, shown: str) -> None:
        """Record a file an include inside an http-level block (a server, an
        upstream) read, in the order the files are read."""
        outer = block.server or next((n for n in (block, *block.ancestors()) if n.parent is not None and n.parent.inner == "http"), None)
        if outer is not None:
            self.config.block_files.setdefault(outer, []).append(shown)

    def _targets(self, written: str, prefix: str) -> tuple[list[Resolved], list[str]]:
        """What an include names in the tree: the files to read, symlinks
        followed (layout.py), and where it leads outside the tree (not read)."""
        boundary = self.layout.boundary(prefix)
        pattern = self._map_path(written, prefix)
        if not glob.has_magic(pattern):
            resolved = self.layout.resolve(pattern, boundary, self.probe)
            if resolved.outside is not None:
                return [], [resolved.outside]
            return ([resolved] if self.probe.exists(resolved.path) else []), []
        parts = pattern.split(os.sep)
        static = next(i for i, part in enumerate(parts) if glob.has_magic(part))
        folder = self.layout.resolve(os.sep.join(parts[:static]) or os.sep, boundary, self.probe)
        if folder.outside is not None:
            return [], [os.path.join(folder.outside, *parts[static:])]
        inside, outside = [], []
        for match in self.probe.glob(os.path.join(folder.path, *parts[static:])):
            resolved = self.layout.resolve(match, boundary, self.probe)
            if resolved.outside is not None:
                outside.append(resolved.outside)
            else:
                inside.append(resolved if resolved.link else Resolved(resolved.path, link=match if match != resolved.path else None))
        return inside, outside

    def _left_tree(self, block: Node, top: Node, problem: Problem, written: str) -> None:
        """An include leading outside the tree is not read. With --root or
        --prefix, or in a whole config, that is INC004: the tree given is not
        all nginx loads. A fragment linted alone is told as for a file it
        does not have (INC003)."""
        if self.layout.root or self.layout.prefix or top.inner == "main":
            self._missing(block, problem)
        else:
            self._missing(block, None)
            self._unseen.append((block, dataclasses.replace(problem, rule="INC003"), written))

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
        return self.layout.map_absolute(path) if os.path.isabs(path) else os.path.join(prefix, path)


_ASK = " (--root or --prefix map absolute paths into a copy; --include-path or --allow-outside read them)"
_DEBIAN_HTTP = {"conf.d": 0, "sites-enabled": 1}  # include /etc/nginx/conf.d/*.conf; include /etc/nginx/sites-enabled/*;


def _include_order(path: str, index: int, context: str) -> tuple:
    """(group, rank, folder, name): the http-level files of conf.d/ and
    sites-enabled/ are one group, ordered as Debian's nginx.conf includes
    them; any other fragment is a group of its argument (a folder's files
    in its sorted order)."""
    folder = os.path.dirname(os.path.abspath(path))
    rank = _DEBIAN_HTTP.get(os.path.basename(folder))
    if rank is None or context != "http":
        return (index, 0, "", "")
    return (-1, rank, folder, os.path.basename(path))


def load(paths: list[str], root_dir: str | None = None, context: str | None = None,
         probe: Probe | None = None, include_path: tuple[str, ...] = (), layout: Layout | None = None) -> Config:
    return Loader(layout or Layout(root=root_dir), context, probe, include_path).load(paths)
