"""A statement nginx rejects gets the rejection only, not what other rules
make of its merged text (nginxlint/findings/rejected.py)."""
from __future__ import annotations

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.findings import rejected
from nginxlint.findings.records import Finding

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
    # SEC002 used to judge the merged text "http://$arg_server/check proxy_set_header Host $host" too
    at_merged = [(f.rule, f.message) for f in findings if f.line == 4]
    assert at_merged == [("SYN002", 'invalid number of arguments in "proxy_pass" directive')]
    assert ("SEC002", 8) in {(f.rule, f.line) for f in findings}  # a statement nginx accepts is still judged


def test_only_the_rejected_line_of_that_file_is_silenced():
    def finding(rule: str, file: str, line: int) -> Finding:
        return Finding(rule, "name", "error", "message", file, line)

    findings = [finding("SYN002", "a.conf", 4), finding("SEC002", "a.conf", 4), finding("SEC002", "a.conf", 5),
                finding("SEC002", "b.conf", 4), finding("SYN003", "b.conf", 9), finding("SYN002", "b.conf", 9)]
    assert rejected.apply(findings) == [findings[0], findings[2], findings[3], findings[4], findings[5]]



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
