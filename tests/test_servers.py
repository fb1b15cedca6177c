"""Socket, server and TLS facts (semantics §6.1), asked of their one home,
and the promise that every consumer reads the same answers: routing
(`inspect`), the policy `tls:` selector, SEC019 and `diff`."""
from __future__ import annotations

import gc
import json
import textwrap

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare
from nginxlint.commands.restore.audit import server_key
from nginxlint.reading.loader import load
from nginxlint.reading.tree import Node
from nginxlint.routing.route import Request, Router, route
from nginxlint.semantics.servers import ServerFacts, listen_socket, server_names
from nginxlint.semantics.sockets import canonical_socket, connection_sockets, listens_of

from .conftest import run_cli


@pytest.mark.parametrize(("address", "socket"), [
    ("80", "*:80"), ("*:80", "*:80"), ("0.0.0.0:80", "*:80"), ("*", "*:80"), ("0.0.0.0", "*:80"),
    ("localhost:443", "127.0.0.1:443"), ("LocalHost", "127.0.0.1:80"), ("127.0.0.1", "127.0.0.1:80"),
    ("127.0.0.1:08080", "127.0.0.1:8080"),
    ("[::]:80", "[::]:80"), ("[0:0::0]:80", "[::]:80"), ("[::1]", "[::1]:80"), ("[0:0:0:0:0:0:0:1]:443", "[::1]:443"),
    ("[2001:DB8::1]:8443", "[2001:db8::1]:8443"),
    ("unix:/run/app.sock", "unix:/run/app.sock"),
    ("example.com:8080", "example.com:8080"),  # nginx resolves host names; not emulated
])
def test_a_listen_address_names_one_socket_whatever_its_spelling(address, socket):
    assert canonical_socket(address) == socket
    assert listen_socket((address, "ssl")) == socket


def test_a_connection_reaches_the_exact_socket_or_the_wildcard():
    assert connection_sockets("127.0.0.1", 443) == ("127.0.0.1:443", "*:443")
    assert connection_sockets("::1", 80) == ("[::1]:80", "[::]:80")
    assert connection_sockets("[0::1]", 80) == ("[::1]:80", "[::]:80")


@pytest.fixture
def roots(tmp_path):
    """roots(http_text) -> roots of an nginx.conf whose http block holds http_text."""

    def make(http: str) -> list[Node]:
        path = tmp_path / "nginx.conf"
        path.write_text("events {}\nhttp {\n" + textwrap.dedent(http) + "\n}\n")
        return load([str(path)]).roots

    return make


def _servers(facts: ServerFacts) -> dict[str, Node]:
    return {server_names(s)[0]: s for s in facts.servers}


def test_servers_are_grouped_by_socket_with_their_default(roots):
    facts = ServerFacts(roots("""
        server { listen 8080; server_name a; }
        server { listen 0.0.0.0:8080 default_server; server_name b; }
        server { listen localhost:8080; listen [::]:8080; server_name c; }
        server { server_name d; }
    """))
    s = _servers(facts)
    assert {sock: [server_names(x)[0] for x, _ in entries] for sock, entries in facts.by_socket.items()} == {
        "*:8080": ["a", "b"], "127.0.0.1:8080": ["c"], "[::]:8080": ["c"], "*:80": ["d"]}
    assert facts.default == {"*:8080": s["b"], "127.0.0.1:8080": s["c"], "[::]:8080": s["c"], "*:80": s["d"]}
    assert [listen.socket for listen in listens_of(s["d"])] == ["*:80"]
    assert server_key(s["c"]) == "c [127.0.0.1:8080, [::]:8080]"


def test_tls_belongs_to_the_socket(roots):
    facts = ServerFacts(roots("""
        server { listen 443; server_name plain-neighbour; }
        server { listen 0.0.0.0:443 ssl; server_name a; }
        server { listen 8443; ssl on; server_name default-says-ssl-on; }
        server { listen 8443; server_name neighbour-of-ssl-on; }
        server { listen 9443; server_name default-plain; }
        server { listen 9443; ssl on; server_name late-ssl-on; }
        server { listen 443 quic; listen 8080; server_name h3; }
        server { listen 8080; server_name tcp-neighbour-of-quic; }
    """))
    tls = {name for name, server in _servers(facts).items() if facts.is_tls(server)}
    # ssl on counts in the default server only: nginx picks TLS before it knows the name.
    assert tls == {"plain-neighbour", "a", "default-says-ssl-on", "neighbour-of-ssl-on", "h3"}
    assert facts.tls_sockets == {"*:443", "*:8443"}
    assert {server_names(s)[0] for s in facts.tls_default_servers()} == {"plain-neighbour", "default-says-ssl-on"}


def test_ssl_on_at_http_level_reaches_the_default_server(roots):
    facts = ServerFacts(roots("ssl on;\nserver { listen 8443; server_name a; }\n"))
    assert facts.tls_sockets == {"*:8443"}


