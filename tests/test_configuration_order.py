"""What depends on the order nginx reads a configuration in, kept as it
was when files were read eagerly and verdicts came in one pass (a second
review of the incremental lint and the lazy include reading found each):

- a finding whose one cause applies to several servers is told of the first
  of them in configuration order, an http server before a stream one after it;
- an include's targets are opened in its order: a file that cannot be read is
  INC001 at the first include that names it, and the first link to a file is
  the one its findings name, even when an earlier target includes it too;
- a path written with a leading "//" is shown relative like any other;
- a line that fails for a block written in an http block and for one inside
  it is told of the inner one first, whether or not other units were reused.
"""
from __future__ import annotations

import os

from nginxlint.commands.check import CheckOptions, lint_paths, prepare
from nginxlint.policy.engine import Memo
from nginxlint.reading.loader import display_path, load

from .conftest import run_cli_here


def _lint(paths: list[str], memo: Memo | None = None):
    options = CheckOptions()
    return lint_paths(paths, options, prepare(options), memo=memo)[1].findings


def test_a_cause_shared_by_an_http_and_a_stream_server_is_told_of_the_http_one_first(tmp_path):
    (tmp_path / "tls.conf").write_text("ssl_protocols SSLv3 TLSv1.2;\n")
    certificate = "ssl_certificate /etc/ssl/a.pem; ssl_certificate_key /etc/ssl/a.key;"
    (tmp_path / "nginx.conf").write_text(
        f"events {{}}\nhttp {{\n    server {{ listen 443 ssl; server_name web.example; {certificate} include tls.conf; }}\n}}\n"
        f"stream {{\n    server {{ listen 8443 ssl; {certificate} include tls.conf; proxy_pass 127.0.0.1:9000; }}\n}}\n")
    memo = Memo(None)
    for run in (None, memo, Memo(memo.kept)):  # from scratch, keeping, reusing
        (finding,) = [f for f in _lint([str(tmp_path / "nginx.conf")], run) if f.rule == "TLS001"]
        assert finding.message.startswith("web.example enables SSLv3"), finding.message


def test_an_unreadable_file_is_told_at_the_first_include_that_names_it(tmp_path):
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
    (tmp_path / "conf.d" / "a.conf").write_text(f"server {{\n    listen 80;\n    include {tmp_path}/conf.d/b.conf;\n}}\n")
    os.mkfifo(tmp_path / "conf.d" / "b.conf")
    config = load([str(tmp_path / "nginx.conf")])
    (problem,) = [p for p in config.problems if p.rule == "INC001"]
    assert (os.path.basename(problem.file), problem.line) == ("nginx.conf", 3)


def test_the_first_link_to_a_file_in_include_order_is_the_one_named(tmp_path):
    for folder in ("conf.d", "links"):
        (tmp_path / folder).mkdir()
    (tmp_path / "x.conf").write_text("server {\n    listen 80;\n}\n")
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
    (tmp_path / "conf.d" / "a.conf").write_text("include links/m.conf;\n")
    (tmp_path / "conf.d" / "z.conf").symlink_to(tmp_path / "x.conf")
    (tmp_path / "links" / "m.conf").symlink_to(tmp_path / "x.conf")
    config = load([str(tmp_path / "nginx.conf")])
    assert [os.path.basename(os.path.dirname(link)) for link in config.links.values()] == ["conf.d"]


def test_a_leading_double_slash_is_shown_relative_too(tmp_path, monkeypatch):
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    server { listen 80; }\n}\n")
    monkeypatch.chdir(tmp_path)
    assert display_path("/" + str(tmp_path / "nginx.conf")) == "nginx.conf"
    code, out, _ = run_cli_here(["check", "--no-cache", "--format", "json", "/" + str(tmp_path / "nginx.conf")], cwd=tmp_path)
    assert '"file": "//' not in out


VERSION_EVERYWHERE = """\
pack: custom
rules:
  - id: CUS001
    name: http-version-everywhere
    severity: warning
    summary: every server and location proxies with HTTP/1.1
    message: "at [{location}] proxy_http_version is {actual}"
    select: {directive: [server, location]}
    assert: {directive: proxy_http_version, eq: "1.1"}
"""


def test_a_line_failing_for_a_server_and_its_location_is_told_in_one_order_by_every_run(tmp_path):
    """A server written in an http block is judged, as a statement directly
    in it, after the blocks inside it: its location's fact comes first in
    the joined message, in a run from scratch as in one that reuses other
    servers' verdicts (a review found the two orders apart)."""
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "policy.yaml").write_text(VERSION_EVERYWHERE)
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
    (tmp_path / "conf.d" / "a.conf").write_text("server { listen 80; proxy_http_version 1.0; location / { proxy_pass http://a; } }\n")
    (tmp_path / "conf.d" / "b.conf").write_text("server { listen 81; location / { proxy_pass http://b; } }\n")
    options = CheckOptions(policies=[str(tmp_path / "policy.yaml")])
    paths, memo = [str(tmp_path / "nginx.conf")], Memo(None)
    for run in (None, memo, "edit", Memo(memo.kept)):  # from scratch, keeping, b.conf edited, reusing a.conf's verdicts
        if run == "edit":
            (tmp_path / "conf.d" / "b.conf").write_text("server { listen 82; location / { proxy_pass http://b; } }\n")
            continue
        (finding,) = [f for f in lint_paths(paths, options, prepare(options), memo=run)[1].findings
                      if f.rule == "CUS001" and f.file.endswith("a.conf")]
        assert finding.message == "at [/] proxy_http_version is 1.0; at [] proxy_http_version is 1.0", finding.message
