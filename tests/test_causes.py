"""One finding per cause (issue 12): Failures of one rule that point at one
line are one finding, the blocks it applies to in `related`; a server that
lacks what its http block could set is one finding at the http block."""
from __future__ import annotations

from nginxlint.findings.selection import Selection

EVERY_PACK = Selection((), ())

INHERITED = """\
    server {
        listen 80;
        server_name a.example;
        proxy_http_version 1.0;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        location /ws/ { proxy_pass http://127.0.0.1:8080; }
        location /socket.io/ { proxy_pass http://127.0.0.1:8081; }
        location /cable { proxy_pass http://127.0.0.1:8082; }
    }
"""


def test_a_server_level_line_inherited_by_three_locations_is_one_finding_at_that_line(lint_files):
    result = lint_files({"site.conf": INHERITED}, selection=Selection(("WS001",), ()))
    [finding] = result.findings
    assert (finding.rule, finding.line, finding.server, finding.location) == ("WS001", 4, "a.example", None)
    assert finding.message.endswith("(also 2 other locations)")
    assert [(r.line, r.message) for r in finding.affected] == [
        (7, "applies to location /ws/ (server a.example)"),
        (8, "applies to location /socket.io/ (server a.example)"),
        (9, "applies to location /cable (server a.example)")]


def test_a_location_of_its_own_keeps_its_own_finding_and_no_affected_list(lint_files):
    text = INHERITED.replace("location /cable { proxy_pass", "location /cable { proxy_http_version 1.0; proxy_pass")
    result = lint_files({"site.conf": text}, selection=Selection(("WS001",), ()))
    assert [(f.line, f.location, len(f.affected)) for f in result.findings] == [(4, None, 2), (9, "/cable", 0)]


def test_a_missing_http_level_line_is_one_finding_at_the_http_block(lint_files):
    text = """\
        events {}
        http {
            server { listen 80; server_name a.example; }
            server { listen 81; server_name b.example; server_tokens off; }
            server { listen 82; server_name c.example; }
        }
    """
    result = lint_files({"nginx.conf": text}, selection=Selection(("SEC021",), ()))
    [finding] = result.findings
    assert (finding.line, finding.server, finding.location) == (2, None, None)
    assert finding.message.startswith("a.example leaves server_tokens") and finding.message.endswith("(also 1 other server)")
    assert [(r.line, r.message) for r in finding.affected] == [(3, "applies to server a.example"), (5, "applies to server c.example")]


def test_a_server_with_its_own_lines_of_the_directive_is_judged_where_it_stands(lint_files):
    """HSTS added at http would not reach a server with add_header lines of its own."""
    text = """\
        events {}
        http {
            server_tokens off;
            server { listen 443 ssl; server_name a.example; ssl_certificate a.pem; ssl_certificate_key a.key;
                     add_header X-Frame-Options DENY; }
        }
    """
    result = lint_files({"nginx.conf": text}, selection=Selection(("TLS004",), ()))
    assert [(f.rule, f.line, f.server) for f in result.findings] == [("TLS004", 4, "a.example")]
    result = lint_files({"nginx.conf": text.replace(" add_header X-Frame-Options DENY;", "")}, selection=Selection(("TLS004",), ()))
    assert [(f.rule, f.line, f.server) for f in result.findings] == [("TLS004", 2, "a.example")]


def test_several_facts_about_one_line_are_one_finding_with_every_fact(lint_files):
    text = """\
        server {
            listen 80;
            server_name api.example.com;
            if ($http_origin ~* "example.com") {
                set $cors_origin $http_origin;
            }
            location / { return 204; }
        }
    """
    result = lint_files({"site.conf": text}, selection=Selection(("SEC007",), ()))
    [finding] = result.findings
    assert finding.line == 4 and finding.affected == ()
    assert finding.message == ("if ($http_origin ~* example.com): the regex is not anchored with ^, so any origin containing it matches; "
                               "the regex is not anchored with $, so example.com.evil.net matches; "
                               "an unescaped dot matches any character (wwwXexample.com)")


def test_no_rule_reports_one_line_twice(lint_files):
    result = lint_files({"site.conf": INHERITED}, selection=EVERY_PACK)
    places = [(f.rule, f.file, f.line) for f in result.findings]
    assert len(places) == len(set(places))


def test_a_cached_run_keeps_the_affected_blocks(tmp_path, monkeypatch):
    from nginxlint.commands.check import CheckOptions, check, prepare
    from nginxlint.commands.result_cache import check_cached
    from nginxlint.report import FORMATS

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NGINXLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "site.conf").write_text(INHERITED.replace("    ", "", 1))
    options = CheckOptions(selection=Selection(("WS001",), ()))
    cold, warm = (check_cached(["site.conf"], options, lambda: prepare(options), "json") for _ in range(2))
    assert warm == cold
    # A hit in a format the entry has no report in is rendered from its
    # stored findings: the text report counts the affected blocks.
    text = check_cached(["site.conf"], options, lambda: prepare(options), "text").report
    result = check(["site.conf"], options, prepare(options))
    assert len(result.findings[0].affected) == 3 and text == FORMATS["text"](result)
