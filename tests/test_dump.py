"""`check --dump`: the output of a real `nginx -T` linted as the tree it came from.

The sample tree is staged as tests/test_samples_nginx.py stages it (host
paths and ports into tmp_path, throwaway certificates), a site with findings
is added, and real nginx prints the dump. Linting the dump must give the
same (rule, file, line) as linting the staged tree itself.
"""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from nginxlint.reading.dump import DumpProbe, split

from .conftest import REPO, run_cli_here
from .test_samples_nginx import TREE, _stage, _temp_paths, certs, nginx  # noqa: F401 - fixtures

PACKS = ("--pack", "websocket-streaming", "--pack", "hardening")
LEGACY = """\
server {
    listen 18081;
    server_name legacy.example;
    include snippets/legacy-status.conf;
    location /img {
        alias /srv/legacy/img/;
    }
    location /ws/ {
        proxy_pass http://127.0.0.1:9000;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout 30s;
    }
}"""  # no newline at the end: the dump must give the file back byte for byte
STATUS = "location = /status {\n    stub_status;\n}\n"


@pytest.fixture
def dumped(nginx, certs, tmp_path):  # noqa: F811 - fixtures imported above
    """(staged conf folder, the text nginx -T printed for it)."""
    conf = _stage(TREE, tmp_path, certs)
    (conf / "conf.d" / "zz-nginx-test.conf").write_text(_temp_paths(tmp_path))
    (conf / "sites-available" / "legacy").write_text(LEGACY)
    (conf / "snippets" / "legacy-status.conf").write_text(STATUS)
    os.symlink("../sites-available/legacy", conf / "sites-enabled" / "legacy")
    run = subprocess.run([nginx, "-T", "-p", f"{tmp_path}/", "-c", str(conf / "nginx.conf"), "-e", str(tmp_path / "error.log")],
                         capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr.decode()
    return conf, run.stdout


def _findings(args, stdin=b""):
    code, out, err = run_cli_here(["check", "--format", "json", "--no-cache", *PACKS, *args], REPO, stdin)
    assert code in (0, 1), err
    return json.loads(out)


def _real(findings):
    """(rule, file, line), the file by its real path: a dump names a file by
    the path nginx opened (sites-enabled/legacy), the tree may name a
    symlink's target; both are the same file."""
    return sorted((f["rule"], os.path.realpath(f["file"]), f["line"]) for f in findings)


def test_a_real_dump_gives_the_findings_of_the_tree(dumped):
    conf, dump = dumped
    (conf.parent / "dump.txt").write_bytes(dump)
    tree = _findings([str(conf / "nginx.conf")])
    from_dump = _findings(["--dump", str(conf.parent / "dump.txt")])
    assert {f["rule"] for f in tree["findings"]} >= {"SEC001", "WS008"}, tree["findings"]
    assert _real(from_dump["findings"]) == _real(tree["findings"])
    assert from_dump["summary"]["files"] == tree["summary"]["files"]
    assert _findings(["--dump", "-"], stdin=dump) == from_dump


def test_the_dump_is_split_into_the_files_byte_for_byte(dumped):
    conf, dump = dumped
    files = split(dump, "dump")
    assert next(iter(files)) == str(conf / "nginx.conf")  # the main config first
    for path, data in files.items():
        assert data == open(path, "rb").read(), path  # noqa: SIM115 - a one-line read
    assert files[str(conf / "sites-enabled" / "legacy")] == LEGACY.encode()


def test_findings_name_the_dumps_paths_and_nothing_on_this_machine_is_read(dumped, tmp_path):
    """A live host's dump names /etc/nginx/…: those are the findings' paths,
    and this machine's own /etc/nginx (CI installs nginx) is never read."""
    conf, dump = dumped
    host_dump = dump.replace(str(conf).encode(), b"/etc/nginx")
    (tmp_path / "host.txt").write_bytes(host_dump)
    (tmp_path / "staged.txt").write_bytes(dump)
    from_host = _findings(["--dump", str(tmp_path / "host.txt")])["findings"]
    from_staged = _findings(["--dump", str(tmp_path / "staged.txt")])["findings"]
    assert from_host and all(f["file"].startswith("/etc/nginx/") for f in from_host)
    assert [(f["rule"], f["file"], f["line"], f["message"]) for f in from_host] == [
        (f["rule"], f["file"].replace(str(conf), "/etc/nginx"), f["line"], f["message"].replace(str(conf), "/etc/nginx"))
        for f in from_staged]
    probe = DumpProbe(split(host_dump, "host.txt"))
    assert probe.glob("/etc/nginx/sites-enabled/*") == ("/etc/nginx/sites-enabled/gmai.sa", "/etc/nginx/sites-enabled/legacy")
    assert probe.kind("/etc/nginx/koi-utf") != "regular file"  # on the host, not in the dump


@pytest.mark.parametrize("text", [b"", b"events {}\nhttp {}\n", b"nginx: [emerg] unknown directive\n"])
def test_a_malformed_dump_is_one_error_line(text, tmp_path):
    (tmp_path / "dump.txt").write_bytes(text)
    code, out, err = run_cli_here(["check", "--dump", "dump.txt"], tmp_path)
    assert (code, out) == (2, "")
    assert err == "nginxlint: error: dump.txt: not an nginx -T dump: no '# configuration file PATH:' line\n"


def test_dump_takes_no_path(tmp_path):
    code, _, err = run_cli_here(["check", "--dump", "dump.txt", "site.conf"], tmp_path)
    assert code == 2 and "--dump reads every file from the dump" in err
