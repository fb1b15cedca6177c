"""An incremental run (verdicts on unchanged servers reused, policy/units.py)
reports exactly what a run from scratch reports, whatever the edit.

Each step edits a small tree the way an operator would, through every
channel by which one server's lines reach another's verdicts: variables
made in another server, a third-party directive that turns SYN006 off,
sockets and names shared, http-level lines written in a site file, maps,
included snippets, a new or deleted site file, lines moved above a
referenced line. After each edit the incremental run (carrying what the
previous run kept) must equal a run without any earlier verdicts.
"""
from __future__ import annotations

from pathlib import Path

from nginxlint.commands.check import CheckOptions, lint_paths, prepare
from nginxlint.policy.engine import Memo
from nginxlint.reading.parse_cache import ParseCache
from nginxlint.reading.probe import Probe

NGINX_CONF = """\
events {}
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    proxy_set_header X-Request-ID $request_id;
    include snippets/http-*.conf;
    include sites/*.conf;
}
"""
SITE_A = """\
upstream app_a { server 127.0.0.1:8001; }
server {
    listen 80;
    server_name a.example;
    add_header X-Frame-Options DENY;
    location / { proxy_pass http://app_a; }
    location /ws/ {
        proxy_pass http://app_a;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
    }
    location /static/ { add_header Cache-Control public; return 200 "$shared_var $sub"; }
    include snippets/a-extra.conf;
}
"""
SITE_B = """\
server {
    listen 80;
    server_name b.example;
    set $shared_var hello;
    location / { return 200 ok; }
    location /ws/ {
        proxy_pass http://127.0.0.1:8002;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
}
"""
SITE_C = """\
server {
    listen 8443 ssl;
    server_name c.example;
    ssl_certificate /etc/ssl/c.pem;
    ssl_certificate_key /etc/ssl/c.key;
    location / { proxy_pass http://127.0.0.1:9000; }
}
"""


def _replace(path: str, old: str, new: str):
    def edit(tree: Path) -> None:
        text = (tree / path).read_text()
        assert old in text, (path, old)
        (tree / path).write_text(text.replace(old, new, 1))
    return edit


def _write(path: str, text: str):
    return lambda tree: (tree / path).write_text(text)


def _delete(path: str):
    return lambda tree: (tree / path).unlink()


# (what the edit does, the edit, whether it reaches another server's verdicts)
STEPS = [
    ("a location added at the top of a's server: lines below it move", _replace(
        "sites/a.conf", "    add_header X-Frame-Options DENY;\n",
        "    add_header X-Frame-Options DENY;\n    location /new/ { proxy_pass http://app_a; }\n"), False),
    ("b no longer sets $shared_var: a's use of it is unknown", _replace("sites/b.conf", "    set $shared_var hello;\n", ""), True),
    ("c makes $sub with a named capture of its server_name", _replace(
        "sites/c.conf", "server_name c.example;", "server_name c.example ~^(?<sub>.+)\\.c\\.example$;"), True),
    ("a third-party directive in c: SYN006 cannot judge the config", _replace(
        "sites/c.conf", "    location / {", "    some_module_directive on;\n    location / {"), True),
    ("a edited while c keeps its third-party directive", _replace("sites/a.conf", "location /static/", "location /assets/"), False),
    ("the third-party directive goes again", _replace("sites/c.conf", "    some_module_directive on;\n", ""), True),
    ("c moves onto a's socket with ssl: the socket speaks TLS", _replace("sites/c.conf", "listen 8443 ssl;", "listen 80 ssl;"), True),
    ("c takes a's name", _replace("sites/c.conf", "server_name c.example", "server_name a.example"), True),
    ("an http-level proxy_set_header written in b's file", _replace(
        "sites/b.conf", "server {", "proxy_set_header X-From-B 1;\nserver {"), True),
    ("lines added above b's http-level line that a's verdicts quote", _replace(
        "sites/b.conf", "proxy_set_header X-From-B 1;", "# one\n# two\nproxy_set_header X-From-B 1;"), True),
    ("the snippet included in a's server changes", _write(
        "snippets/a-extra.conf", "location /extra/ { proxy_set_header Host $host; proxy_pass http://app_a; }\n"), False),
    ("nginx.conf sets proxy_http_version 1.1 for every location: b's /ws/ no longer speaks HTTP/1.0", _replace(
        "nginx.conf", "    include sites/", "    proxy_http_version 1.1;\n    include sites/"), True),
    ("the WebSocket map changes in nginx.conf", _replace("nginx.conf", "default upgrade;", "default keep-alive;"), True),
    ("an http snippet appears for the glob", _write("snippets/http-headers.conf", "add_header X-Content-Type-Options nosniff;\n"), True),
    ("a new site file", _write("sites/d.conf", "server {\n    listen 80;\n    server_name d.example;\n"
                                              "    location / { set $shared_var d; return 200 $shared_var; }\n}\n"), True),
    ("b's file is deleted", _delete("sites/b.conf"), True),
    ("c's file edited again, nothing else", _replace("sites/c.conf", "location / {", "location /c/ {"), False),
]


def _findings(tree: Path, memo: Memo | None, cache: Path):
    options = CheckOptions(parse_cache=ParseCache(cache))
    result = lint_paths([str(tree / "nginx.conf")], options, prepare(options), Probe(options.parse_cache), memo)[1]
    return result.findings


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """(the tree, a parse cache folder)."""
    tree = tmp_path / "etc"
    for path, text in (("nginx.conf", NGINX_CONF), ("sites/a.conf", SITE_A), ("sites/b.conf", SITE_B),
                       ("sites/c.conf", SITE_C), ("snippets/a-extra.conf", "location /extra/ { return 204; }\n")):
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text)
    return tree, tmp_path / "cache"


def test_incremental_runs_report_what_a_run_from_scratch_reports(tmp_path: Path) -> None:
    tree, cache = _tree(tmp_path)
    memo = Memo(None)
    previous = _findings(tree, memo, cache)
    assert memo.reused == 0 and memo.kept is not None
    reused = []
    for what, edit, reaches_others in STEPS:
        edit(tree)
        memo = Memo(memo.kept)
        incremental = _findings(tree, memo, cache)
        assert incremental == _findings(tree, None, cache), what
        if reaches_others:  # the step tests something: another server's verdicts changed
            assert incremental != previous, what
        reused.append(memo.reused)
        previous = incremental
    # Edits confined to one server's files reuse the other units' verdicts
    # (servers and upstreams: a's upstream is reused when only its snippet changes).
    assert [n for n, (_, _, across) in zip(reused, STEPS) if not across] == [2, 2, 3, 3]


def test_a_changed_context_lints_every_server(tmp_path: Path) -> None:
    """After an edit outside every server, nothing is reused."""
    tree, cache = _tree(tmp_path)
    memo = Memo(None)
    _findings(tree, memo, cache)
    _replace("nginx.conf", "proxy_set_header X-Request-ID $request_id;", "proxy_set_header X-Request-ID 1;")(tree)
    memo = Memo(memo.kept)
    assert _findings(tree, memo, cache) == _findings(tree, None, cache)
    assert memo.reused == 0
