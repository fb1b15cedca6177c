"""Routing through nginx's rewrite phases: the server's `return`, `rewrite`,
`set` and `if` before any location is chosen, the chosen location's own
rewrites after, and the internal redirects that may follow (told, not
followed). tests/test_routing_live.py checks the same on random
configurations against a running nginx."""
from __future__ import annotations

import textwrap

import pytest

from nginxlint.reading.loader import load
from nginxlint.routing.route import Request, route
from nginxlint.semantics.servers import describe_location


@pytest.fixture
def site(tmp_path):
    """site(server_body) -> ask(uri, host=…, **request) -> Route, for one server listening on 80."""

    def make(body: str, extra: str = ""):
        path = tmp_path / "nginx.conf"
        path.write_text("events {}\nhttp {\n" + extra + "\nserver {\n listen 80;\n listen 443 ssl;\n"
                        " server_name a.test b.test;\n" + textwrap.dedent(body) + "\n}\n}\n")
        loaded = load([str(path)])
        assert not loaded.problems and not loaded.errors
        return lambda uri, host="a.test", **kw: route(loaded.roots, Request(host, uri, **kw))

    return make


def where(result) -> str | None:
    return describe_location(result.location) if result.location else None


def test_a_server_level_return_answers_before_any_location(site):
    ask = site("return 301 https://$host$request_uri;\nlocation / { proxy_pass http://127.0.0.1:9; }")
    result = ask("/ws/?x=1", host="B.test")
    assert result.status == 301 and result.locations == ()
    assert result.answered_by.name == "return" and result.target == "https://b.test/ws/?x=1"
    assert "server-level return 301" in result.reason


def test_a_server_level_rewrite_changes_the_uri_locations_are_chosen_for(site):
    ask = site("""
        rewrite ^/old/(.*)$ /new/$1 last;
        rewrite ^/new/x$ /never;
        location /new/ { }
        location /old/ { }
    """)
    result = ask("/old/x")
    assert where(result) == "/new/" and result.uri == "/new/x" and result.status is None


def test_rewrite_without_flag_goes_on_and_break_stops_the_server_phase(site):
    ask = site("""
        rewrite ^/a$ /b;
        rewrite ^/b$ /c;
        rewrite ^/s$ /t break;
        rewrite ^/t$ /u;
        location = /c { }
        location = /t { }
        location = /u { }
    """)
    assert ask("/a").uri == "/c" and where(ask("/a")) == "= /c"
    assert where(ask("/s")) == "= /t"


@pytest.mark.parametrize(("line", "status", "target"), [
    ("rewrite ^/go http://x.test/ permanent;", 301, "http://x.test/"),
    ("rewrite ^/go /elsewhere redirect;", 302, "/elsewhere"),
    ("rewrite ^/go https://$host/new;", 302, "https://a.test/new"),
    ("return https://x.test/;", 302, "https://x.test/"),
    ("return 444;", 444, None),
])
def test_redirecting_rewrites_and_returns_answer(site, line, status, target):
    result = site(line + "\nlocation / { }")("/go")
    assert (result.status, result.target, result.locations) == (status, target, ())


def test_if_on_what_the_request_carries_is_decided(site):
    ask = site("""
        if ($host = b.test) { return 418; }
        if ($scheme = http) { return 419; }
        if ($request_uri ~* ^/ADMIN) { return 403; }
        set $v "x$uri";
        if ($v = x/set) { return 420; }
        location / { }
    """)
    assert ask("/", host="b.test").status == 418
    assert ask("/").status == 419
    assert ask("/", port=443, tls=True).status is None
    assert ask("/admin/x", port=443, tls=True).status == 403
    assert ask("/set", port=443, tls=True).status == 420


def test_an_if_the_request_cannot_decide_is_named_and_taken_as_false(site):
    ask = site("if ($http_x_debug) { return 403; }\nif (!-f $request_filename) { return 404; }\nlocation / { }")
    result = ask("/")
    assert result.status is None and where(result) == "/"
    assert [u.split(" at ")[0] for u in result.undecided] == ["if ($http_x_debug)", "if (!-f $request_filename)"]
    assert "depends on" in result.reason


def test_an_if_on_a_map_of_the_host_is_decided(site):
    ask = site("if ($blocked) { return 403; }\nlocation / { }",
               extra="map $host $blocked { default 0; b.test 1; }")
    assert ask("/", host="b.test").status == 403 and ask("/").status is None


def test_a_location_return_answers_and_its_rewrite_last_searches_again(site):
    ask = site("""
        location /a/ { rewrite ^/a/(.*)$ /b/$1 last; return 200 "a"; }
        location /b/ { return 200 "b"; }
        location /c/ { rewrite ^ /b/ break; return 200 "c"; }
    """)
    result = ask("/a/x")
    assert where(result) == "/b/" and result.uri == "/b/x" and (result.status, result.target) == (200, "b")
    result = ask("/c/")
    assert where(result) == "/c/" and result.status is None  # break: the location's return never runs


def test_a_rewrite_reaches_an_internal_location(site):
    ask = site("rewrite ^/in$ /private/ last;\nlocation /private/ { internal; }")
    assert ask("/private/").status == 404
    assert ask("/in").status is None and where(ask("/in")) == "/private/"


def test_a_rewrite_cycle_is_a_500_after_ten_uri_changes(site):
    ask = site("location /loop/ { rewrite ^ /loop/again; }\nlocation /nine/ { }")
    result = ask("/loop/")
    assert result.status == 500 and "rewrite cycle" in result.reason
    assert result.reason.count("location rewrite") == 2  # told twice, not eleven times


def test_location_rewrites_are_not_inherited_by_nested_locations(site):
    ask = site("location /a/ { return 403; location /a/b/ { } }")
    assert ask("/a/b/").status is None and ask("/a/x").status == 403


def test_internal_redirects_are_told(site):
    ask = site("""
        location / { try_files $uri $uri/ /index.php?$args; }
        location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; }
        location /e/ { error_page 404 = @fallback; return 404; }
        location /static/ { index index.htm; }
        location @fallback { }
    """)
    (told,) = ask("/x").then
    assert told.startswith("when no file of try_files matches (")
    assert told.endswith("redirected internally to /index.php? (location ~ \\.php$, " + f"{ask('/x.php').location.where()})")
    assert ask("/e/").then[0].endswith("named location @fallback")
    assert ask("/static/").then == ("when an index file (index.htm) exists: redirected internally to "
                                    "/static/<index file>",)
