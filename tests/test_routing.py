"""Request routing, rule by rule (semantics §5.1–5.3, §6.1–6.3).

Each test loads a small nginx.conf through the real loader and asks
`route()` where a request goes; tests/test_routing_live.py checks the same
emulation against a running nginx on randomized configurations.
"""
from __future__ import annotations

import textwrap

import pytest

from nginxlint.reading.loader import load
from nginxlint.routing.route import Request, Route, Router, route
from nginxlint.semantics.servers import describe_location, server_names

PASS = "proxy_pass http://127.0.0.1:9;"


@pytest.fixture
def config(tmp_path):
    """config(http_text) -> roots of an nginx.conf whose http block holds http_text."""

    def make(http: str):
        path = tmp_path / "nginx.conf"
        path.write_text("events {}\nhttp {\n" + textwrap.dedent(http) + "\n}\n")
        loaded = load([str(path)])
        assert not loaded.problems and not loaded.errors
        return loaded.roots

    return make


@pytest.fixture
def locations(config):
    """locations(server_body) -> where(uri): the location a request for uri selects, shown as written."""

    def make(body: str):
        roots = config("server {\n listen 80;\n" + textwrap.dedent(body) + "\n}")

        def where(uri: str) -> str | None:
            result = route(roots, Request("example.test", uri))
            return describe_location(result.location) if result.location else None

        return where

    return make


def go(roots, uri="/", host="example.test", **kw) -> Route:
    return route(roots, Request(host, uri, **kw))


def name(result: Route) -> str:
    return server_names(result.server)[0] if server_names(result.server) else ""


# -- §5.2 location selection ---------------------------------------------------------


def test_exact_beats_prefix_of_the_same_name(locations):
    where = locations("location /x {}  location = /x {}")
    assert where("/x") == "= /x"
    assert where("/xy") == "/x"


def test_longest_prefix_wins_whatever_the_order(locations):
    where = locations("location /api/v1/ {}  location /api/ {}  location / {}")
    assert where("/api/v1/users") == "/api/v1/"
    assert where("/api/v2/users") == "/api/"
    assert where("/other") == "/"


def test_glued_modifiers(locations):
    where = locations(r"location =/x {}  location ~*\.PHP$ {}  location ^~/s/ {}  location / {}")
    assert where("/x") == "= /x"
    assert where("/a/b.php") == r"~* \.PHP$"
    assert where("/s/b.php") == "^~ /s/"


def test_regex_beats_longer_prefix_first_regex_in_file_order_wins(locations):
    where = locations(r"location /img/ {}  location ~ \.png$ {}  location ~* \.(png|jpg)$ {}")
    assert where("/img/a.png") == r"~ \.png$"
    assert where("/img/a.JPG") == r"~* \.(png|jpg)$"
    assert where("/img/a.PNG") == r"~* \.(png|jpg)$"  # ~ is case-sensitive, ~* is not
    assert where("/img/a.gif") == "/img/"


def test_caret_tilde_stops_regexes_at_its_own_level(locations):
    where = locations(r"location ^~ /static/ {}  location ~ \.css$ {}")
    assert where("/static/a.css") == "^~ /static/"
    assert where("/other/a.css") == r"~ \.css$"


def test_nested_caret_tilde_does_not_shield_the_outer_regexes(locations):
    where = locations(r"""
        location /a/ { location ^~ /a/b/ {} location ~ \.js$ {} }
        location ~ \.php$ {}
    """)
    assert where("/a/b/x.php") == r"~ \.php$"  # the outer level's regexes still run
    assert where("/a/b/x.js") == "^~ /a/b/"  # but the nested level's regexes do not


def test_nested_regex_is_tried_before_the_outer_regexes(locations, config):
    where = locations(r"location /a/ { location ~ \.php$ { return 200 inner; } }  location ~ \.php$ {}")
    assert where("/a/x.php") == r"~ \.php$"
    roots = config(r"server { location /a/ { location ~ \.php$ {} } location ~ \.php$ {} }")
    chain = go(roots, "/a/x.php").locations
    assert [describe_location(n) for n in chain] == ["/a/", r"~ \.php$"]
    assert chain[1].parent is chain[0]


