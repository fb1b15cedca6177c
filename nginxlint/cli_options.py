"""What the commands share: the exit codes, one-line errors, and options
merged over the project config (the command line wins over the project
config, which wins over the defaults)."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from .commands.check_options import DEFAULT_NGINX_VERSION, CheckOptions
from .commands.exclude import Exclude
from .commands.project_config import ConfigError, ProjectConfig, find_config_for, load_config
from .errors import FileError
from .findings.selection import Selection
from .policy.model import PolicyError, PolicySet
from .reading.layout import DEFAULT_PREFIX, Layout
from .semantics.effective import parse_version

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL = 0, 1, 2
DEFAULT_PATH = "/etc/nginx/nginx.conf"


def fail(message: str) -> NoReturn:
    """One `nginxlint: error:` line on stderr, exit 2."""
    click.echo(f"nginxlint: error: {message}", err=True)
    sys.exit(EXIT_TOOL)


def params_given(values: tuple[str, ...]) -> dict[str, str]:
    """`--param NAME=VALUE` values by name."""
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value.strip()
    return params


def _version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            parse_version(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


def _ids(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--select WS,HDR001 --select INC` → ("WS", "HDR001", "INC")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def project_config(config_file: str | None, paths: tuple[str, ...] = ()) -> ProjectConfig:
    """The given project config, else the one nearest the linted `paths`
    (upwards from their common folder), else the one upwards from the
    working directory, else none (docs/cli.md#project-config)."""
    try:
        path = Path(config_file) if config_file else find_config_for(paths, Path.cwd())
        return load_config(path) if path else ProjectConfig()
    except ConfigError as exc:
        fail(f"bad config: {exc}")


def check_options(project: ProjectConfig, policies: tuple[str, ...], params: tuple[str, ...], nginx_version: str | None = None,
                  root: str | None = None, context: str | None = None,
                  select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), packs: tuple[str, ...] = (),
                  include_path: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                  prefix: tuple[str, str] | None = None, allow_outside: bool = False) -> CheckOptions:
    """Command-line values win over the project config, which wins over
    defaults; packs are turned on by either (--pack adds to packs:), and
    so are exclusions (--exclude adds to exclude:, each relative to where
    it was written: the working directory, the config's folder)."""
    values = project.values
    config_folder = os.path.dirname(os.path.abspath(project.file)) if project.file else os.getcwd()
    tree = layout(root, prefix, allow_outside)
    return CheckOptions(
        policies=values.get("policies", []) + list(policies),
        params={**values.get("params", {}), **params_given(params)},
        packs=list(dict.fromkeys([*values.get("packs", []), *packs])),
        nginx_version=nginx_version or values.get("nginx-version", DEFAULT_NGINX_VERSION),
        root=tree.root,
        prefix=tree.prefix,
        prefix_of=tree.prefix_of,
        allow_outside=tree.allow_outside,
        context=context,
        include_path=tuple(include_path),
        selection=Selection(_ids(select) or tuple(values.get("select", ())),
                            _ids(ignore) or tuple(values.get("ignore", ()))),
        severity=values.get("severity", {}),
        source=project.file if project.file and not (select or ignore) else "--select/--ignore",
        exclude=Exclude(tuple((glob, config_folder) for glob in values.get("exclude", ()))
                        + tuple((glob, os.getcwd()) for glob in exclude)),
        directives=tuple(values.get("directives", ())),
    )


def _prefix(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, str] | None:
    """`--prefix DIR[=PATH]` as (DIR, PATH); PATH is /etc/nginx unless given, and absolute."""
    if not value:
        return None
    folder, _, original = value.partition("=")
    if original and not original.startswith("/"):
        raise click.BadParameter(f"{original!r} is not an absolute path", param_hint="--prefix")
    return folder, original.rstrip("/") or ("/" if original else DEFAULT_PREFIX)


def layout(root: str | None, prefix: tuple[str, str] | None, allow_outside: bool) -> Layout:
    """Where the configuration's paths lead and the tree it must stay in (reading/layout.py)."""
    if root and prefix:
        fail("--root and --prefix: give one (--root DIR: DIR/etc/nginx is the copy; --prefix DIR: DIR is)")
    folder, original = prefix or (None, DEFAULT_PREFIX)
    return Layout(root, folder, original, allow_outside)


def prepared_policies(options: CheckOptions) -> PolicySet:
    """The policies a run uses, or every mistake in them: one complete
    `nginxlint: error: bad policy: FILE:LINE: message` line each, exit 2."""
    from .commands.check import prepare  # the policy compiler: not imported by a cache hit
    from .policy.load import UnknownPack

    try:
        return prepare(options)
    except PolicyError as exc:
        mistakes = getattr(exc, "errors", (exc,))
        lines = [("" if isinstance(m, UnknownPack) else "bad policy: ") + FileError.__str__(m) for m in mistakes]
        for line in lines[:-1]:
            click.echo(f"nginxlint: error: {line}", err=True)
        fail(lines[-1])


def _stacked(*options: Callable) -> Callable:
    """One decorator for a group of options several commands share."""
    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command
    return apply


policy_options = _stacked(
    click.option("--policy", "policies", multiple=True, type=click.Path(),
                 help="Extra policy file or directory (repeatable); adds to the built-in packs."),
    click.option("--pack", "packs", multiple=True, metavar="NAME",
                 help="Turn on an opt-in pack by name, e.g. websocket-streaming (repeatable; `nginxlint rules` lists packs)."),
    click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                 help="Override a policy parameter, e.g. websocket_min_timeout=1h (repeatable)."),
    click.option("--config", "config_file", type=click.Path(dir_okay=False),
                 help="Project config file (default: .nginxlint.yaml or pyproject.toml [tool.nginxlint], "
                      "the nearest upwards from the linted paths, else from the working directory)."),
)
selection_options = _stacked(
    click.option("--select", multiple=True, metavar="IDS", help="Only these rule ids or prefixes (comma-separated)."),
    click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rule ids or prefixes (comma-separated)."),
)
reading_options = _stacked(
    click.option("--nginx-version", callback=_version,
                 help=f"nginx version whose defaults and directives apply (default {DEFAULT_NGINX_VERSION}; "
                      "proxy_http_version is 1.1 from 1.29.7)."),
    click.option("--root", type=click.Path(file_okay=False),
                 help="A copy laid out as on the host: absolute paths, in includes and in symlinks, are read below DIR "
                      "(DIR/etc/nginx/…); nothing outside DIR is read (for diff, both sides)."),
    click.option("--prefix", metavar="DIR[=PATH]", callback=_prefix,
                 help="DIR is a copy of nginx's conf prefix PATH (default /etc/nginx; like nginx -p/-c): absolute paths "
                      "under PATH are read in DIR, relative includes resolve against DIR; nothing outside DIR is read."),
    click.option("--allow-outside", "allow_outside", is_flag=True,
                 help="Read what includes and symlinks reach outside the linted tree (default: not read, INC004)."),
    click.option("--context", type=click.Choice(["main", "http", "server", "location", "stream"]),
                 help="Context of the given files, instead of guessing (see docs/cli.md)."),
    click.option("--include-path", "include_path", multiple=True, type=click.Path(file_okay=False),
                 help="Folder of deployment files (repeatable): an include not found in the tree is read from "
                      "DIR/<its path as written>; nginxlint reads there because you said so."),
)
