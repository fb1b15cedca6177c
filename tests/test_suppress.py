"""Inline suppressions remove exactly the findings they name, where they apply."""
from __future__ import annotations

from nginxlint.findings.selection import Selection

from .conftest import REPO, rule_lines

BACKUP = (REPO / "sample_configs" / "gmai.sa.backup").read_text()
SITE = "site.conf"


def _backup_lines():
    return BACKUP.splitlines(keepends=True)


def test_comment_before_a_block_covers_exactly_that_block(lint_files):
    lines = _backup_lines()
    clean = rule_lines(lint_files({SITE: BACKUP}))
    assert lines[72].strip() == "location /api/v1/ws/streaming-voice {"  # line 73
    lines.insert(72, "    # nginxlint: disable=WS008,WS009 -- the app pings every 30 s\n")
    after = rule_lines(lint_files({SITE: "".join(lines)}))
    shifted = {(r, f, n + 1 if n >= 73 else n) for r, f, n in clean}
    assert shifted - after == {("WS008", SITE, 74), ("WS009", SITE, 74)}
    assert after - shifted == set()


def test_trailing_comment_covers_its_directive_only(lint_files):
    upgrade = "proxy_set_header Upgrade           $http_upgrade;"
    assert BACKUP.splitlines()[67].strip() == upgrade  # line 68, in simple-voice-chat on dev
    site = BACKUP.replace(upgrade, upgrade + "  # nginxlint: disable=HDR001 -- on purpose", 1)
    before, after = rule_lines(lint_files({SITE: BACKUP})), rule_lines(lint_files({SITE: site}))
    assert before - after == {("HDR001", SITE, 68)}
    assert after - before == set()


def test_disable_file_and_prefixes(lint_files):
    result = lint_files({SITE: "# nginxlint: disable-file=WS,HDR001 -- audited in TICKET-12\n" + BACKUP})
    assert result.findings == ()


def test_stale_and_unreadable_suppressions_are_reported(lint_files):
    site = BACKUP.replace("listen 443 ssl http2;", "listen 443 ssl http2;  # nginxlint: disable=WS001", 1)
    site = site.replace("server_name dev.gmai.sa;", "server_name dev.gmai.sa;  # nginxlint disable=WS001", 1)
    site = site.replace("server_name api.gmai.sa;", "server_name api.gmai.sa;  # nginxlint: ignore=WS001", 1)
    found = {(f.rule, f.message) for f in lint_files({SITE: site}).findings if f.rule.startswith("NLS")}
    assert found == {
        ("NLS001", "suppression of WS001 matches no finding; remove it"),
        ("NLS002", "unreadable nginxlint comment: expected '# nginxlint: disable=RULE[,RULE] -- reason' or "
                   "'# nginxlint: disable-file=RULE'"),
    }  # "# nginxlint disable" (no colon) is an ordinary comment


def test_a_suppression_of_an_ignored_rule_is_not_stale(lint_files):
    site = BACKUP.replace("listen 443 ssl http2;", "listen 443 ssl http2;  # nginxlint: disable=WS001", 1)
    assert "NLS001" in {f.rule for f in lint_files({SITE: site}).findings}
    assert "NLS001" not in {f.rule for f in lint_files({SITE: site}, selection=Selection((), ("WS001",))).findings}
