"""Random edits, incremental runs: after each edit of a random multi-file
tree, the run that reuses the previous run's verdicts (policy/units.py)
reports exactly what a run from scratch reports.

The trees are made of the pieces through which servers reach each other
(variables set in one server and used in another, regex captures, shared
sockets and names, TLS, maps and upstreams and http-level lines written in
site files, snippets included in several servers, a third-party
directive), and the edits are an operator's: a line added or removed
anywhere, a site file rewritten, added or deleted, comments added above
everything. The seeds are fixed, so a failure replays.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, lint_paths, prepare
from nginxlint.policy.engine import Memo
from nginxlint.reading.parse_cache import ParseCache
from nginxlint.reading.probe import Probe

pytestmark = pytest.mark.slow

NGINX_CONF = """\
events {}
http {
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    proxy_set_header X-Request-ID $request_id;
    add_header X-Frame-Options DENY;
    include sites/*.conf;
}
"""
SERVER_LINES = [
    "listen 80;", "listen 80 default_server;", "listen 443 ssl;", "listen 8443 ssl;", "listen 127.0.0.1:8080;",
    "server_name {name}.example;", "server_name shared.example;", "server_name ~^(?<sub>.+)\\.{name}\\.example$;",
    "ssl_certificate /etc/ssl/{name}.pem;", "ssl_certificate_key /etc/ssl/{name}.key;",
    "set $shared $host;", "set ${name}_var 1;", "add_header X-Content-Type-Options nosniff;",
    "proxy_set_header X-Server {name};", "some_module_directive on;", "return 200 \"$shared $sub $app_var\";",
    "include snippets/common.conf;", "error_page 404 /404.html;", "client_max_body_size 10m;",
]
LOCATION_LINES = [
    "proxy_pass http://app_{name};", "proxy_pass http://$shared;", "proxy_http_version 1.1;",
    "proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
    "proxy_set_header Host $host;", "add_header Cache-Control public;", "proxy_read_timeout 86400s;",
    "set $app_var $arg_x;", "return 302 https://$http_host$request_uri;", "include snippets/common.conf;",
    "if ($request_uri ~ ^/(?<part>[a-z]+)) { return 200 $part; }", "add_header X-Var \"$sub $undefined_thing\";",
]
HTTP_LINES = [
    "upstream app_{name} { server 127.0.0.1:80{n}; }", "map $uri ${name}_map { default 0; ~^/x 1; }",
    "proxy_set_header X-From-{name} 1;", "# a comment",
]
GLOBAL_LINES = ["proxy_http_version 1.1;", "proxy_read_timeout 86400s;", "proxy_set_header Upgrade $http_upgrade;",
                "client_max_body_size 50m;", "server_tokens on;"]
PATHS = ["/", "/ws/", "/api/", "~ ^/(?<seg>[a-z]+)/", "= /exact", "/static/"]


def _fill(line: str, name: str) -> str:
    return line.replace("{name}", name).replace("{n}", str(len(name)))


def _site(rng: random.Random, name: str) -> str:
    lines = [_fill(rng.choice(HTTP_LINES), name) for _ in range(rng.randrange(3))]
    for _ in range(rng.randrange(1, 3)):
        lines.append("server {")
        lines += ["    " + _fill(rng.choice(SERVER_LINES), name) for _ in range(rng.randrange(1, 6))]
        for _ in range(rng.randrange(4)):
            lines.append(f"    location {rng.choice(PATHS)} {{")
            lines += ["        " + _fill(rng.choice(LOCATION_LINES), name) for _ in range(rng.randrange(5))]
            lines.append("    }")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _edit(rng: random.Random, tree: Path, made: list[int]) -> None:
    sites = sorted((tree / "sites").glob("*.conf"))
    kind = rng.randrange(8)
    if kind == 0 or not sites:  # a new site file
        made[0] += 1
        (tree / "sites" / f"s{made[0]}.conf").write_text(_site(rng, f"s{made[0]}"))
    elif kind == 1 and len(sites) > 1:
        rng.choice(sites).unlink()
    elif kind == 2:
        site = rng.choice(sites)
        site.write_text(_site(rng, site.stem))
    elif kind == 3:  # comments above everything: every line below moves
        site = rng.choice(sites)
        site.write_text("# moved\n" * rng.randrange(1, 4) + site.read_text())
    elif kind == 4:  # one line removed
        site = rng.choice(sites)
        lines = site.read_text().splitlines(keepends=True)
        removable = [i for i, line in enumerate(lines) if line.rstrip().endswith(";")]
        if removable:
            del lines[rng.choice(removable)]
            site.write_text("".join(lines))
    elif kind == 5:  # one line added in a server or a location
        site = rng.choice(sites)
        lines = site.read_text().splitlines(keepends=True)
        blocks = [i for i, line in enumerate(lines) if line.rstrip().endswith("{") and not line.startswith(("upstream", "map"))]
        if blocks:
            at = rng.choice(blocks)
            pool = LOCATION_LINES if "location" in lines[at] else SERVER_LINES
            lines.insert(at + 1, "    " + _fill(rng.choice(pool), site.stem) + "\n")
            site.write_text("".join(lines))
    elif kind == 6:  # a line at http level in nginx.conf, which every server inherits
        conf = tree / "nginx.conf"
        line = "    " + rng.choice(GLOBAL_LINES) + "\n"
        text = conf.read_text()
        conf.write_text(text.replace(line, "") if line in text else text.replace("    include sites", line + "    include sites"))
    else:  # the shared snippet
        (tree / "snippets" / "common.conf").write_text(rng.choice(["", "proxy_read_timeout 5s;\n", "set $shared other;\n",
                                                                    "add_header X-Snippet 1;\n"]))


def _findings(tree: Path, cache: Path, memo: Memo | None):
    options = CheckOptions(parse_cache=ParseCache(cache))
    return lint_paths([str(tree / "nginx.conf")], options, prepare(options), Probe(options.parse_cache), memo)[1].findings


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_give_the_output_of_a_run_from_scratch(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    tree, cache = tmp_path / "etc", tmp_path / "cache"
    (tree / "sites").mkdir(parents=True)
    (tree / "snippets").mkdir()
    (tree / "nginx.conf").write_text(NGINX_CONF)
    (tree / "snippets" / "common.conf").write_text("")
    for index in range(5):
        (tree / "sites" / f"s{index}.conf").write_text(_site(rng, f"s{index}"))
    made = [4]
    memo = Memo(None)
    _findings(tree, cache, memo)
    reused = 0
    for step in range(40):
        _edit(rng, tree, made)
        memo = Memo(memo.kept)
        assert _findings(tree, cache, memo) == _findings(tree, cache, None), f"seed {seed}, step {step}"
        reused += memo.reused
    assert reused > 0  # the runs did reuse verdicts