def test_loopback_only_servers(roots):
    facts = ServerFacts(roots("""
        server { listen localhost:80; listen [0::1]:80; listen unix:/run/a.sock; server_name local; }
        server { listen 127.0.0.1:80; listen 80; server_name mixed; }
        server { server_name implied; }
    """))
    assert {name: facts.only_loopback(server) for name, server in _servers(facts).items()} == {
        "local": True, "mixed": False, "implied": False}


# The first server says ssl, the second listens on the same socket spelled another way.
SPELLED_TWO_WAYS = [("localhost:443", "127.0.0.1:443"), ("127.0.0.1:443", "localhost:443"), ("443", "0.0.0.0:443"),
                    ("[::]:443", "[0:0::0]:443"), ("[::1]:443", "[0:0:0:0:0:0:0:1]:443")]


@pytest.mark.parametrize(("ssl_listen", "plain_listen"), SPELLED_TWO_WAYS)
def test_routing_and_the_tls_selector_agree_on_every_server(roots, ssl_listen, plain_listen):
    """A TLS request routed to a server succeeds exactly when the policy
    `tls:` selector calls that server TLS, for every socket it listens on."""
    tree = roots(f"""
        server {{ listen {ssl_listen} ssl; server_name a; }}
        server {{ listen {plain_listen}; server_name b; }}
        server {{ listen 8080; server_name plain; }}
    """)
    index, router = ServerFacts([tree[0]]), Router(tree)  # the selector's view: one tree
    checked = 0
    for server in ServerFacts(tree).servers:
        for listen in listens_of(server):
            host, _, port = listen.socket.rpartition(":")
            address = {"*": "127.0.0.1", "[::]": "::1"}.get(host, host)
            found = router.route(Request(server_names(server)[0], "/", port=int(port), tls=True, address=address))
            assert (found.server is server) == index.is_tls(server), (server_names(server), found.reason)
            checked += 1
    assert checked == 3
    assert index.is_tls(ServerFacts(tree).servers[1])


def test_inspect_and_ws004_agree_on_a_socket_spelled_two_ways(tmp_path):
    site = tmp_path / "site.conf"
    site.write_text(textwrap.dedent("""\
        server {
            listen localhost:443 ssl;
            server_name a.test;
        }
        server {
            listen 127.0.0.1:443;
            server_name b.test;
            location /ws/ {
                proxy_pass http://127.0.0.1:8000;
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection upgrade;
            }
        }
        """))
    code, out, err = run_cli(["inspect", str(site), "--tls", "--port", "443", "--host", "b.test", "--uri", "/ws/",
                              "--format", "json"], tmp_path)
    assert code == 0, err
    document = json.loads(out)
    assert (document["server"]["line"], document["location"]["line"], document["status"]) == (5, 8, None)
    options = CheckOptions(packs=["websocket-streaming", "hardening"])  # WS004 and TLS004 are in opt-in packs
    findings = check([str(site)], options, prepare(options)).findings
    assert [(f.rule, f.line) for f in findings if f.rule == "WS004"] == [("WS004", 8)]


# -- state dies with the tree ---------------------------------------------------------


def _nodes_from(directory) -> int:
    """Live configuration nodes read from files under `directory` (Node has
    __slots__ and no __weakref__, so the collector's view is the honest count)."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Node) and o.file.startswith(str(directory)))


TLS_SITE = """\
server {
    listen 443 ssl;
    server_name a.test;
    ssl_certificate /etc/ssl/a.pem;
    ssl_certificate_key /etc/ssl/a.key;
    location /ws/ { proxy_pass http://127.0.0.1:8000; proxy_set_header Upgrade $http_upgrade; }
}
"""


def test_a_checked_tree_is_collected_after_check_returns(tmp_path):
    """No module-level cache keeps the tree (the TLS rules route to the
    default server of each TLS socket, which once cached the tree by id())."""
    (tmp_path / "site.conf").write_text(TLS_SITE)
    options = CheckOptions(packs=["websocket-streaming", "hardening"])  # WS004 and TLS004 are in opt-in packs
    result = check([str(tmp_path / "site.conf")], options, prepare(options))
    assert {f.rule for f in result.findings} >= {"TLS004", "WS004"}  # the TLS and routing paths ran
    assert _nodes_from(tmp_path) == 0


def test_a_routed_tree_is_collected_with_its_router(tmp_path):
    (tmp_path / "site.conf").write_text(TLS_SITE)
    tree = load([str(tmp_path / "site.conf")]).roots
    assert route(tree, Request("a.test", "/ws/x", port=443, tls=True)).location is not None
    assert ServerFacts([tree[0]]).tls_default_servers()
    assert _nodes_from(tmp_path) > 0
    del tree
    assert _nodes_from(tmp_path) == 0
