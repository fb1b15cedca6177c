"""The routing diff against a running nginx: a request the diff says a
restore moves really reaches the other location, in both configurations.

Every location answers with its own line number, so nginx's answer names the
location that served it; the diff's file:line for each side must be that line.
"""
from __future__ import annotations

import json

import pytest

from .conftest import run_cli
from .test_routing_live import free_ports, running_nginx, send

pytestmark = pytest.mark.live

# A proxied location sends its own marker to the backend, a server whose
# server-level return echoes it: the request really is proxied (a `return`
# in the location would answer before any proxying, so it would not be).
PROXY = 'proxy_set_header X-Location "@"; proxy_pass http://127.0.0.1:{backend};'
ACTIVE = """server {{
    listen 127.0.0.1:{port};
    server_name api.example;
    location / {{ PROXY }}
    location /socket.io/ {{ PROXY }}
    location /api/ {{ PROXY }}
    location ^~ /assets/ {{ return 200 "@"; }}
}}
server {{
    listen 127.0.0.1:{backend};
    return 200 $http_x_location;
}}
"""
# The backup adds a regex for static files that steals /socket.io/ and /x.js/ (regexes beat prefixes, §5.2),
# but not /assets/ (^~) nor /api/.
BACKUP = ACTIVE.replace("    location /api/", '    location ~* \\.(js|css|io)/ {{ return 200 "@"; }}\n    location /api/')


def _numbered(template: str, port: int, backend: int) -> str:
    lines = template.replace("PROXY", PROXY).format(port=port, backend=backend).splitlines()
    return "\n".join(line.replace('"@"', f'"L{i}"') for i, line in enumerate(lines, 1)) + "\n"


@pytest.fixture(scope="module")
def nginx():
    from .conftest import require_tool
    return require_tool("nginx", "the routing diff cannot be checked against real nginx", "/usr/sbin/nginx")


def test_requests_the_diff_says_move_reach_the_other_location_in_nginx(nginx, tmp_path):
    port, backend = free_ports(2)
    sides = {"active": _numbered(ACTIVE, port, backend), "backup": _numbered(BACKUP, port, backend)}
    for name, text in sides.items():
        (tmp_path / name).write_text(text)
    code, out, _ = run_cli(["diff", "active", "backup", "--format", "json", "--probe", "/assets/app.js/",
                            "--probe", "/api/x.css/"], tmp_path)
    document = json.loads(out)
    moved = {c["request"].split(f":{port}", 1)[1]: c for c in document["routing"]}
    assert code == 1 and {"/socket.io/", "/x.js/", "/x.css/", "/x.io/", "/api/x.css/"} <= set(moved)
    assert "/assets/app.js/" not in moved and "/api/" not in moved
    for name, text in sides.items():
        with running_nginx(nginx, tmp_path / f"nginx-{name}", text):
            for uri, change in moved.items():
                answer = send("127.0.0.1", port, uri, "api.example")
                assert (answer.status, answer.body) == (200, f"L{change[name]['line']}"), (name, uri, change)
            for uri in ("/assets/app.js/", "/api/"):  # not moved: the same location on both sides
                assert send("127.0.0.1", port, uri, "api.example").body == f"L{_line(text, uri.split('/')[1])}"


def _line(text: str, segment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if f"/{segment}/ " in line)
