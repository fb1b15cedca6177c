"""`--output FILE` is written atomically (README: "a reader never sees half a
report"): interrupted at any moment, FILE holds the old report or the whole
new one, and an interrupted run leaves no temporary file behind.

The runs are real subprocesses on a 300-site tree, long enough to be
interrupted midway, each started in its own session so that the test can
clean up every process it started, whatever nginxlint leaves running.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nginxlint import cli_inputs

from .conftest import REPO

SITES = 300
OLD = '{"old report": true}\n'

SITE = """\
map $http_upgrade $connection_upgrade_{i} {{
    default upgrade;
    ''      close;
}}
server {{
    listen 443 ssl;
    server_name site{i}.example.test;
    ssl_certificate     /etc/ssl/site{i}.pem;
    ssl_certificate_key /etc/ssl/site{i}.key;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    location / {{
        proxy_pass http://127.0.0.1:{port};
    }}
    location /ws/ {{
        proxy_pass http://127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade_{i};
    }}
    location /api/v1/ws/streaming-voice {{
        proxy_pass http://127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout 60s;
    }}
}}
"""


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("atomic")
    sites = root / "sites-enabled"
    sites.mkdir()
    for i in range(SITES):
        (sites / f"site{i:03d}.conf").write_text(SITE.format(i=i, port=8000 + i))
    (root / "out").mkdir()
    return root


def _start(root: Path, output: Path, **popen) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    env.pop("NGINXLINT_DEBUG", None)
    # Output to files, not pipes: a pipe held open by a leftover process
    # would hang the test instead of failing it.
    # --no-cache: every run must parse, not reuse the last run's result.
    # Ctrl-C as a terminal delivers it: a pytest run as a background job
    # ignores SIGINT, and an ignored signal stays ignored across exec.
    return subprocess.Popen([sys.executable, "-m", "nginxlint", "check", "sites-enabled", "--format", "json",
                             "--no-cache", "--output", str(output)], cwd=root, env=env, start_new_session=True,
                            stdin=subprocess.DEVNULL, preexec_fn=_default_sigint, **popen)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _group_alive(pgid: int) -> list[int]:
    """Pids still in the process group of a run (anything it left running)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def _reap(proc: subprocess.Popen, timeout: float = 20) -> list[int]:
    """Wait for the run; then kill whatever of its process group is left (only
    processes this test started) and return their pids."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:  # hung: the caller sees it in returncode -9
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 1.0
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _group_alive(proc.pid)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
    return left


def _is_old_or_complete(text: str) -> str:
    """'old' or 'new'; fails on anything else (half a report, empty)."""
    if text == OLD:
        return "old"
    doc = json.loads(text)  # a torn write fails here
    assert doc["version"] == 1 and doc["summary"]["files"] == SITES, doc["summary"]
    assert len(doc["findings"]) == doc["summary"]["findings"] > 0
    return "new"


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".nginxlint-"))


def _snapshot(folder: Path) -> dict:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def full_run(big_tree) -> float:
    """One uninterrupted run: its duration, to spread the interruptions over."""
    output = big_tree / "out" / "report.json"
    output.write_text(OLD)
    before = _snapshot(big_tree / "sites-enabled")
    start = time.monotonic()
    proc = _start(big_tree, output, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _reap(proc) == []
    seconds = time.monotonic() - start
    assert proc.returncode == 1  # every site has WebSocket findings
    assert _is_old_or_complete(output.read_text()) == "new"
    assert _temporaries(output.parent) == []
    assert _snapshot(big_tree / "sites-enabled") == before  # input bytes and mtimes untouched
    return seconds


@pytest.mark.slow  # interrupts whole runs over a large tree at several moments
def test_interrupted_runs_leave_the_old_or_the_whole_report(big_tree, full_run):
    """10 runs, alternately Ctrl-C (SIGINT to the process group) and
    `kill -9` (SIGKILL to nginxlint itself), each at a random moment of its
    own tenth of the runtime (fixed seed: reproducible)."""
    rng = random.Random(6)
    output = big_tree / "out" / "report.json"
    seen, leftovers = [], []
    for trial in range(10):
        sig = signal.SIGINT if trial % 2 == 0 else signal.SIGKILL
        output.write_text(OLD)
        delay = full_run * 1.05 * (trial + rng.random()) / 10
        proc = _start(big_tree, output, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        try:
            if sig == signal.SIGINT:
                os.killpg(proc.pid, sig)
            else:
                os.kill(proc.pid, sig)
        except ProcessLookupError:  # it had finished already
            pass
        left = _reap(proc)
        state = _is_old_or_complete(output.read_text())
        seen.append((sig.name, round(delay, 2), proc.returncode, state))
        temporaries = _temporaries(output.parent)
        if sig == signal.SIGINT:
            assert temporaries == [], (seen[-1], temporaries)
            assert proc.returncode != 0, seen[-1]  # an interrupted run never claims success
        else:  # nothing can clean up after kill -9: a temporary file may remain
            leftovers.append((seen[-1], temporaries, left))
            for name in temporaries:
                (output.parent / name).unlink()
    print("trials:", seen, "after SIGKILL:", leftovers)
    assert sum(state == "old" for *_, state in seen) >= 5, f"the runs were not interrupted: {seen}"


@pytest.fixture(scope="module")
def cpu_marks(big_tree, full_run) -> tuple[float, float]:
    """CPU seconds of nginxlint's imports alone and of a whole run: how far
    a run has got, measured in the work it did, which a loaded machine
    stretches less than wall time."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    before = _children_cpu()
    subprocess.run([sys.executable, "-c", "import nginxlint.cli"], env=env, check=True, timeout=60)
    imports = _children_cpu() - before
    output = big_tree / "out" / "report.json"
    before = _children_cpu()
    _reap(_start(big_tree, output, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return imports, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a running process; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Ctrl-C at several moments of a run: after its imports (Python itself
# reports a Ctrl-C during them) at fractions of the rest of the work,
# through reading, linting and writing the report.
@pytest.mark.parametrize("moment", [0.0, 0.1, 0.2, 0.3, 0.4, 0.6])
def test_sigint_exit_code(big_tree, tmp_path, cpu_marks, moment):
    imports, whole = cpu_marks
    output = big_tree / "out" / "report.json"
    output.write_text(OLD)
    with open(tmp_path / "stderr", "w+b") as err:
        proc = _start(big_tree, output, stdout=subprocess.DEVNULL, stderr=err)
        mark = imports * 1.2 + moment * max(whole - imports * 1.2, 0)
        while proc.poll() is None and (_cpu_seconds(proc.pid) or 0) < mark:
            time.sleep(0.002)
        with contextlib.suppress(ProcessLookupError):  # it had finished already
            os.killpg(proc.pid, signal.SIGINT)
        left = _reap(proc)
        err.seek(0)
        message = err.read().decode("utf-8", "replace")
    assert "Traceback" not in message, message
    assert left == [], f"still running after Ctrl-C: {left}"
    assert _temporaries(output.parent) == []
    state = _is_old_or_complete(output.read_text())
    if proc.returncode == 1 and message == "":  # the whole run ended before Ctrl-C reached it (a fast machine)
        assert state == "new"
        return
    assert proc.returncode == 130 and "nginxlint: interrupted" in message, (proc.returncode, message)


# -- cli_inputs.write_atomically, failing in the middle -------------------------------------------

@pytest.mark.parametrize("failure", ["disk-full-while-writing", "ctrl-c-before-rename"])
def test_failed_write_leaves_no_temporary(tmp_path, monkeypatch, failure):
    target = tmp_path / "report.json"
    target.write_text(OLD)
    if failure == "disk-full-while-writing":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, text):
                self.handle.write(text[:100])
                self.handle.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(cli_inputs.os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
        expected = SystemExit  # _fail: one error line, exit 2
    else:
        def interrupted(*_args):
            raise KeyboardInterrupt

        monkeypatch.setattr(cli_inputs.os, "replace", interrupted)
        expected = KeyboardInterrupt
    with pytest.raises(expected):
        cli_inputs.write_atomically(str(target), json.dumps({"version": 1}) * 1000)
    monkeypatch.undo()
    assert target.read_text() == OLD
    assert _temporaries(tmp_path) == []


def test_output_file_mode_follows_the_umask(tmp_path):
    (tmp_path / "site.conf").write_text("server {\n    listen 80;\n}\n")
    existing = tmp_path / "existing.json"
    existing.write_text(OLD)
    existing.chmod(0o644)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for output in ("new.json", "existing.json"):
        subprocess.run([sys.executable, "-m", "nginxlint", "check", "site.conf", "--format", "json",
                        "--output", output], cwd=tmp_path, env=env, check=True, timeout=60,
                       preexec_fn=lambda: os.umask(0o022))
    modes = {name: oct((tmp_path / name).stat().st_mode & 0o777) for name in ("new.json", "existing.json")}
    assert modes == {"new.json": "0o644", "existing.json": "0o644"}


def test_ctrl_c_inside_a_finalizer_ends_the_run_as_ctrl_c(tmp_path):
    """Python cannot raise a KeyboardInterrupt out of a weakref callback: it
    prints "Exception ignored in …" with a traceback and goes on. The CLI's
    hook turns it into the usual interrupted exit (this once flaked the
    SIGINT tests when Ctrl-C met a weakref callback)."""
    script = ("import sys, weakref\nfrom nginxlint import cli\nsys.unraisablehook = cli._interrupted_in_a_finalizer\n"
              "class Thing: pass\nthing = Thing()\ndef callback(ref): raise KeyboardInterrupt\n"
              "ref = weakref.ref(thing, callback)\ndel thing\nprint('carried on')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "nginxlint: interrupted\n")
