"""Real ``nginx -t`` over sample_configs/: the good samples pass, the broken ones fail.

nginx is the judge of what the samples claim to be. Each test copies a sample
into tmp_path and rewrites what belongs to the reference host: absolute paths
(certificates, logs, /etc/nginx, the pid file) point into the copy, and
ports 80/443 become unprivileged stand-ins, because ``nginx -t`` binds its
listen sockets and creates the pid file even when only testing. So the run
needs no root, no real certificate, and touches nothing outside tmp_path.

Without nginx the tests skip locally; under CI (``CI=true``) they fail.
Debian's nginx 1.22 is the reference.
"""

import re
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare

from .conftest import require_tool

SAMPLES = Path(__file__).resolve().parent.parent / "sample_configs"
TREE = SAMPLES / "tree" / "etc" / "nginx"
BROKEN = SAMPLES / "broken"

# Sites-enabled style fragments (http context), checked inside a wrapper.
FRAGMENTS = [
    SAMPLES / "gmai.sa",
    SAMPLES / "gmai.sa.backup",
    SAMPLES / "gmai.sa.regex-steal",
    TREE / "sites-available" / "default-disabled",
]

# Each broken sample: the line nginx blames in it, and part of its message.
# An include cycle ends in whichever file of the pair runs out of descriptors
# (both include the other on line 3), so no line is pinned for those.
EXPECTED_REJECTIONS = {
    "include-cycle-a.conf": (None, "(24: Too many open files)"),
    "include-cycle-b.conf": (None, "(24: Too many open files)"),
    "location-at-top-level.conf": (14, '"location" directive is not allowed here'),
    "missing-include.conf": (10, "(2: No such file or directory)"),
    "unbalanced-extra-brace.conf": (15, 'unexpected "}"'),
    "unbalanced-missing-brace.conf": (14, 'unexpected end of file, expecting "}"'),
    "unknown-directive-context.conf": (11, '"proxy_set_header" directive is not allowed here'),
    "unterminated-quote.conf": (9, 'unexpected end of file, expecting ";" or "}"'),
}

# The one warning a good sample may draw: nginx.conf says "user www-data",
# which nginx ignores when the test does not run as root.
EXPECTED_WARNING = '"user" directive makes sense only if the master process runs with super-user privileges'

# nginx -t tolerates a port already in use, so fixed stand-ins are fine.
SANDBOX_PORTS = {"80": "18080", "443": "18443"}
LISTEN_PORT = re.compile(r"(\blisten\s+(?:\[::\]:)?)(80|443)\b")

# nginx has no include-cycle guard: it opens files until it runs out of
# descriptors. A modest limit makes that quick and predictable (with a huge
# limit it could exhaust the stack first).
MAX_OPEN_FILES = 256




