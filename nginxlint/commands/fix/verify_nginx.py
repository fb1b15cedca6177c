"""The fixed tree judged by the real `nginx -t`, in a scratch copy.

The files the loader read are copied into a temporary folder (the fixed
ones with their new bytes), the tree's own absolute path and any `pid`
pointed into that folder, so nginx reads the copy and writes nothing
beside the originals. A fragment (a sites-enabled file) is tested inside a
main config that includes it in http, as Debian's nginx.conf does.

The machine that runs `fix` is rarely the one nginx serves from: the
certificates or log folders a config names may not exist here, and nginx -t
then fails on the original tree too. So the verdict compares: the fixed
copy must pass; or fail with exactly the error the original copy fails with
(file line numbers aside: inserted lines move them), so nginx read every
fixed line and refused none of them before the error both share; or, when
the original's error stood on a line a fix changed (a misspelt directive),
fail at a line no fix touched or at no line at all (a certificate this
machine does not have).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

TIMEOUT = 60
_PID = re.compile(rb"^(\s*)pid\s+[^;]*;", re.M)
_LINE_NUMBER = re.compile(r"(\S):\d+")
_AT = re.compile(r"\0(\S+):(\d+)")


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


Lines = dict[str, set[int]]  # real path -> line numbers


def verdict(nginx: str, files: list[str], fixed: dict[str, bytes], main: str | None, fragments: list[str],
            changed_before: Lines, changed_after: Lines) -> str | None:
    """None when nginx accepts the fixed tree as well as the original; else
    why not. `files` are the real paths read; `main` the main config, or
    `fragments` the http-level files to include; `changed_*` the lines the
    fixes changed, numbered as in the original and in the fixed files."""
    if os.path.commonpath([os.path.dirname(f) for f in files]) == os.sep:
        return ("nginx -t could not verify the fix: the files read share no folder below / to copy "
                "(a stock include or --include-path file beside the tree); use --no-nginx to apply without it")
    before = _run(nginx, files, {}, main, fragments)
    after = _run(nginx, files, fixed, main, fragments)
    if after is None:
        return None
    if before is not None and after.text == before.text:
        if _read_every_fix(after, changed_after):
            return None
        return f"nginx -t could not verify the fix: it stops before the fixed lines, on the original too: {after.text}"
    if before is not None and _on(before, changed_before) and not _on(after, changed_after):
        return None
    return f"nginx -t rejects the fixed tree: {after.text}"


@dataclass(frozen=True)
class _Failed:
    text: str  # the error, scratch paths and line numbers left out
    where: tuple[str, int] | None  # the real file and line nginx names


def _read_every_fix(failed: _Failed, changed: Lines) -> bool:
    """Whether nginx read every changed line before the error both copies
    share: the error names no line (nginx stopped after reading the whole
    configuration, e.g. a certificate this machine lacks), or a line after
    every change, in the only file changed."""
    if failed.where is None:
        return True
    file, line = failed.where
    return set(changed) <= {file} and all(line > changed_line for changed_line in changed.get(file, ()))


def _on(failed: _Failed, lines: Lines) -> bool:
    return failed.where is not None and failed.where[1] in lines.get(failed.where[0], ())


def _run(nginx: str, files: list[str], fixed: dict[str, bytes], main: str | None, fragments: list[str]) -> _Failed | None:
    """nginx -t's error on the copy, or None when it passes."""
    base = os.path.commonpath([os.path.dirname(f) for f in files])
    with tempfile.TemporaryDirectory(prefix="nginxlint-fix-") as scratch:
        tree = os.path.join(scratch, "tree")
        for file in files:
            copy = os.path.join(tree, os.path.relpath(file, base))
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            data = fixed.get(file)
            if data is None:
                with open(file, "rb") as handle:
                    data = handle.read()
            data = data.replace(base.encode() + b"/", tree.encode() + b"/")
            with open(copy, "wb") as out:
                out.write(_PID.sub(lambda m: m[1] + b"pid " + os.path.join(scratch, "nginx.pid").encode() + b";", data))
        if main is not None:
            conf = os.path.join(tree, os.path.relpath(main, base))
        else:
            conf = os.path.join(tree, "nginx-fix-main.conf")  # relative includes resolve in the copied tree
            includes = "".join(f"include {os.path.join(tree, os.path.relpath(f, base))};\n" for f in fragments)
            temp = "".join(f"{kind}_temp_path {scratch}/{kind}_temp;\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            with open(conf, "w", encoding="utf-8") as out:
                out.write(f"pid {scratch}/nginx.pid;\nevents {{}}\nhttp {{\n{temp}access_log off;\n{includes}}}\n")
        try:
            done = subprocess.run([nginx, "-t", "-q", "-p", scratch + "/", "-c", conf, "-e", os.path.join(scratch, "error.log")],
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return _Failed(f"nginx -t could not run: {exc}", None)
        if done.returncode == 0:
            return None
        errors = [line for line in done.stderr.splitlines() if "[emerg]" in line] or done.stderr.splitlines()[-1:]
        text = " ".join(errors)
        at = _AT.search(text.replace(tree + "/", "\0"))
        where = (os.path.join(base, at[1]), int(at[2])) if at else None
        return _Failed(_LINE_NUMBER.sub(r"\1", text.replace(tree + "/", "").replace(scratch + "/", "")), where)
