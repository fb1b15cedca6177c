"""Command line: parse options, merge them over the project config, run the
phases, turn results into text and an exit code. No traceback reaches the
user (design §3).

What only one command needs (diff, inspect, rule docs) is imported inside
that command: a one-file `check` is mostly start-up time."""
from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import os
import sys
from typing import NoReturn

import click

from . import __version__
from .cli_inputs import baseline_entries, dump_probe, staged_result, write_atomically
from .cli_options import (
    DEFAULT_PATH,
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_TOOL,
    check_options,
    fail,
    layout,
    params_given,
    policy_options,
    prepared_policies,
    project_config,
    reading_options,
    selection_options,
)
from .commands.atomic_file import replace_atomically
from .commands.check_options import DEFAULT_NGINX_VERSION, CheckOptions
from .findings.records import SEVERITIES, severity_rank
from .policy.files import policy_files
from .report import FORMATS, Rendered


def _address(_ctx, _param, value: str) -> str:
    """nginx picks a server by the IP address a connection arrives on: a
    host name would be resolved, which inspect does not emulate."""
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an IP address") from None
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nginxlint")
def main() -> None:
    """nginxlint: lint nginx configuration against declarative policies."""


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@policy_options
@selection_options
@reading_options
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATS)), help="Output format (default text).")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              help="Exit 1 when a finding has this severity or a worse one (default warning).")
@click.option("--staged", is_flag=True,
              help="PATHS are files staged for a commit (the pre-commit hook): lint the whole tree each belongs to "
                   "(entry: of the project config, else a tracked nginx.conf reaching it) and report the findings in them "
                   "and those their change causes elsewhere (compared with HEAD).")
@click.option("--no-cache", is_flag=True,
              help="Neither reuse nor store a cached result or parsed files (default: reuse one when no input changed, "
                   "and parse only files whose bytes were not parsed before; "
                   "stored in $NGINXLINT_CACHE_DIR, else $XDG_CACHE_HOME/nginxlint or ~/.cache/nginxlint).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Do not read files matching GLOB from folders and include globs, nor report findings in them "
                   "(repeatable; relative to the working directory; adds to exclude: in the project config).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Do not report the findings recorded in FILE (by rule, server, location and statement text); "
                   "report its entries no finding matches any more as fixed.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record every finding of this run in FILE, to pass to --baseline later.")
@click.option("--dump", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
              help="Lint the output of `nginx -T` saved in FILE (- for stdin): the files it holds, at their "
                   "original paths and lines, starting from the first (the main config); nothing else is read.")
def check_command(paths, policies, packs, params, config_file, select, ignore, output_format, output, fail_on,
                  nginx_version, root, prefix, allow_outside, context, include_path, staged, no_cache, exclude,
                  baseline_file, write_baseline, dump) -> None:
    """Lint nginx files, directories (sites-enabled/) or a whole nginx.conf.

    PATH may be any file name, a directory (read like `include dir/*`; one
    holding nginx.conf is read from it), or - for stdin. Default:
    /etc/nginx/nginx.conf. Exit 0: clean; 1: findings at or above --fail-on;
    2: nginxlint could not do its job (bad option, policy or path).
    """
    project = project_config(config_file, paths)
    options = check_options(project, policies, params, nginx_version, root, context, select, ignore, packs, include_path,
                            exclude, prefix, allow_outside)
    if not no_cache:  # files whose bytes were parsed before are not parsed again
        from .commands import result_cache  # not imported for --no-cache runs: start-up is most of a small run

        options = dataclasses.replace(options, parse_cache=result_cache.parse_cache())
    output_format = output_format or project.values.get("format", "text")
    fail_on = fail_on or project.values.get("fail-on", "warning")
    for option, path in (("--output", output), ("--write-baseline", write_baseline)):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            fail(f"{option} {path}: directory {os.path.dirname(path) or '.'} does not exist")
    plain = not (staged or baseline_file or write_baseline or dump)
    if plain and not no_cache and "-" not in (paths or [DEFAULT_PATH]):  # standard input cannot be checked for changes
        # Before the policies are compiled: a hit does not need them.
        _finish(result_cache.check_cached(list(paths) or [DEFAULT_PATH], options, lambda: prepared_policies(options), output_format),
                output, output_format, fail_on)
    from .commands.check import against_baseline, check, lint_paths  # what a cache hit does not need

    policy_set = prepared_policies(options)
    recorded = baseline_entries(baseline_file)
    if staged:
        if dump or baseline_file or write_baseline:
            fail("--staged lints the tree staged files belong to: give no --dump, --baseline or --write-baseline with it")
        result = staged_result(list(paths), options, policy_set, project.values.get("entry", []), not no_cache)
    elif not plain:
        # Matching a baseline needs the trees, which a cached result does not keep;
        # a dump's files are not on disk for the cache to check.
        probe = None
        if dump:
            if paths or root or include_path:
                fail("--dump reads every file from the dump: give no PATH, --root or --include-path with it")
            probe = dump_probe(dump)
            paths = [next(iter(probe.files))]  # the main config is the dump's first file
        paths = list(paths) or [DEFAULT_PATH]
        remembered = not no_cache and probe is None and "-" not in paths  # a dump's and stdin's files are not on disk
        config, result = result_cache.lint_remembered(paths, options, policy_set) if remembered else \
            lint_paths(paths, options, policy_set, probe)
        if baseline_file or write_baseline:
            write = (lambda text: write_atomically(write_baseline, text, "--write-baseline")) if write_baseline else None
            result = against_baseline(config, result, recorded, baseline_file or write_baseline, write)
    else:
        result = check(list(paths) or [DEFAULT_PATH], options, policy_set)
    _finish(Rendered.of(result, output_format), output, output_format, fail_on)


