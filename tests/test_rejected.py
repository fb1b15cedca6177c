"""A statement nginx rejects gets the rejection only, not what other rules
make of its merged text (nginxlint/findings/rejected.py)."""
from __future__ import annotations

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.findings import rejected
from nginxlint.findings.records import Finding, Related

MISSING_SEMICOLON = """\
server {
    listen 80;
    location /check/ {
        proxy_pass http://$arg_server/check
        proxy_set_header Host $host;
    }
    location /fetch/ {
        proxy_pass http://$arg_server;
    }
}
"""


def test_a_merged_statement_gets_only_the_rejection(tmp_path):
    conf = tmp_path / "site.conf"
    conf.write_text(MISSING_SEMICOLON)
    options = CheckOptions()
    findings = check([str(conf)], options, prepare(options)).findings
    # SEC002 used to judge the merged text "http://$arg_server/check proxy_set_header Host $host" too;
    # the rejection is where nginx names it, the ";" of the merged statement, and names where it began
    at_merged = [(f.rule, f.line, f.message, [r.line for r in f.related]) for f in findings if f.line in (4, 5)]
    assert at_merged == [("SYN002", 5, 'invalid number of arguments in "proxy_pass" directive ("proxy_pass" begins on line 4; '
                                       'a missing ";" there joins two statements?)', [4])]
    assert ("SEC002", 8) in {(f.rule, f.line) for f in findings}  # a statement nginx accepts is still judged


def test_only_the_rejected_line_of_that_file_is_silenced():
    def finding(rule: str, file: str, line: int) -> Finding:
        return Finding(rule, "name", "error", "message", file, line)

    findings = [finding("SYN002", "a.conf", 4), finding("SEC002", "a.conf", 4), finding("SEC002", "a.conf", 5),
                finding("SEC002", "b.conf", 4), finding("SYN003", "b.conf", 9), finding("SYN002", "b.conf", 9)]
    assert rejected.apply(findings) == [findings[0], findings[2], findings[3], findings[4], findings[5]]


def test_a_syntax_error_stays_beside_a_rejection_on_its_line():
    """`listen {{PORT}} default;`: `listen {` opens a block nginx refuses, then the second "{" is unexpected."""
    findings = [Finding("SYN002", "name", "error", 'directive "listen" is not terminated by ";"', "t.conf", 3),
                Finding("SYN001", "name", "error", 'unexpected "{"', "t.conf", 3)]
    assert rejected.apply(findings) == findings


def test_the_first_line_of_a_rejected_statement_is_silenced_too():
    """A rejection over several lines is at its last; other rules report at its first."""
    begins = Related("a.conf", 4, '"proxy_pass" begins on line 4')
    findings = [Finding("SYN002", "name", "error", "message", "a.conf", 5, related=(begins,)),
                Finding("SEC002", "name", "error", "message", "a.conf", 4), Finding("SEC002", "name", "error", "message", "a.conf", 6)]
    assert rejected.apply(findings) == [findings[0], findings[2]]


def test_a_regex_nginx_cannot_compile_is_the_one_finding_at_its_line(tmp_path):
    """WS001 would judge the location's WebSocket setup; nginx never builds
    the location: its regex does not compile (SYN007)."""
    conf = tmp_path / "site.conf"
    conf.write_text("server {\n    listen 80;\n    location ~ ^/ws( {\n        proxy_pass http://127.0.0.1:8000;\n"
                    "        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n"
                    "    }\n}\n")
    options = CheckOptions()
    findings = check([str(conf)], options, prepare(options)).findings
    assert [(f.rule, f.line) for f in findings] == [("SYN007", 3)]