def test_outer_regex_beats_a_nested_prefix(locations):
    where = locations("location /a/ { location /a/b/ {} }  location ~ /b/ {}")
    assert where("/a/b/c") == "~ /b/"
    assert where("/a/c/d") == "/a/"


def test_nested_prefix_chain_is_reported_outer_to_inner(config):
    roots = config("server { location /a/ { location /a/b/ { location /a/b/c/ {} } } }")
    result = go(roots, "/a/b/c/d")
    assert [describe_location(n) for n in result.locations] == ["/a/", "/a/b/", "/a/b/c/"]
    assert result.status is None and "longest prefix /a/" in result.reason


def test_regex_location_with_nested_locations(locations):
    where = locations(r"location ~ ^/r/ { location ~ \.txt$ {} }  location / {}")
    assert where("/r/a.txt") == r"~ \.txt$"
    assert where("/r/a.bin") == "~ ^/r/"


def test_auto_redirect_301_beats_a_regex(config):
    roots = config(rf"server {{ location /y/ {{ {PASS} }}  location ~ ^/y$ {{}} }}")
    result = go(roots, "/y?a=1")
    assert result.status == 301 and describe_location(result.location) == "/y/"
    assert go(roots, "/y/").status is None
    assert go(roots, "/yy").status is None


def test_auto_redirect_also_from_an_exact_location_and_nested(config):
    roots = config(f"server {{ location = /e/ {{ {PASS} }}  location /n/ {{ location /n/m/ {{ {PASS} }} }} }}")
    assert go(roots, "/e").status == 301
    assert go(roots, "/n/m").status == 301
    assert [describe_location(n) for n in go(roots, "/n/m").locations] == ["/n/", "/n/m/"]


def test_no_auto_redirect_when_a_location_has_the_name_or_pass_is_not_direct(config):
    roots = config(f"""server {{
        location /z/ {{ {PASS} }}  location /z {{}}
        location /i/ {{ if ($x) {{ {PASS} }} }}
        location /l/ {{ limit_except GET {{ {PASS} }} }}
        location = /q {{}}  location /q/ {{ {PASS} }}
    }}""")
    assert go(roots, "/z").status is None and describe_location(go(roots, "/z").location) == "/z"
    assert go(roots, "/i").status is None
    assert go(roots, "/l").status is None
    assert describe_location(go(roots, "/q").location) == "= /q"


def test_static_locations_nested_in_a_regex_location_are_never_selected(config):
    # nginx builds static trees only below static locations, so inside a
    # regex location only nested regexes are tried (found by the live test).
    roots = config(rf"""server {{
        location ~ /r {{ location /r/x/ {{ {PASS} }} location = /r/e {{}} location ~ \.txt$ {{}} }}
    }}""")
    for uri in ("/r/x", "/r/x/y", "/r/e"):
        result = go(roots, uri)
        assert result.status is None and describe_location(result.location) == "~ /r"
    assert describe_location(go(roots, "/r/x/a.txt").location) == r"~ \.txt$"


def test_named_locations_are_never_selected(config):
    roots = config("server { location @fallback {} location @x {} }")
    for uri in ("/", "/@fallback", "/x"):
        result = go(roots, uri)
        assert result.locations == () and result.status is None
        assert "served at server level" in result.reason


def test_internal_location_gives_404_also_for_nested_and_redirect(config):
    roots = config(f"""server {{
        location /in/ {{ internal; location /in/deep/ {{}} }}
        location /r/ {{ internal; {PASS} }}
        location / {{}}
    }}""")
    assert go(roots, "/in/x").status == 404
    assert go(roots, "/in/deep/x").status == 404  # `internal` is inherited
    assert go(roots, "/r").status == 404  # checked before the 301
    assert go(roots, "/x").status is None


