"""`nginxlint fix`: fixes declared by the rules, made as line edits that keep
every other byte, proved before they are written.

The reference case is the issue's: the pre-WSS backup of the sample site,
fixed with the streaming pack, is clean for the WebSocket rules, passes real
nginx -t and differs from the original only by the lines the fixes add.
"""
from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.commands.fix import run
from nginxlint.policy.load import load_policies
from nginxlint.policy.model import PolicyError

from .conftest import run_cli_here
from .test_samples_nginx import _assert_clean_pass, _nginx_t, _stage, _wrap, certs, nginx  # noqa: F401 (fixtures)

SAMPLES = Path(__file__).resolve().parent.parent / "sample_configs"
BACKUP = SAMPLES / "gmai.sa.backup"
WS_RULES = ("WS", "HDR001")

# What fix --unsafe-fixes adds above the `}` of each of the backup's 8
# WebSocket locations, in this order: the headers and settings of the
# streaming pack, then the server's proxy_set_header lines the location
# drops (HDR001), copied as written.
ADDED = [
    "        proxy_set_header X-Forwarded-Ssl on;",
    "        proxy_set_header X-Forwarded-Host $host;",
    "        proxy_set_header X-Forwarded-Port $server_port;",
    "        proxy_request_buffering off;",
    "        proxy_read_timeout 86400s;",
    "        proxy_send_timeout 86400s;",
    "        client_max_body_size 50M;",
    "        proxy_set_header Host              $host;",
    "        proxy_set_header X-Real-IP         $remote_addr;",
    "        proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
]


def fixed_backup(tmp_path: Path, *extra: str) -> tuple[Path, int, str, str]:
    target = tmp_path / "gmai.sa.backup"
    shutil.copy(BACKUP, target)
    code, out, err = run_cli_here(["fix", "--pack", "websocket-streaming", "--no-nginx", *extra, target.name], tmp_path)
    return target, code, out, err


def ws_findings(path: Path) -> list:
    options = CheckOptions(packs=["websocket-streaming"])
    return [f for f in check([str(path)], options, prepare(options)).findings if f.rule.startswith(WS_RULES)]


def test_fix_without_write_prints_the_diff_and_changes_nothing(tmp_path):
    target, code, out, err = fixed_backup(tmp_path)
    assert code == 1
    assert target.read_bytes() == BACKUP.read_bytes()
    assert out.startswith("--- a/gmai.sa.backup\n+++ b/gmai.sa.backup\n")
    assert "+        proxy_request_buffering off;\n" in out
    assert "not fixed: gmai.sa.backup:65: WS008: unsafe fix (a judgement call): apply it with --unsafe-fixes" in err


def test_fixed_backup_only_gains_lines_and_lints_clean_for_websocket_rules(tmp_path):
    target, code, _, err = fixed_backup(tmp_path, "--write", "--unsafe-fixes")
    assert code == 0, err
    assert ws_findings(target) == []
    before, after = BACKUP.read_text().splitlines(), target.read_text().splitlines()
    diff = [line for line in difflib.ndiff(before, after) if line[:1] in "+-?"]
    assert [line for line in diff if not line.startswith("+ ")] == []  # nothing removed or changed
    locations = [i for i, line in enumerate(before) if line.strip().startswith("location /") and "ws/" in line]
    assert len(locations) == 8
    assert [line[2:] for line in diff] == ADDED * 8
    # each block got its lines just above its own closing brace
    for n, start in enumerate(locations):
        end = before.index("    }", start) + n * len(ADDED)
        assert after[end:end + len(ADDED) + 1] == [*ADDED, "    }"]
    rerun = run_cli_here(["fix", "--pack", "websocket-streaming", "--unsafe-fixes", "--no-nginx", target.name], tmp_path)
    assert rerun[:2] == (0, "")  # a second fix has nothing left to change


@pytest.mark.nginx
def test_fixed_backup_passes_real_nginx_t(tmp_path, nginx, certs):  # noqa: F811 (fixtures)
    work, scratch = tmp_path / "work", tmp_path / "nginx"
    work.mkdir()
    scratch.mkdir()
    target, code, _, err = fixed_backup(work, "--write", "--unsafe-fixes")
    assert code == 0, err
    conf = _stage(target, scratch, certs)
    _assert_clean_pass(_nginx_t(nginx, _wrap(conf / target.name, scratch), scratch))


