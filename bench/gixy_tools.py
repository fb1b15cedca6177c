"""gixy-ng and gixy-next, each in a throwaway venv of its own.

They can never share an environment with nginxlint or with each other: both
ship a top-level `gixy` package, and gixy-ng depends on `ngxparse`, which
installs its own `crossplane` package (a fork, version 0.5.16) over the real
one that nginxlint uses. So each gets its own venv under a cache folder,
named by package and version, made once and reused while the pinned version
is what it holds.

Versions are pinned so two benchmark runs compare the same tools; they are
the newest on PyPI when this was written (`pip index versions gixy-ng`).

How they are invoked, found by reading their CLIs (both 'gixy --help'):
`TOOL -f json nginx.conf` reads the whole tree, following includes itself;
JSON output keeps the console formatter's colours and text out of the timing.
Exit codes: gixy-ng 0 no findings, 1 findings *or* a configuration error;
gixy-next 0, 1 findings, 2 unparsable config, 3 internal error, 4 usage.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_VENV_DIR = Path(tempfile.gettempdir()) / "nginxlint-gixy-venvs"


@dataclass(frozen=True)
class GixyTool:
    """A gixy fork: PyPI name (also our label), pinned version, CLI name."""

    name: str
    version: str
    script: str


GIXY_TOOLS = (
    GixyTool("gixy-ng", "0.2.59", "gixy"),
    GixyTool("gixy-next", "0.9.0", "gixy-next"),
)


def _installed_version(python, name):
    """Version of `name` in the venv of `python`, None if absent or broken."""
    code = f"import importlib.metadata as m; print(m.version({name!r}))"
    proc = subprocess.run([str(python), "-c", code], capture_output=True,
                          text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def ensure_venv(tool, venv_dir, log=print):
    """Path of the tool's CLI, creating its venv first when needed.

    A venv whose package version is not the pinned one (or that an
    interrupted install left half-made) is removed and made again.
    """
    venv = venv_dir / f"{tool.name}-{tool.version}"
    python = venv / "bin" / "python"
    script = venv / "bin" / tool.script
    if script.exists() and _installed_version(python, tool.name) == tool.version:
        return script
    log(f"installing {tool.name}=={tool.version} into {venv}")
    shutil.rmtree(venv, ignore_errors=True)
    for step in ([sys.executable, "-m", "venv", str(venv)],
                 [str(python), "-m", "pip", "install", "--quiet",
                  f"{tool.name}=={tool.version}"]):
        # Captured: pip's warnings about this machine's index setup are noise
        # unless the step fails.
        proc = subprocess.run(step, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(step)} failed:\n{proc.stdout}{proc.stderr}")
    if _installed_version(python, tool.name) != tool.version:
        sys.exit(f"{tool.name}=={tool.version} did not install into {venv}")
    return script


def gixy_argv(script, conf):
    """The timed command: whole tree, JSON report on stdout."""
    return (str(script), "-f", "json", str(conf))


def check_gixy_reads_all(tool, script, conf, n_sites):
    """Warm-up run that proves the tool analysed the whole tree.

    gixy-ng drops a file its parser cannot read without saying so (its
    crossplane fork collects the error and gixy-ng never looks), so a zero
    exit code proves nothing. Two things must hold instead: the debug log
    (-d, on stderr) names every one of the n_sites + 1 files as parsed, and
    some finding's pseudo-config lists all 2 * n_sites servers, which both
    tools print for server-wide findings (missing server_tokens off, ...).
    Returns the number of findings.
    """
    proc = subprocess.run([*gixy_argv(script, conf), "-d"],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"{tool.name} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    parsed = proc.stderr.count("Parse file:")
    if parsed != n_sites + 1:
        sys.exit(f"{tool.name} parsed {parsed} files, expected {n_sites + 1}")
    findings = json.loads(proc.stdout)
    servers = max((f["config"].count("server_name") for f in findings),
                  default=0)
    if servers != 2 * n_sites:
        sys.exit(f"{tool.name}'s widest finding covers {servers} servers, "
                 f"expected {2 * n_sites}")
    return len(findings)
