"""Rule documentation comes from the policies: every built-in rule carries
what / why / bad / good, and the commands that show it work."""
from __future__ import annotations

import json

import pytest

from nginxlint.commands.check import CheckOptions, prepare

from .conftest import REPO, run_cli

BUILTIN = prepare(CheckOptions()).rules


@pytest.mark.parametrize("rule", BUILTIN, ids=[r.id for r in BUILTIN])
def test_every_builtin_rule_has_explain_text(rule):
    docs = rule.docs or {}
    missing = [key for key in ("what", "why", "bad", "good") if not (docs.get(key) or "").strip()]
    assert not missing, f"{rule.id} lacks {missing} in {rule.file}"
    assert rule.summary.strip()


def test_rules_table_and_json():
    code, out, _ = run_cli(["rules"], REPO)
    assert code == 0 and out.splitlines()[0].split() == ["id", "name", "severity", "pack", "on", "fix", "summary"]
    rows = {line.split()[0]: line.split()[3:6] for line in out.splitlines()[2:]}
    assert rows["WS001"] == ["websocket", "on", "safe"] and rows["HDR001"] == ["websocket", "on", "safe"]
    assert rows["WS008"] == ["websocket-streaming", "off", "unsafe"] and rows["SYN001"] == ["input", "on", "-"]
    document = json.loads(run_cli(["rules", "--format", "json"], REPO)[1])
    ws008 = next(r for r in document["rules"] if r["id"] == "WS008")
    assert (ws008["pack"], ws008["on"], ws008["policy"]) == ("websocket-streaming", False, "websocket-streaming.yaml")
    assert ws008["fix"] == {"kind": "set", "what": "proxy_read_timeout 86400s;", "unsafe": True}
    assert ws008["params"] == {"websocket_path_pattern": r"(^|/)(ws|wss|websockets?|websockify|socket\.io|sockjs(-node)?|cable)(/|$)",
                               "websocket_min_timeout": "86400s"}


def test_rules_shows_a_pack_turned_on():
    out = run_cli(["rules", "--pack", "websocket-streaming"], REPO)[1]
    assert next(line for line in out.splitlines() if line.startswith("WS008")).split()[3:5] == ["websocket-streaming", "on"]


def test_explain_shows_docs_and_parameter_values():
    code, out, _ = run_cli(["explain", "ws008", "--param", "websocket_min_timeout=1h"], REPO)
    assert code == 0
    assert out.startswith("WS008 websocket-read-timeout (error) — websocket-streaming.yaml\n")
    assert "Pack websocket-streaming (websocket-streaming.yaml): off; turn it on with --pack websocket-streaming" in out
    for title in ("What it checks:", "Which blocks:", "Why:", "Bad:", "Good:", "Parameters"):
        assert f"\n{title}" in out
    assert "websocket_min_timeout = 1h (default 86400s)" in out
    assert "\nFix (nginxlint fix): proxy_read_timeout 1h; (unsafe: made with --unsafe-fixes)\n" in out
    assert "voice" not in out


def test_explain_says_what_makes_a_websocket_location():
    out = run_cli(["explain", "WS002"], REPO)[1]
    assert "Pack websocket (websocket.yaml): on." in out
    which = " ".join(out.split("Which blocks:")[1].split("Why:")[0].split())
    assert "writes proxy_set_header Upgrade" in which and "an inherited server-level header does not count" in which
    assert "regex location whose regex matches one of the probe paths" in which and "/socket.io/" in which


def test_explain_unknown_rule():
    code, out, err = run_cli(["explain", "WS999"], REPO)
    assert (code, out) == (2, "") and err.strip() == "nginxlint: error: unknown rule 'WS999'; `nginxlint rules` lists them"


def test_policy_validate(tmp_path):
    good = tmp_path / "site.yaml"
    good.write_text("pack: site\nrules:\n  - id: SITE001\n    name: body-limit\n    severity: error\n"
                    "    summary: s\n    message: m\n    select: {kind: location}\n"
                    "    assert: {directive: client_max_body_size, lte: 10M}\n")
    assert run_cli(["policy", "validate", str(good)], tmp_path)[:2] == (0, f"{good}: valid, 1 rule\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("lte: 10M", "lte: 10Q"))
    code, _, err = run_cli(["policy", "validate", str(bad)], tmp_path)
    assert code == 2 and err.strip() == f"nginxlint: error: bad policy: {bad}:9: lte: invalid size '10Q'"


def test_policy_validate_on_a_built_in_pack_reads_it_once():
    """Validating a shipped pack (as its authors do) is not a clash with itself."""
    code, out, err = run_cli(["policy", "validate", "policies/hardening.yaml"], REPO)
    assert (code, out, err) == (0, "policies/hardening.yaml: valid, 7 rules\n", "")


def test_readme_shows_the_shipped_site_policy_and_it_works(tmp_path):
    """docs/policy-language.md quotes sample_configs/policies/gmai-site.yaml verbatim; it catches a 20M limit."""
    policy = REPO / "sample_configs" / "policies" / "gmai-site.yaml"
    assert policy.read_text() in (REPO / "docs" / "policy-language.md").read_text()
    site = (REPO / "sample_configs" / "gmai.sa").read_text()
    (tmp_path / "ok.conf").write_text(site)
    (tmp_path / "big.conf").write_text(site.replace("client_max_body_size 10M", "client_max_body_size 20M"))
    code, out, _ = run_cli(["check", "ok.conf", "big.conf", "--policy", str(policy), "--select", "SITE",
                            "--format", "json"], tmp_path)
    found = {(f["rule"], f["file"], f["server"]) for f in json.loads(out)["findings"]}
    assert code == 1 and found == {("SITE001", "big.conf", "dev.gmai.sa"), ("SITE001", "big.conf", "api.gmai.sa")}


def test_bad_serves_selector_names_its_line(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("pack: p\nrules:\n  - id: P001\n    name: n\n    severity: error\n    summary: s\n"
                      "    message: m\n    select:\n      serves: {host: a.test, url: /x}\n"
                      "    assert: {directive: proxy_pass, exists: \"true\"}\n")
    code, _, err = run_cli(["policy", "validate", str(policy)], tmp_path)
    assert code == 2 and err.strip() == f"nginxlint: error: bad policy: {policy}:9: serves needs at least uri: /path (and optionally host, port, tls)"