@pytest.mark.nginx
def test_fix_verified_by_nginx_keeps_file_mode(tmp_path, nginx):  # noqa: F811 (fixture)
    target = tmp_path / "site.conf"
    target.write_text("server {\n    listen 8080;\n    server_tokens on;  # banner\n}\n")
    os.chmod(target, 0o640)
    code, out, err = run_cli_here(["fix", "--pack", "hardening", "--write", "site.conf"], tmp_path)
    assert code == 0, err
    assert target.read_text() == "server {\n    listen 8080;\n    server_tokens off;  # banner\n}\n"
    assert os.stat(target).st_mode & 0o777 == 0o640


def fix_text(tmp_path: Path, text: bytes, *args: str, name: str = "site.conf") -> bytes:
    target = tmp_path / name
    target.write_bytes(text)
    run_cli_here(["fix", "--no-nginx", "--write", *args, name], tmp_path)
    return target.read_bytes()


def test_crlf_tabs_comments_and_quotes_are_kept(tmp_path):
    text = (b"server {\r\n\tlisten 80;\r\n\tproxy_set_header X-A \"a b\";  # keep\r\n"
            b"\tlocation /ws/ {\r\n\t\tproxy_pass http://127.0.0.1:8000;\r\n\t\tproxy_set_header Upgrade $http_upgrade;\r\n\t}\r\n}\r\n")
    fixed = fix_text(tmp_path, text)
    assert fixed == text.replace(b"\t}\r\n}", b"\t\tproxy_http_version 1.1;\r\n\t\tproxy_set_header Connection \"upgrade\";\r\n"
                                              b"\t\tproxy_set_header X-A \"a b\";\r\n\t}\r\n}")


def test_one_line_block_gets_its_statement_before_the_brace(tmp_path):
    text = (b"server {\n    listen 80;\n    location /ws/ { proxy_pass http://127.0.0.1:8000; "
            b"proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection upgrade; }\n}\n")
    fixed = fix_text(tmp_path, text)
    assert fixed == text.replace(b"upgrade; }", b"upgrade; proxy_http_version 1.1; }")