@pytest.fixture(scope="session")
def nginx():
    return require_tool("nginx", "the sample configs cannot be checked with real nginx", "/usr/sbin/nginx")


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    """A throwaway self-signed certificate for both names, as Let's Encrypt lays it out."""
    directory = tmp_path_factory.mktemp("certs")
    subprocess.run(
        [
            require_tool("openssl", "the sample configs cannot be checked with real nginx"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-days", "2", "-subj", "/CN=gmai.sa",
            "-addext", "subjectAltName=DNS:dev.gmai.sa,DNS:api.gmai.sa",
            "-keyout", str(directory / "privkey.pem"),
            "-out", str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return directory


def _stage(sample, tmp_path, certs):
    """Copy a sample file or directory into tmp_path/conf with host paths and ports rewritten.

    Returns the copied directory; symlinks (sites-enabled/) are kept as links.
    """
    conf = tmp_path / "conf"
    if sample.is_dir():
        shutil.copytree(sample, conf, symlinks=True)
    else:
        conf.mkdir()
        shutil.copy(sample, conf)
    (tmp_path / "logs").mkdir()
    host_paths = {
        "/etc/letsencrypt/live/gmai.sa": certs,
        "/var/log/nginx": tmp_path / "logs",
        "/etc/nginx": conf,
        "/run/nginx.pid": tmp_path / "nginx.pid",
    }
    for path in conf.rglob("*"):
        if path.is_file() and not path.is_symlink():
            text = path.read_text()
            for host_path, local in host_paths.items():
                text = text.replace(host_path, str(local))
            path.write_text(LISTEN_PORT.sub(lambda m: m[1] + SANDBOX_PORTS[m[2]], text))
    return conf


def _temp_paths(tmp_path):
    """http-level lines that keep nginx -t from creating its compiled-in /var/lib/nginx/* directories."""
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    return "".join(f"{kind}_temp_path {tmp_path / (kind + '_temp')};\n" for kind in kinds)


def _wrap(fragment, tmp_path):
    """A main config beside the fragment that includes it in http context.

    nginx resolves relative includes against the main config's directory, so
    the fragment's siblings are reachable by relative path.
    """
    main = fragment.parent / "nginx-test-main.conf"
    main.write_text(
        # nginx -t creates the pid file even when only testing, and opens the
        # compiled-in /var/log/nginx/access.log for servers without access_log.
        f"pid {tmp_path / 'nginx.pid'};\n"
        f"events {{}}\n"
        f"http {{\n{_temp_paths(tmp_path)}access_log {tmp_path / 'logs' / 'access.log'};\ninclude {fragment};\n}}\n"
    )
    return main


def _limit_open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = min(MAX_OPEN_FILES, soft) if soft != resource.RLIM_INFINITY else MAX_OPEN_FILES
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def _nginx_t(nginx, main, tmp_path):
    """Run ``nginx -t`` on main with everything under tmp_path; return the completed process."""
    return subprocess.run(
        [nginx, "-t", "-p", f"{tmp_path}/", "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_open_files,
    )


def _assert_clean_pass(result):
    assert result.returncode == 0, f"nginx -t rejected it:\n{result.stderr}"
    warnings = [line for line in result.stderr.splitlines() if "[warn]" in line and EXPECTED_WARNING not in line]
    assert not warnings, f"nginx -t passed with warnings:\n{result.stderr}"


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_fragment_passes_nginx_t(fragment, nginx, certs, tmp_path):
    conf = _stage(fragment, tmp_path, certs)
    _assert_clean_pass(_nginx_t(nginx, _wrap(conf / fragment.name, tmp_path), tmp_path))


def test_tree_passes_nginx_t(nginx, certs, tmp_path):
    conf = _stage(TREE, tmp_path, certs)
    # nginx.conf includes conf.d/*.conf at http level: the natural place for test-only lines.
    (conf / "conf.d" / "zz-nginx-test.conf").write_text(_temp_paths(tmp_path))
    _assert_clean_pass(_nginx_t(nginx, conf / "nginx.conf", tmp_path))


def test_every_broken_sample_has_an_expected_rejection():
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED_REJECTIONS)


@pytest.mark.parametrize("name", sorted(EXPECTED_REJECTIONS))
def test_broken_sample_is_rejected_by_nginx_t(name, nginx, certs, tmp_path):
    conf = _stage(BROKEN, tmp_path, certs)
    result = _nginx_t(nginx, _wrap(conf / name, tmp_path), tmp_path)
    assert result.returncode != 0, f"nginx -t accepted {name}:\n{result.stderr}"
    line, message = EXPECTED_REJECTIONS[name]
    assert message in result.stderr, result.stderr
    if line is not None:
        assert f"/{name}:{line}\n" in result.stderr, result.stderr


# -- the linter's own nginx -t emulation agrees with nginx ------------------------

RULE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
REJECTION_RULES = ("SYN002", "SYN003", "SYN004", "SYN005", "SYN007")  # findings that claim "nginx -t fails here"
FIXTURE_CERTS = {"/etc/ssl/gmai.pem": "fullchain.pem", "/etc/ssl/gmai.key": "privkey.pem"}
PLAIN_PASS_FIXTURES = ("HDR001", "NLS001", "NLS002", "SYN001", "SYN002", "SYN003", "SYN004", "SYN005", "SYN007", "WS003", "WS007")


@pytest.mark.parametrize("rule", PLAIN_PASS_FIXTURES)
def test_passing_rule_fixture_is_valid_nginx(rule, nginx, certs, tmp_path):
    conf = _stage(RULE_FIXTURES / rule / "pass.conf", tmp_path, certs)
    staged = conf / "pass.conf"
    text = staged.read_text()
    for host_path, name in FIXTURE_CERTS.items():
        text = text.replace(host_path, str(certs / name))
    staged.write_text(text)
    _assert_clean_pass(_nginx_t(nginx, _wrap(conf / "pass.conf", tmp_path), tmp_path))


@pytest.mark.parametrize("rule", REJECTION_RULES)
def test_nginx_rejects_the_first_line_the_linter_rejects(rule, nginx, certs, tmp_path):
    """nginx stops at its first error: it must be the linter's first finding, same line."""
    conf = _stage(RULE_FIXTURES / rule / "fail.conf", tmp_path, certs)
    options = CheckOptions()
    first = check([str(conf / "fail.conf")], options, prepare(options)).findings[0]
    result = _nginx_t(nginx, _wrap(conf / "fail.conf", tmp_path), tmp_path)
    assert result.returncode != 0, result.stderr
    assert f"/fail.conf:{first.line}\n" in result.stderr, (first, result.stderr)