def _finish(rendered: Rendered, output: str | None, output_format: str, fail_on: str) -> NoReturn:
    """Write the report, then the input errors; exit 2 on an input error,
    1 when a finding is at least as severe as `fail_on`, else 0."""
    if output:
        write_atomically(output, rendered.report)
    else:
        click.echo(rendered.report, nl=False)
    if rendered.baseline is not None and output_format not in ("text", "json"):  # those two report it themselves
        from .findings import baseline

        for line in baseline.describe(rendered.baseline):
            click.echo(f"nginxlint: {line}", err=True)
    for error in rendered.errors:
        click.echo(f"nginxlint: error: {error}", err=True)
    if rendered.errors:
        sys.exit(EXIT_TOOL)
    threshold = severity_rank(fail_on)
    sys.exit(EXIT_FINDINGS if any(severity_rank(severity) <= threshold for severity in rendered.severities) else EXIT_CLEAN)


@main.command("fix")
@click.argument("paths", nargs=-1, type=click.Path())
@policy_options
@selection_options
@reading_options
@click.option("--write", is_flag=True, help="Apply the fixes to the files (default: print the diff and change nothing).")
@click.option("--unsafe-fixes", is_flag=True, help="Also make judgement fixes (a timeout, a body limit, HSTS, protocols that drop old clients).")
@click.option("--no-nginx", is_flag=True, help="Do not verify with nginx -t even when nginx is installed.")
def fix_command(paths, policies, packs, params, config_file, select, ignore, nginx_version, root, prefix, allow_outside,
                context, include_path, write, unsafe_fixes, no_nginx) -> None:
    """Fix the findings whose rules declare a fix, as ruff does.

    Prints a unified diff and changes nothing, unless --write. Each fix is
    proved before it is kept: the fixed tree is linted again in memory (its
    finding gone, no new one) and, when nginx is installed, nginx -t runs on
    a scratch copy. Exit 0: nothing left to fix; 1: a diff was printed
    (without --write) or findings a fix could not remove remain; 2:
    nginxlint could not do its job, nginx -t rejected the fixed tree or
    could not verify it, or a file could not be written (none is then
    changed).
    """
    from .commands import result_cache
    from .commands.fix import run, show, verify_nginx

    project = project_config(config_file, paths)
    options = check_options(project, policies, params, nginx_version, root, context, select, ignore, packs, include_path,
                            (), prefix, allow_outside)
    # Each proof re-lints the tree: only the files a fix changed are parsed again.
    options = dataclasses.replace(options, parse_cache=result_cache.parse_cache())
    paths = list(paths) or [DEFAULT_PATH]
    if "-" in paths:
        fail("fix edits files: standard input cannot be fixed")
    outcome = run.fix_paths(paths, options, prepared_policies(options), unsafe_fixes)
    for error in outcome.errors:
        click.echo(f"nginxlint: error: {error}", err=True)
    nginx = None if no_nginx else verify_nginx.find_nginx()
    if outcome.changed and nginx is not None:
        problem = verify_nginx.verdict(nginx, outcome.read, outcome.fixed, outcome.main, outcome.fragments, *show.changed_lines(outcome))
        if problem is not None:
            click.echo(show.unified_diff(outcome), nl=False)
            click.echo(f"nginxlint: no fix applied: {problem}", err=True)
            sys.exit(EXIT_TOOL)
    elif outcome.changed and not no_nginx:
        click.echo("nginxlint: nginx not found: the fixes are verified by the re-lint only", err=True)
    if not write:
        click.echo(show.unified_diff(outcome), nl=False)
    elif outcome.errors:
        click.echo("nginxlint: error: no file changed: some input could not be read (above)", err=True)
        sys.exit(EXIT_TOOL)
    else:
        try:
            run.write_all(outcome, replace_atomically)
        except OSError as exc:
            click.echo(f"nginxlint: error: no file changed: {exc}", err=True)
            sys.exit(EXIT_TOOL)
    for line in show.summary(outcome, write):
        click.echo(line, err=True)
    if outcome.errors:
        sys.exit(EXIT_TOOL)
    sys.exit(EXIT_FINDINGS if (outcome.changed and not write) or outcome.refused else EXIT_CLEAN)


