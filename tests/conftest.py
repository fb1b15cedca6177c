"""Shared helpers: run the linter in-process on files written by a test."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.findings.selection import Selection

REPO = Path(__file__).resolve().parents[1]


WITHOUT_SECURITY_PACKS = Selection((), ("SEC", "TLS"))


@pytest.fixture
def lint_files(tmp_path, monkeypatch):
    """lint_files({"name": text, ...}, *paths, **options) -> LintResult.

    Writes the files under tmp_path (dedented), changes into it so reported
    paths are relative, and lints `paths` (default: the first file). Without
    a `selection`, the security and TLS packs are left out: these tests are
    about the core and the WebSocket pack, and their small configs (no HSTS,
    proxy_pass from an if) are rightly security findings, tested elsewhere.
    Without `packs`, the opt-in packs (websocket-streaming, hardening) are
    on, so that tests see every rule; pass `packs=[]` for the defaults."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str], *paths: str, **options):
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text))
        options.setdefault("selection", WITHOUT_SECURITY_PACKS)
        options.setdefault("packs", ["websocket-streaming", "hardening"])
        opts = CheckOptions(**options)
        return check(list(paths) or [next(iter(files))], opts, prepare(opts))

    return run


def rule_lines(result, rule: str | None = None) -> set[tuple]:
    """{(rule, file, line)} of a result's findings, optionally one rule only."""
    return {(f.rule, f.file, f.line) for f in result.findings if rule in (None, f.rule)}


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)
    return REPO


def require_tool(tool: str, purpose: str, fallback: str | None = None) -> str:
    """Path of an external tool (nginx, openssl); skip without it locally,
    fail under CI (CI=true), where .ci/run installs it."""
    path = shutil.which(tool) or (fallback if fallback and os.access(fallback, os.X_OK) else None)
    if path:
        return path
    message = f"{tool} not installed: {purpose}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# Debian's dynamic stream and mail modules (libnginx-mod-stream, -mail).
NGINX_MODULES = ("/usr/lib/nginx/modules/ngx_stream_module.so", "/usr/lib/nginx/modules/ngx_mail_module.so")


def require_nginx_modules() -> str:
    """`load_module` lines for nginx's stream and mail modules; skip without
    them locally, fail under CI (CI=true), where .ci/run installs them."""
    missing = [module for module in NGINX_MODULES if not os.path.exists(module)]
    if missing:
        message = f"nginx's stream/mail modules not installed ({', '.join(missing)}): apt-get install libnginx-mod-stream libnginx-mod-mail"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return "".join(f"load_module {module};\n" for module in NGINX_MODULES)


def run_cli(args: list[str], cwd, stdin: bytes = b"", timeout: float = 60) -> tuple[int, str, str]:
    """Run `python -m nginxlint ARGS` from this checkout: (exit code, stdout,
    stderr). Fails the test on a hang, a traceback, an internal error, or
    output that is not UTF-8."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    env.pop("NGINXLINT_DEBUG", None)
    try:
        proc = subprocess.run([sys.executable, "-m", "nginxlint", *args], cwd=cwd, env=env, input=stdin,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"nginxlint hung: {' '.join(args)} did not finish within {timeout}s")
    try:
        out = proc.stdout.decode("utf-8")  # JSON is UTF-8 (RFC 8259); other tools read it
    except UnicodeDecodeError as exc:
        pytest.fail(f"stdout is not valid UTF-8: {exc}: {proc.stdout[max(0, exc.start - 40):exc.end + 40]!r}")
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out + err, err
    assert "internal error" not in err, err
    return proc.returncode, out, err


def run_cli_here(args: list[str], cwd, stdin: bytes = b"") -> tuple[int, str, str]:
    """run_cli's contract, in this process: the same command, exit code,
    stdout and stderr, without a Python start-up per call. For cases that
    cannot hang; a hang or a crash of the interpreter needs run_cli."""
    from click.testing import CliRunner

    from nginxlint.cli import main

    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, input=stdin, catch_exceptions=True)
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback, which run_cli would also fail on
    try:
        out = result.stdout_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        pytest.fail(f"stdout is not valid UTF-8: {exc}")
    err = result.stderr_bytes.decode("utf-8", "replace")
    assert "internal error" not in err, err
    return result.exit_code, out, err


@pytest.fixture(autouse=True, scope="session")
def _compiled_package():
    """Byte-compile the package once: with PYTHONDONTWRITEBYTECODE set (as
    on these machines) every `python -m nginxlint` a test starts would
    compile every module again, a fifth of a one-file run."""
    import compileall

    compileall.compile_dir(REPO / "nginxlint", quiet=1)


@pytest.fixture(autouse=True, scope="session")
def _private_result_cache(tmp_path_factory):
    """Runs of the CLI in tests store cached results in a temporary folder,
    never in the user's ~/.cache (tests/test_cache.py uses its own)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NGINXLINT_CACHE_DIR", str(tmp_path_factory.mktemp("nginxlint-cache")))
        yield
