"""Command line: parse options, run the phases, turn results into text and
an exit code. No traceback reaches the user (design §3)."""
from __future__ import annotations

import os
import sys

import click

from . import __version__
from .effective import parse_version
from .findings import SEVERITIES, severity_rank
from .pipeline import DEFAULT_NGINX_VERSION, CheckOptions, check, prepare
from .policy.model import PolicyError
from .report import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TOOL = 0, 1, 2
DEFAULT_PATH = "/etc/nginx/nginx.conf"


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value.strip()
    return params


def _version(_ctx, _param, value: str) -> str:
    try:
        parse_version(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nginxlint")
def main() -> None:
    """nginxlint: lint nginx configuration against declarative policies."""


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--policy", "policies", multiple=True, type=click.Path(),
              help="Extra policy file or directory (repeatable); adds to the built-in packs.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Override a policy parameter, e.g. websocket_min_timeout=1h (repeatable).")
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="warning", show_default=True,
              help="Exit 1 when a finding has this severity or a worse one.")
@click.option("--nginx-version", default=DEFAULT_NGINX_VERSION, show_default=True, callback=_version,
              help="nginx version whose defaults apply (proxy_http_version is 1.1 from 1.29.7).")
@click.option("--root", type=click.Path(file_okay=False), help="Read absolute include paths below DIR (a copied tree).")
@click.option("--context", type=click.Choice(["main", "http", "server", "location"]),
              help="Context of the given files, instead of guessing (main config or http fragment).")
def check_command(paths, policies, params, output_format, fail_on, nginx_version, root, context) -> None:
    """Lint nginx files, directories (sites-enabled/) or a whole nginx.conf.

    PATH may be any file name, a directory (read like `include dir/*`; one
    holding nginx.conf is read from it), or - for stdin. Default:
    /etc/nginx/nginx.conf. Exit 0: clean; 1: findings at or above --fail-on;
    2: nginxlint could not do its job (bad option, policy or path).
    """
    options = CheckOptions(list(policies), _params(params), nginx_version, root, context)
    try:
        policy_set = prepare(options)
    except PolicyError as exc:
        _fail(f"bad policy: {exc}")
    result = check(list(paths) or [DEFAULT_PATH], options, policy_set)
    click.echo(FORMATS[output_format](result), nl=False)
    for error in result.errors:
        click.echo(f"nginxlint: error: {error}", err=True)
    if result.errors:
        sys.exit(EXIT_TOOL)
    threshold = severity_rank(fail_on)
    failing = any(severity_rank(f.severity) <= threshold for f in result.findings)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _fail(message: str) -> None:
    click.echo(f"nginxlint: error: {message}", err=True)
    sys.exit(EXIT_TOOL)


def run() -> None:
    """Console entry point: any unexpected exception becomes one line, exit 2."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("nginxlint: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("NGINXLINT_DEBUG"):
            raise
        click.echo(f"nginxlint: internal error: {type(exc).__name__}: {exc} "
                   "(a bug; rerun with NGINXLINT_DEBUG=1 for details and report it)", err=True)
        sys.exit(EXIT_TOOL)