@main.command("lsp")
def lsp_command() -> None:
    """Run the language server on stdin/stdout, for an editor (needs the
    `lsp` extra: pip install 'nginxlint[lsp]'). Diagnostics on open, change
    and save; code actions that fix or suppress a finding; hover with a
    directive's value in force and a finding's explanation."""
    try:
        from .lsp.server import build
    except ImportError as exc:
        fail(f"the language server needs pygls: pip install 'nginxlint[lsp]' ({exc})")
    build().start_io()


@main.command("inspect")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--host", help="Host header of the request (none: a request without Host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port the request arrives on (default 80, or 443 with --tls).")
@click.option("--tls/--no-tls", default=None, help="The request came over TLS (default: only when --port is 443).")
@click.option("--address", default="127.0.0.1", show_default=True, callback=_address,
              help="Local IP address the request arrives on.")
@click.option("--uri", help="Request URI. Without it, every location and its effective configuration.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all", "every_default", is_flag=True,
              help="Show every built-in default (default: the settings the config writes and only the defaults "
                   "that matter to the block's handler: proxy, fastcgi, static files…).")
@reading_options
def inspect_command(paths, host, port, tls, address, uri, output_format, every_default, nginx_version, root, prefix,
                    allow_outside, context, include_path) -> None:
    """Which server and location serve a request, and the effective
    directives there, each with its origin (file:line and block, or the
    default of the nginx version)."""
    from .commands.inspect_request import inspect_all, inspect_request
    from .reading.loader import load
    from .routing.route import Request
    from .semantics.effective import Effective

    version = nginx_version or project_config(None, paths).values.get("nginx-version", DEFAULT_NGINX_VERSION)
    config = load(list(paths) or [DEFAULT_PATH], context=context, include_path=include_path,
                  layout=layout(root, prefix, allow_outside))
    for error in config.errors:
        click.echo(f"nginxlint: error: {error}", err=True)
    for problem in config.problems:
        click.echo(f"nginxlint: {problem.rule}: {problem.file}:{problem.line}: {problem.message}", err=True)
    effective, as_json = Effective(version), output_format == "json"
    if uri is None:
        click.echo(inspect_all(config, effective, as_json, every_default), nl=False)
    else:
        port_given = port is not None or tls is not None
        tls = tls if tls is not None else port == 443
        request = Request(host=host, uri=uri, port=port or (443 if tls else 80), tls=tls, address=address)
        click.echo(inspect_request(config, effective, request, as_json, every_default, port_given), nl=False)
    sys.exit(EXIT_TOOL if config.errors else EXIT_CLEAN)


@main.command("diff")
@click.argument("active", type=click.Path())
@click.argument("backup", type=click.Path())
@policy_options
@selection_options
@reading_options
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True)
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              help="Exit 1 when the restore would introduce a finding this severe or worse (default warning).")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 for REVIEW too: any change that alters traffic.")
@click.option("--probe", "probes", multiple=True, metavar="URI",
              help="Route this path (on every host) or URL (https://host/path) in both configs too; repeatable.")