@pytest.mark.parametrize("uri", ["/api%2Fv1/x", "//api///v1/x", "/api/v2/../v1/x", "/api/./v1/x",
                                 "/%61pi/v1/x?q=/admin/"])
def test_uri_is_normalised_before_matching(locations, uri):
    where = locations("location /api/v1/ {}  location /admin/ {}  location / {}")
    assert where(uri) == "/api/v1/"


def test_encoded_dot_segments_escape_a_prefix(locations):
    where = locations("location /api/v1/ {}  location /admin/ {}")
    assert where("/api/v1/%2e%2e/%2e%2e/admin/x") == "/admin/"


NORMALISED = [
    ("/a/.", "/a/"), ("/a/..", "/"), ("/a/b/../../c", "/c"), ("/a/...", "/a/..."), ("/a/.b", "/a/.b"),
    ("/a%3Fb?c", "/a?b"), ("/a%23b", "/a#b"), ("/a%2525", "/a%25"), ("/a#frag", "/a"), ("/a/..?q", "/"),
    ("/a/.#f", "/a/"), ("/caf\u00e9", "/caf\u00e9"), ("/%C3%A9t%c3%a9", "/\u00e9t\u00e9"), ("/b%2f%2E%2e/c", "/c"),
]


@pytest.mark.parametrize("raw, expected", NORMALISED)
def test_uri_normalisation_byte_by_byte(config, raw, expected):
    """What ngx_http_parse_complex_uri makes of each URI, seen through an exact location."""
    exact = " ".join(f'location = "{path}" {{}}' for path in {e for _, e in NORMALISED})
    roots = config(f"server {{ {exact} }}")
    result = go(roots, raw)
    assert result.location is not None and result.location.args[1] == expected, result.reason


@pytest.mark.parametrize("raw", ["/../x", "/a/%2e%2e/%2e%2e/x", "/a%zz", "/a%2", "/a%00", "a", "/a b", "/a\x01"])
def test_invalid_uri_is_400(config, raw):
    roots = config("server { location / {} }")
    result = go(roots, raw)
    assert result.status == 400 and result.locations == ()


def test_merge_slashes_off_comes_from_the_default_server(config):
    roots = config("""
        server { listen 80 default_server; merge_slashes off; location /a/ {} location / {} }
        server { listen 80; server_name b.test; location /a/ {} location / {} }
    """)
    assert describe_location(go(roots, "//a/x").location) == "/"
    assert describe_location(go(roots, "//a/x", host="b.test").location) == "/"
    assert describe_location(go(roots, "/a//x").location) == "/a/"


def test_invalid_uri_is_answered_by_the_default_server(config):
    roots = config("server { listen 80; server_name a.test; } server { listen 80 default_server; server_name d.test; }")
    result = go(roots, "/../etc/passwd", host="a.test")
    assert result.status == 400 and name(result) == "d.test"


def test_worked_example_regex_steals_websocket_path(config):
    """§5.3: `location ~ /ws/` steals the voice stream from `location /api/v1/ws/`."""
    flat = config(r"""server {
        location / {}
        location /api/ { proxy_pass http://127.0.0.1:9; }
        location /api/v1/ws/ { proxy_pass http://127.0.0.1:9; }
        location ~* \.(js|css|png)$ {}
        location ~ /ws/ {}
    }""")
    result = go(flat, "/api/v1/ws/streaming-voice")
    assert describe_location(result.location) == "~ /ws/"
    assert "longest prefix /api/v1/ws/, then regex ~ /ws/" in result.reason
    nested = config(r"""server {
        location /api/ { proxy_pass http://127.0.0.1:9; location /api/v1/ws/ {} }
        location ~ /ws/ {}
    }""")
    assert describe_location(go(nested, "/api/v1/ws/streaming-voice").location) == "~ /ws/"
    fixed = config(r"server { location ^~ /api/v1/ws/ {} location ~ /ws/ {} }")
    assert describe_location(go(fixed, "/api/v1/ws/streaming-voice").location) == "^~ /api/v1/ws/"


