"""Real nginx decides: a variable is unknown to nginxlint (SYN006) exactly
when `nginx -t` fails with `unknown "…" variable` on a whole configuration,
and the name is nginx's. Each case is its own config (nginx stops at its
first error); the runs go in parallel. Without nginx the tests skip locally;
under CI they fail.
"""
from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nginxlint.reading.loader import load
from nginxlint.reading.tree import Node, walk
from nginxlint.semantics.regex_sites import RegexSite, sites_among
from nginxlint.semantics.variable_names import unknown_variables

from .conftest import require_tool

pytestmark = pytest.mark.nginx

MAP = "map $http_upgrade $connection_upgrade { default upgrade; '' close; }"
CASES = [  # (http-level text, location-level text)
    ("", "return 200 $host$hot;"),
    ("", "return 200 $conection_upgrade;"),
    (MAP, "proxy_set_header Connection $connection_upgrade; proxy_pass http://127.0.0.1:9;"),
    (MAP, "proxy_set_header Connection $conection_upgrade; proxy_pass http://127.0.0.1:9;"),
    (MAP, "return 200 $CONNECTION_Upgrade;"),
    ("", "return 200 $http_x_anything$sent_http_x$sent_trailer_x$cookie_a$arg_b;"),
    ("", "return 200 $upstream_http_x$upstream_trailer_x$upstream_cookie_x;"),
    ("", "return 200 $http_;"),
    ("", "return 200 $arg;"),
    ("", "return 200 $https$scheme$request_id$realip_remote_addr$gzip_ratio$secure_link$uid_got$invalid_referer;"),
    ("", "return 200 $limit_req_status$upstream_response_time$proxy_add_x_forwarded_for$fastcgi_script_name;"),
    ("", "return 200 $ssl_server_name$ssl_alpn_protocol$http2$date_local$msie$tcpinfo_rtt$slice_range;"),
    ("", "return 200 $ssl_sigalg;"),  # 1.30: unknown to 1.22.1
    ("", "return 200 $request_port;"),
    ("", "return 200 $proxy_protocol_tlv_alpn;"),  # the family is 1.23.2
    ("", "return 200 $jwt_claim_sub;"),  # nginx Plus only
    ("", "return 200 $1$9${1}x;"),
    ("", 'if ($uri ~ "^/(?<slug>[a-z]+)$") { return 200 $slug; }'),
    ("", 'return 200 $slug;'),
    ("server { server_name ~^(?<Sub>.+)$; }", "return 200 $sub;"),
    ("geo $geo_var { default 0; }", "return 200 $geo_var;"),
    ("split_clients $remote_addr $bucket { 50% a; * b; }", "return 200 $bucket;"),
    ("", "set $mine 1; return 200 $mine;"),
    ("", "return 200 $mine2; set $mine2 1;"),
    ("", "auth_request /auth; auth_request_set $who $upstream_http_x_user; return 200 $who;"),
    ("log_format f '$remote_addr $bytes_sent $nope_var';", ""),
    ("log_format f '$remote_addr $request_length';", ""),
    ("", 'location ~ \\.php$ { return 200; } location ~ "^/x$" { return 200; }'),
    ("", "rewrite ^/(.*)$ /$1$is_args$args last;"),
    ("", "rewrite ^/(.*)$ /$1$is_arg last;"),
    ("map $uri $m { ~^/(?<mcap>.*)$ $mcap; default $nothere; }", "return 200 $m;"),
    ("", "try_files $uri $uri/ =404;"),
    ("", "return 200 $1$9$10x;"),
    ("", "return 200 $0;"),
]


@pytest.fixture(scope="module")
def nginx():
    return require_tool("nginx", "variable verdicts cannot be compared with nginx's", "/usr/sbin/nginx")


def _config(work, http_text: str, location_text: str):
    conf = work / "nginx.conf"
    conf.write_text(f"pid {work}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n    access_log off;\n"
                    f"    {http_text}\n    server {{\n        listen 127.0.0.1:1;\n"
                    f"        location / {{\n            {location_text}\n        }}\n    }}\n}}\n")
    return conf


def _nginx_verdict(nginx: str, conf) -> str | None:
    result = subprocess.run([nginx, "-t", "-q", "-p", f"{conf.parent}/", "-c", str(conf), "-e", "stderr"],
                            capture_output=True, text=True, timeout=30)
    if result.returncode == 0:
        return None
    line = next(text for text in result.stderr.splitlines() if "[emerg]" in text)
    return line.split("[emerg] ", 1)[1].split(": ", 1)[1]


def _tree(conf: Path) -> tuple[Node, list[Node], list[RegexSite]]:
    """The root of `conf` loaded, its every statement and regex site: what unknown_variables reads."""
    root = load([str(conf)]).roots[0]
    statements = list(walk(root))
    return root, statements, list(sites_among(statements))


def test_variable_verdicts_agree_with_nginx(nginx, tmp_path):
    configs = []
    for index, (http_text, location_text) in enumerate(CASES):
        (tmp_path / f"c{index}").mkdir()
        configs.append(_config(tmp_path / f"c{index}", http_text, location_text))
    with ThreadPoolExecutor(8) as pool:
        verdicts = list(pool.map(lambda conf: _nginx_verdict(nginx, conf), configs))
    disagreements, rejected = [], 0
    for case, conf, nginx_said in zip(CASES, configs, verdicts):
        ours = [u.message.split(" (")[0].split(" for nginx")[0]
                for u in unknown_variables(*_tree(conf), "1.22.1")]
        rejected += nginx_said is not None
        if (ours[:1] or [None])[0] != nginx_said:
            disagreements.append(f"{case}: nginx {nginx_said!r}, nginxlint {ours!r}")
    assert not disagreements, "\n".join(disagreements)
    assert rejected >= 8


def test_rule_fixtures_are_what_nginx_says(nginx, tmp_path):
    """SYN006's fixtures are whole configs: pass.conf passes nginx -t, and
    fail.conf fails with the first variable the rule reports."""
    fixtures = Path(__file__).parent / "fixtures" / "rules" / "SYN006"
    verdicts = {}
    for kind in ("pass", "fail"):
        (tmp_path / kind).mkdir()
        conf = tmp_path / kind / "nginx.conf"
        conf.write_text(f"pid {tmp_path / kind}/nginx.pid;\nerror_log stderr;\n" + (fixtures / f"{kind}.conf").read_text())
        verdicts[kind] = _nginx_verdict(nginx, conf)
    first = next(unknown_variables(*_tree(fixtures / "fail.conf"), "1.22.1"))
    assert verdicts["pass"] is None
    assert verdicts["fail"] == first.message.split(" (")[0]


def test_a_misspelt_directive_is_not_a_module_that_could_make_the_variable(tmp_path):
    """A config with a typo'd stock directive (SYN005) is still made of stock
    modules: its unknown variable is reported too, not spared as if a
    third-party module might define it."""
    conf = tmp_path / "nginx.conf"
    conf.write_text("events {}\nhttp {\n    " + MAP + "\n    server {\n        location / {\n            proxy_read_timout 60s;\n"
                    "            proxy_set_header Connection $conection_upgrade;\n        }\n    }\n}\n")
    unknown = [(u.node.line, u.message) for u in unknown_variables(*_tree(conf), "1.28")]
    assert unknown == [(7, 'unknown "conection_upgrade" variable (did you mean $connection_upgrade?)')]