@click.option("--active-root", type=click.Path(file_okay=False), help="--root for the active side only.")
@click.option("--backup-root", type=click.Path(file_okay=False), help="--root for the backup side only.")
def diff_command(active, backup, policies, packs, params, config_file, select, ignore, output_format, fail_on,
                 fail_on_change, probes, nginx_version, root, prefix, allow_outside, active_root, backup_root, context,
                 include_path) -> None:
    """What restoring BACKUP over ACTIVE would change and break.

    Each side is a file, a directory or a whole tree. First a verdict: SAFE
    (no change that alters traffic), REVIEW (changes, none a regression) or
    UNSAFE (new findings at or above --fail-on, or a proxied request that
    another server or location would serve). Then the requests served
    elsewhere (every location's path and every server name on every socket,
    plus --probe), the findings the restore would introduce and fix (matched
    by cause: the rule and the line's text, never its number), upstream, map
    and listen changes, and every effective change per server and location,
    with file:line on both sides. Exit 1 for UNSAFE (and for REVIEW with
    --fail-on-change); 0 otherwise; 2 when nginxlint could not read a side
    or a policy.
    """
    from .commands.check import lint_paths
    from .commands.restore.audit import diff, verdict
    from .report.diff_report import render_json, render_sarif, render_text

    project = project_config(config_file, (active, backup))
    options = check_options(project, policies, params, nginx_version, root, context, select, ignore, packs, include_path,
                            prefix=prefix, allow_outside=allow_outside)
    fail_on = fail_on or project.values.get("fail-on", "warning")
    policy_set = prepared_policies(options)
    sides = [lint_paths([path], dataclasses.replace(options, root=side_root or root), policy_set)
             for path, side_root in ((active, active_root), (backup, backup_root))]
    result = diff(sides[0], sides[1], options.nginx_version, tuple(probes))
    answer = verdict(result, fail_on)
    render = {"json": render_json, "sarif": render_sarif, "text": render_text}[output_format]
    click.echo(render(result, active, backup, answer), nl=False)
    for error in result.errors:
        click.echo(f"nginxlint: error: {error}", err=True)
    if result.errors:  # a side nginxlint could not read: its verdict is not an answer
        sys.exit(EXIT_TOOL)
    sys.exit(EXIT_FINDINGS if answer.level == "UNSAFE" or (fail_on_change and answer.level == "REVIEW") else EXIT_CLEAN)


@main.command("rules")
@policy_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(policies, packs, params, config_file, output_format) -> None:
    """List every rule: id, name, severity, pack, whether it is on, whether fix fixes it (safe, unsafe, -), summary."""
    from .commands.explain import rules_json, rules_table

    policy_set = prepared_policies(check_options(project_config(config_file), policies, params, packs=packs))
    click.echo(rules_json(policy_set) if output_format == "json" else rules_table(policy_set), nl=False)


@main.command("explain")
@click.argument("rule_id")
@policy_options
def explain_command(rule_id, policies, packs, params, config_file) -> None:
    """What a rule checks, why, a bad and a good example, its pack and parameters."""
    from .commands.explain import explain_text

    policy_set = prepared_policies(check_options(project_config(config_file), policies, params, packs=packs))
    rule = policy_set.rule(rule_id.upper())
    if rule is None:
        fail(f"unknown rule {rule_id!r}; `nginxlint rules` lists them")
    click.echo(explain_text(rule, policy_set), nl=False)


@main.group("policy")
def policy_group() -> None:
    """Work with policy files."""


@policy_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Parameter values to validate with.")
def validate_command(files, params) -> None:
    """Check policy FILES (with the built-in packs) without linting anything."""
    policy_set = prepared_policies(CheckOptions(policies=list(files), params=params_given(params)))
    given = {os.path.realpath(path) for file in files for path in policy_files(file)}
    own = [rule for rule in policy_set.rules if os.path.realpath(rule.file) in given]
    click.echo(f"{', '.join(files)}: valid, {len(own)} rule{'s' if len(own) != 1 else ''}")


def run() -> None:
    """Console entry point. Exit codes are ours (design §3): click's usage
    errors are 2, Ctrl-C is 130 (not click's "Aborted!" with 1), and any
    unexpected exception becomes one line and 2."""
    sys.unraisablehook = _interrupted_in_a_finalizer
    try:
        code = main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("nginxlint: interrupted", err=True)
        _leave(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_TOOL)
    except SystemExit as exc:
        _leave(exc.code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("NGINXLINT_DEBUG"):
            raise
        click.echo(f"nginxlint: internal error: {type(exc).__name__}: {exc} "
                   "(a bug; rerun with NGINXLINT_DEBUG=1 for details and report it)", err=True)
        sys.exit(EXIT_TOOL)
    _leave(code if isinstance(code, int) else EXIT_CLEAN)


def _interrupted_in_a_finalizer(unraisable) -> None:
    """Ctrl-C that lands while Python runs a finalizer (a weakref callback
    or a __del__) cannot propagate: Python would print it as an ignored
    exception, traceback and all, and carry on. It is still Ctrl-C, so the
    run ends as it does on a Ctrl-C anywhere else."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        click.echo("nginxlint: interrupted", err=True)
        _leave(130)
    sys.__unraisablehook__(unraisable)


def _leave(code) -> NoReturn:
    """Exit without the interpreter's teardown, which frees a large loaded
    tree object by object (a tenth of a run on the bench tree); the OS
    frees it at once. Only the output needs the interpreter's care: it is
    flushed first, and anything unusual takes the ordinary way out."""
    if isinstance(code, int):
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    sys.exit(code)