# -- §6 server selection ----------------------------------------------------------------


def test_default_server_takes_unknown_hosts(config):
    roots = config("""
        server { listen 80; server_name a.test; }
        server { listen 80 default_server; server_name b.test; }
    """)
    assert name(go(roots, host="a.test")) == "a.test"
    result = go(roots, host="unknown.test")
    assert name(result) == "b.test" and "default_server" in result.reason


def test_first_server_is_the_default_without_default_server(config):
    roots = config("""
        server { listen 80; server_name a.test; }
        server { listen 80; server_name b.test; }
    """)
    assert name(go(roots, host="unknown.test")) == "a.test"
    assert name(go(roots, host="B.TEST:8080")) == "b.test"  # case and port ignored
    assert name(go(roots, host="b.test.")) == "b.test"  # one trailing dot ignored


def test_server_without_listen_listens_on_port_80(config):
    roots = config("server { server_name a.test; }")
    assert name(go(roots, host="a.test")) == "a.test"
    assert go(roots, port=8080).server is None


def test_wildcard_names_order(config):
    roots = config(r"""
        server { listen 80; server_name default.test; }
        server { listen 80; server_name ~^www\.wild\.test$ ~^mail\.; }
        server { listen 80; server_name mail.*; }
        server { listen 80; server_name mail.wild.*; }
        server { listen 80; server_name *.wild.test; }
        server { listen 80; server_name *.a.wild.test; }
        server { listen 80; server_name www.wild.test; }
        server { listen 80; server_name .dot.test; }
    """)
    assert name(go(roots, host="www.wild.test")) == "www.wild.test"  # exact beats wildcard and regex
    assert name(go(roots, host="x.wild.test")) == "*.wild.test"
    assert name(go(roots, host="x.y.wild.test")) == "*.wild.test"  # any depth
    assert name(go(roots, host="x.a.wild.test")) == "*.a.wild.test"  # longest leading wildcard
    assert name(go(roots, host="wild.test")) == "default.test"  # *.x does not match x
    assert name(go(roots, host="mail.wild.test")) == "*.wild.test"  # leading before trailing
    assert name(go(roots, host="mail.example.org")) == "mail.*"
    assert name(go(roots, host="mail.wild.org")) == "mail.wild.*"  # longest trailing wildcard
    assert name(go(roots, host="mail")) == "default.test"  # mail.* needs a label after
    assert name(go(roots, host="dot.test")) == ".dot.test"
    assert name(go(roots, host="a.b.dot.test")) == ".dot.test"


def test_regex_server_names_are_case_insensitive_and_tried_in_order(config):
    roots = config(r"""
        server { listen 80; server_name default.test; }
        server { listen 80; server_name ~^api\d+\.Example\.COM$; }
        server { listen 80; server_name ~example; }
    """)
    assert name(go(roots, host="API7.example.com")).startswith("~^api")
    assert name(go(roots, host="www.example.com")) == "~example"
    assert "regex server_name" in go(roots, host="www.example.com").reason


def test_request_without_host_goes_to_the_empty_name_server(config):
    roots = config("""
        server { listen 80 default_server; server_name d.test; }
        server { listen 80; server_name x.test ""; }
    """)
    assert name(go(roots, host=None)) == "x.test"
    assert name(go(roots, host="other.test")) == "d.test"
    implicit = config("""
        server { listen 80 default_server; server_name d.test; }
        server { listen 80; }
    """)
    assert server_names(go(implicit, host=None).server) == []


def test_invalid_host_is_400(config):
    roots = config("server { listen 80; server_name a.test; }")
    for host in ("", "a..test", "a/b", ":80"):
        assert go(roots, host=host).status == 400