def test_diffs_of_several_files_come_in_path_order(tmp_path):
    """The same fixes print the same diff at every run (they were in the
    order of a set of paths, which changes with Python's hash seed)."""
    (tmp_path / "sites").mkdir()
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include sites/*.conf;\n}\n")
    for name in ("b", "c", "a", "d"):
        (tmp_path / "sites" / f"{name}.conf").write_text(
            f"server {{\n    listen 80;\n    server_name {name}.example;\n    location / {{\n        proxy_read_timout 60s;\n    }}\n}}\n")
    code, out, err = run_cli_here(["fix", "--no-nginx", "nginx.conf"], tmp_path)
    headers = [line for line in out.splitlines() if line.startswith("--- ")]
    assert headers == [f"--- a/sites/{name}.conf" for name in "abcd"], out + err


def test_misspelt_directive_is_renamed(tmp_path):
    text = b"server {\n    listen 80;\n    location / {\n        proxy_read_timout 60s;  # typo\n    }\n}\n"
    assert fix_text(tmp_path, text) == text.replace(b"timout", b"timeout")


def test_protocols_replaced_in_place(tmp_path):
    text = (b"server {\n    listen 443 ssl;\n    ssl_certificate /c.pem;\n    ssl_certificate_key /c.key;\n"
            b"    ssl_protocols   SSLv3 TLSv1.2;\n}\n")
    assert fix_text(tmp_path, text) == text.replace(b"SSLv3 TLSv1.2", b"TLSv1.2 TLSv1.3")


def test_statement_over_several_lines_is_refused_with_the_reason(tmp_path):
    text = b"server {\n    listen 80;\n    server_tokens\n        on;\n}\n"
    target = tmp_path / "site.conf"
    target.write_bytes(text)
    code, out, err = run_cli_here(["fix", "--pack", "hardening", "--no-nginx", "--write", "site.conf"], tmp_path)
    assert code == 1 and target.read_bytes() == text
    assert "not fixed: site.conf:3: SEC008: server_tokens at line 3 runs over several lines" in err


def test_symlinked_site_is_fixed_in_its_target_and_the_link_stays(tmp_path):
    available, enabled = tmp_path / "sites-available", tmp_path / "sites-enabled"
    available.mkdir()
    enabled.mkdir()
    (available / "app").write_text("server {\n    listen 80;\n    location / { proxy_read_timout 5s; }\n}\n")
    (enabled / "app").symlink_to("../sites-available/app")
    code, _, err = run_cli_here(["fix", "--no-nginx", "--write", "sites-enabled/app"], tmp_path)
    assert code == 0, err
    assert (enabled / "app").is_symlink()
    assert "proxy_read_timeout 5s" in (available / "app").read_text()


def test_symlink_to_outside_the_tree_is_never_written_through(tmp_path):
    outside = tmp_path / "elsewhere" / "app"
    outside.parent.mkdir()
    outside.write_text("server {\n    listen 80;\n    location / { proxy_read_timout 5s; }\n}\n")
    site = tmp_path / "etc" / "nginx" / "sites-enabled"
    site.mkdir(parents=True)
    (site / "app").symlink_to(outside)
    code, _, err = run_cli_here(["fix", "--no-nginx", "--write", "--allow-outside", "etc/nginx/sites-enabled/app"], tmp_path)
    assert "outside the linted tree: not edited" in err, err
    assert code == 1 and "timout" in outside.read_text()


def test_all_or_nothing_when_a_file_cannot_be_written(tmp_path):
    a, b = tmp_path / "a.conf", tmp_path / "b.conf"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    outcome = run.Outcome(original={str(a): b"old a", str(b): b"old b"}, fixed={str(a): b"new a", str(b): b"new b"})
    written = []

    def write(path, data, mode, owner):
        if path == str(b) and data == b"new b":
            raise OSError("disk full")
        Path(path).write_bytes(data)
        written.append(path)

    with pytest.raises(OSError):
        run.write_all(outcome, write)
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")


@pytest.mark.parametrize(("fix", "error"), [
    ('{sett: "x 1"}', "unknown fix key 'sett'"),
    ('{set: "proxy_http_version 1.1", rename: x}', "a fix has exactly one of"),
    ('{set: "proxy_http_verison 1.1"}', "did you mean proxy_http_version"),
    ('{set: "proxy_http_version"}', "set needs a directive and its arguments"),
    ('{set: "proxy_http_version 1.1", unsafe: maybe}', "unsafe must be true or false"),
])
def test_a_broken_fix_is_a_policy_error_at_its_line(tmp_path, fix, error):
    policy = tmp_path / "p.yaml"
    policy.write_text("pack: p\nrules:\n  - id: SITE001\n    name: x\n    severity: error\n    summary: s\n    message: m\n"
                      f"    select: {{kind: location}}\n    assert: {{directive: proxy_http_version, eq: '1.1'}}\n    fix: {fix}\n")
    with pytest.raises(PolicyError) as raised:
        load_policies([str(policy)], {}, [])
    assert error in str(raised.value) and ":10:" in str(raised.value)


# -- property: fix edits only the lines it reports, and is done after one run ----------------------

_INDENT = st.sampled_from(["", " ", "    ", "\t", "\t\t"])
_EOL = st.sampled_from(["\n", "\r\n"])
_COMMENT = st.sampled_from(["", "  # note", " #x"])
_LOCATION_LINES = st.sampled_from([
    "proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection \"upgrade\";", "proxy_http_version 1.0;",
    "proxy_read_timeout 60s;", "proxy_set_header X-A 'a b';", "proxy_buffering off;", "proxy_read_timout 5s;",
])


@st.composite
def configs(draw) -> str:
    eol, step = draw(_EOL), draw(_INDENT)
    lines = ["# generated" + draw(_COMMENT), "server {", step + "listen 80;"]
    if draw(st.booleans()):
        lines.append(step + "proxy_set_header X-Real-IP $remote_addr;" + draw(_COMMENT))
    for path in draw(st.lists(st.sampled_from(["/ws/", "/api/", "/socket.io/"]), min_size=1, max_size=3, unique=True)):
        body = [draw(_LOCATION_LINES) for _ in range(draw(st.integers(0, 3)))]
        if draw(st.booleans()):  # a block on one line
            lines.append(f"{step}location {path} {{ proxy_pass http://127.0.0.1:8000; {' '.join(body)} }}")
        else:
            lines += [f"{step}location {path} {{" + draw(_COMMENT), f"{step * 2}proxy_pass http://127.0.0.1:8000;"]
            lines += [step * 2 + line + draw(_COMMENT) for line in body]
            lines += (["" ] if draw(st.booleans()) else []) + [step + "}"]
    lines.append("}")
    return eol.join(lines) + (eol if draw(st.booleans()) else "")


@pytest.mark.slow  # 25 generated configs, each fixed twice
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=configs())
@example(text="# generated\nserver {\nlisten 80;\nlocation /ws/ {\nproxy_pass http://127.0.0.1:8000;\n}\nlocation /api/ {\n"
              "proxy_pass http://127.0.0.1:8000;\nproxy_read_timout 5s;\nproxy_read_timout 5s;\n}\n}")
def test_fix_changes_only_reported_lines_and_a_second_fix_changes_nothing(tmp_path, text):
    target = tmp_path / "site.conf"
    target.write_bytes(text.encode())
    options = CheckOptions(packs=["websocket-streaming"])
    policies = prepare(options)
    reported = {f.line for f in check([str(target)], options, policies).findings}
    outcome = run.fix_paths([str(target)], options, policies, unsafe=True)
    real = os.path.realpath(target)
    fixed = outcome.fixed.get(real, text.encode())
    before, after = text.encode().splitlines(keepends=True), fixed.splitlines(keepends=True)
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert", "replace"), (tag, before[i1:i2])
        if tag == "replace":
            assert set(range(i1 + 1, i2 + 1)) <= reported, (before[i1:i2], sorted(reported))
    target.write_bytes(fixed)
    again = run.fix_paths([str(target)], options, prepare(options), unsafe=True)
    assert again.changed == [], again.applied


def test_missing_server_tokens_is_set_once_at_http_level(tmp_path):
    text = (b"events {}\nhttp {\n    server {\n        listen 80;\n    }\n    server {\n        listen 81;\n    }\n}\n")
    fixed = fix_text(tmp_path, text, "--pack", "hardening", name="nginx.conf")
    assert fixed == text.replace(b"    }\n}\n", b"    }\n    server_tokens off;\n}\n")


@pytest.mark.nginx
def test_nginx_t_refuses_what_it_rejects_and_accepts_what_fails_only_as_before(tmp_path, nginx):  # noqa: F811 (fixture)
    from nginxlint.commands.fix import verify_nginx

    site = tmp_path / "site.conf"
    site.write_bytes(b"server {\n    listen 8081;\n    ssl_certificate /nonexistent/cert.pem;\n    ssl_certificate_key /nonexistent/key.pem;\n}\n")
    real = str(site.resolve())
    same = {real: site.read_bytes().replace(b"8081;", b"8081;\n    server_tokens off;")}
    assert verify_nginx.verdict(nginx, [real], same, None, [real], {}, {real: {3}}) is None  # fails on the certificate, as before
    broken = {real: site.read_bytes().replace(b"8081;", b"8081;\n    server_tokens maybe;")}
    problem = verify_nginx.verdict(nginx, [real], broken, None, [real], {}, {real: {3}})
    assert problem is not None and 'invalid value "maybe"' in problem


def test_a_statement_over_several_lines_is_named_as_not_fixed(tmp_path):
    """Its finding is at the line nginx names (the last); the fix is looked
    up there too, so the refusal is printed instead of a silent exit 0."""
    (tmp_path / "site.conf").write_text("server {\n    listen 80;\n    location / {\n        proxy_set_hedaer Host\n"
                                        "            $host;\n        proxy_pass http://127.0.0.1:9;\n    }\n}\n")
    code, _, err = run_cli_here(["fix", "--no-nginx", "site.conf"], tmp_path)
    assert code == 1
    assert "not fixed: site.conf:5: SYN005: proxy_set_hedaer at line 4 runs over several lines" in err


def test_nginx_t_verifies_a_fix_only_where_nginx_read_the_fixed_lines():
    from nginxlint.commands.fix.verify_nginx import _Failed, _read_every_fix, verdict
    changed = {"/etc/nginx/site": {12, 14}}
    assert _read_every_fix(_Failed("cannot load certificate", None), changed)  # after the whole config was read
    assert _read_every_fix(_Failed("e", ("/etc/nginx/site", 20)), changed)
    assert not _read_every_fix(_Failed("e", ("/etc/nginx/site", 5)), changed)  # stopped before the fix
    assert not _read_every_fix(_Failed("e", ("/etc/nginx/other", 50)), changed)  # another file: order unknown
    # Files with no common folder below / cannot be copied with their paths rewritten: not verified.
    assert "could not verify" in verdict("/nonexistent/nginx", ["/etc/nginx/site", "/usr/share/x/mime.types"], {}, None,
                                         ["/etc/nginx/site"], {}, {})


def test_write_changes_nothing_when_an_input_could_not_be_read(tmp_path):
    site = tmp_path / "site.conf"
    site.write_text("server {\n    listen 80;\n    server_tokens on;\n}\n")
    before = site.read_bytes()
    code, _, err = run_cli_here(["fix", "--write", "--no-nginx", "--pack", "hardening", "site.conf", "missing.conf"], tmp_path)
    assert code == 2 and "no file changed" in err
    assert site.read_bytes() == before
