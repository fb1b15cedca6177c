"""Where the paths a configuration names lead, and the tree they must stay in.

nginx opens an absolute include, or follows an absolute symlink, on the
machine it runs on. A copy of that configuration (a repository, a CI
checkout) is somewhere else, and the machine linting it may have an
/etc/nginx of its own that must not be read in its place. So:

- `--root DIR`: the copy is laid out below DIR as on the host
  (DIR/etc/nginx/nginx.conf); every absolute path, written in an include
  or stored in a symlink, is read below DIR.
- `--prefix DIR[=PATH]`: DIR is nginx's conf prefix PATH (default
  /etc/nginx, like `nginx -p`/`-c`): absolute paths under PATH are read in
  DIR, relative includes resolve against DIR, any other absolute path is
  outside the tree.
- Neither: the tree is the linted path's conf prefix folder (the folder of
  nginx.conf, the one above sites-enabled/…).

Symlinks below the tree are resolved here, one link at a time, through the
Probe, so that a link's absolute target is mapped like an include and a
path leaving the tree is noticed before anything outside it is asked
about. What lies outside is not read (INC004), unless `--allow-outside`, or
the tree is a host's own conf prefix linted in place (`nginxlint check`
reads /etc/nginx/nginx.conf: there the host's files are the subject).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from .probe import Probe

DEFAULT_PREFIX = "/etc/nginx"
# Conf prefixes of nginx builds: a tree there is a host's own config, read in place.
IN_PLACE = frozenset({"/etc/nginx", "/usr/local/nginx/conf", "/usr/local/etc/nginx"})
_MAX_LINKS = 40  # as Linux's path resolution


@dataclass(frozen=True)
class Resolved:
    """A path with the symlinks below its tree followed: `path` (what to
    read), or `outside` (the first path beyond the tree it led to, not
    asked about), and `link`, the symlink it was reached through if any."""

    path: str
    outside: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class Layout:
    root: str | None = None
    prefix: str | None = None  # the folder holding the copy of nginx's conf prefix
    prefix_of: str = DEFAULT_PREFIX  # the conf prefix it is a copy of
    allow_outside: bool = False

    def map_absolute(self, path: str) -> str:
        """Where an absolute path of the configuration is read."""
        if self.root:
            return os.path.join(os.path.abspath(self.root), os.path.normpath(path).lstrip("/"))
        if self.prefix:
            rel = os.path.relpath(os.path.normpath(path), self.prefix_of)
            return os.path.abspath(self.prefix) if rel == "." else path if rel.startswith("..") else \
                os.path.join(os.path.abspath(self.prefix), rel)
        return path

    def conf_prefix(self, guessed: str) -> str:
        """The folder relative includes resolve against: --prefix, else the guessed one."""
        return os.path.abspath(self.prefix) if self.prefix else guessed

    def boundary(self, conf_prefix: str) -> str | None:
        """The folder nothing outside of which is read, for a file of this
        conf prefix; None when anything may be read."""
        if self.allow_outside:
            return None
        if self.root or self.prefix:
            return os.path.abspath(self.root or self.prefix)
        folder = os.path.abspath(conf_prefix)
        return None if folder in IN_PLACE else folder

    def resolve(self, path: str, boundary: str | None, probe: Probe) -> Resolved:
        """`path` with its symlinks followed as nginx on the host would follow
        them: absolute targets mapped (map_absolute), stopping at the first
        step outside `boundary`."""
        path = os.path.abspath(path)
        if boundary is None or not inside(path, boundary):
            if boundary is not None:
                return Resolved(path, outside=path)
            real = probe.realpath(path)
            return Resolved(real, link=path if real != path and probe.readlink(path) is not None else None)
        done, pending, hops, link = boundary, _below(path, boundary), 0, None
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":  # the one step that can climb out: `done` is inside, and a name holds no "/"
                done = os.path.dirname(done)
                if not inside(done, boundary):
                    return Resolved(path, outside=os.path.join(done, *pending))
                continue
            candidate = os.path.join(done, part)
            target = probe.readlink(candidate)
            if target is None:
                done = candidate
                continue
            hops += 1
            if hops > _MAX_LINKS:  # a loop: reading it reports "symlink loop"
                return Resolved(path)
            link = link or path
            if os.path.isabs(target):
                mapped = os.path.normpath(self.map_absolute(target))
                if not inside(mapped, boundary):
                    return Resolved(path, outside=os.path.join(mapped, *pending), link=link)
                done, pending = boundary, _below(mapped, boundary) + pending
            else:
                pending = target.split("/") + pending
        return Resolved(done, link=link if done != path else None)


def _below(path: str, folder: str) -> list[str]:
    """The names leading from `folder` down to `path`, both absolute and
    normalized, `path` inside `folder`: what os.path.relpath would split
    into, without its per-call work (a call per file an include reads)."""
    return path[len(folder.rstrip(os.sep)) + 1:].split(os.sep)


def inside(path: str, folder: str) -> bool:
    """`path` is `folder` or below it (by name: nothing is asked)."""
    path = os.path.abspath(path)
    path = os.path.normpath(path)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