def test_specific_address_beats_wildcard_listen(config):
    roots = config("""
        server { listen 8080; server_name wild.test; }
        server { listen 127.0.0.2:8080; server_name specific.test; }
    """)
    # Host is ignored for servers that do not listen on the exact address.
    assert name(go(roots, host="wild.test", port=8080, address="127.0.0.2")) == "specific.test"
    assert name(go(roots, host="specific.test", port=8080, address="127.0.0.1")) == "wild.test"
    assert go(roots, port=8081).server is None


def test_ipv6_listen(config):
    roots = config("""
        server { listen [::]:80; server_name v6.test; }
        server { listen 80; server_name v4.test; }
    """)
    assert name(go(roots, address="::1")) == "v6.test"
    assert name(go(roots, address="127.0.0.1")) == "v4.test"


def test_plain_http_to_a_tls_port_is_400(config):
    roots = config("""
        server { listen 443 ssl; server_name a.test; }
        server { listen 443; server_name b.test; }
    """)
    assert go(roots, host="b.test", port=443).status == 400
    result = go(roots, host="b.test", port=443, tls=True)
    assert result.status is None and name(result) == "b.test"  # TLS is a property of the socket
    assert go(roots, port=80, tls=True).server is None


def test_servers_from_several_roots_and_included_files(tmp_path):
    sites = tmp_path / "sites-enabled"
    sites.mkdir()
    (sites / "a").write_text("server { listen 80; server_name a.test; location /a/ {} }\n")
    (sites / "b").write_text("server { listen 80; server_name b.test; location /b/ {} }\n")
    roots = load([str(sites / "a"), str(sites / "b")]).roots
    result = go(roots, "/b/x", host="b.test")
    assert describe_location(result.location) == "/b/"
    assert name(go(roots, "/", host="zzz")) == "a.test"


def test_a_server_s_location_tree_is_built_once_for_many_requests(config, monkeypatch):
    """What keeps routing many requests cheap: each server's
    location tree is built at its first request and reused (counted, not
    timed: bench/bench.py measures time)."""
    from nginxlint.routing import location_select

    built = []
    real = location_select._Level.__init__

    def counting(self, *args, **kwargs):
        built.append(args)
        real(self, *args, **kwargs)

    monkeypatch.setattr(location_select._Level, "__init__", counting)
    body = "\n".join(f"location /p{i}/ {{ location /p{i}/n/ {{}} }} location ~ ^/r{i}/ {{}}" for i in range(200))
    roots = config(f"server {{ listen 80; server_name a.test; {body} }}")
    router = Router(roots)
    router.route(Request("a.test", "/"))
    first = len(built)
    results = [router.route(Request("a.test", f"/p{i % 200}/n/x{i}.html?q=1")) for i in range(1000)]
    assert all(describe_location(r.location).endswith("/n/") for r in results)
    assert first >= 1 and len(built) == first


def test_pcre_spellings_are_translated_for_python_re(locations):
    where = locations(r"""
        location ~ ^/files/[[:digit:]]+$ {}
        location ~ "^/u/(?<id>\d+)$" {}
        location ~ "^/n/(?'name'[a-z]+)\z" {}
        location / {}
    """)
    assert where("/files/123") == "~ ^/files/[[:digit:]]+$"
    assert where("/files/12a") == "/"
    assert where("/u/42") == r"~ ^/u/(?<id>\d+)$"
    assert where("/n/abc") == r"~ ^/n/(?'name'[a-z]+)\z"


def test_reason_tells_server_and_location_steps(config):
    roots = config(r"""
        server { listen 80; server_name a.test; location /api/ { location ~ /ws/ {} } location ~ \.js$ {} }
        server { listen 80; server_name b.test; }
    """)
    assert go(roots, "/api/v1/ws/x", host="a.test").reason == (
        '*:80: exact server_name "a.test"; longest prefix /api/, then nested regex ~ /ws/')
    assert go(roots, "/x", host="zzz").reason == (
        "*:80: no server_name matches: first server, the default; no location matches: served at server level")
