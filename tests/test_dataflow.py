"""Where a variable gets its value (semantics/dataflow.py) and what a regex group can hold
(semantics/regex_groups.py): the answers SEC002 and SEC003 are built on."""
from __future__ import annotations

import textwrap

import pytest

from nginxlint.reading.loader import load
from nginxlint.reading.tree import walk
from nginxlint.routing.pcre import named_captures
from nginxlint.semantics.dataflow import Builtin, Capture, DataFlow
from nginxlint.semantics.regex_groups import can_match_newline, group, is_literal_choice, starts_with_slash
from nginxlint.semantics.variables import MapIndex

SITE = """\
    map $arg_to $destination {
        default $arg_to;
        ~^/m/(?<tail>.+)$ /moved/$1;
        local 127.0.0.1;
    }
    map $destination $hop {
        default $destination;
    }
    server {
        listen 80;
        server_name ~^(?<tenant>\\w+)\\.example\\.com$;
        set $everywhere $cookie_x;
        location ~ ^/loc/(?<name>[^/]+)/([^/]+)$ {
            set $one $2;
            set $two $one;
            if ($http_x_mode ~ ^(\\w+)$) {
                set $mode $1;
            }
            set $loop $loop;
            proxy_pass http://x/$two$name$mode$everywhere$hop$loop$tenant$1;
        }
        location /other {
            proxy_pass http://x/$one;
        }
    }
"""


@pytest.fixture
def passes(tmp_path):
    """{location path: (its proxy_pass node, DataFlow)} of SITE."""
    path = tmp_path / "site.conf"
    path.write_text(textwrap.dedent(SITE))
    config = load([str(path)])
    assert not config.problems, config.problems
    flow = DataFlow(MapIndex(config.maps))
    return {node.location.args[-1]: (node, flow) for node in walk(config.roots[0]) if node.name == "proxy_pass"}


def _expand(passes, location: str, value: str) -> list[tuple]:
    node, flow = passes[location]
    return flow.expand(value, node)


LOC = "^/loc/(?<name>[^/]+)/([^/]+)$"


@pytest.mark.parametrize(("value", "ways"), [
    ("$two", [(Capture(LOC, "2", "$uri", escaped=True),)]),  # $two <- $one <- set $one $2: set escapes it
    ("/x/$1", [("/x/", Capture(LOC, "1", "$uri", escaped=False))]),  # proxy_pass copies it raw
    ("$name", [(Capture(LOC, "name", "$uri", escaped=False),)]),  # a named capture of the location
    ("$mode", [(Capture("^(\\w+)$", "1", "$http_x_mode", escaped=True),)]),  # set inside an if: the if's regex
    ("$everywhere", [(Builtin("cookie_x"),)]),  # a server-level set runs before every location
    ("$loop", [(Builtin("loop"),)]),  # set $loop $loop: not followed round
    ("$tenant", [(Capture("^(?<tenant>\\w+)\\.example\\.com$", "tenant", "$host", escaped=False),)]),
    ("$hop", [(Builtin("arg_to"),), ("/moved/", Capture("^/m/(?<tail>.+)$", "1", "$arg_to", escaped=False)), ("127.0.0.1",)]),
    ("$remote_addr:${server_port}", [(Builtin("remote_addr"), ":", Builtin("server_port"))]),
])
def test_each_variable_is_followed_to_where_nginx_fills_it(passes, value, ways):
    assert _expand(passes, LOC, value) == ways


def test_a_set_in_another_location_does_not_run(passes):
    assert _expand(passes, "/other", "$one") == [(Builtin("one"),)]


@pytest.mark.parametrize(("value", "there", "here"), [
    ("$one", (Builtin("one"),), (Capture(LOC, "2", "$uri", escaped=True),)),  # set in this location only
    ("$name", (Builtin("name"),), (Capture(LOC, "name", "$uri", escaped=False),)),  # this location's named group
    ("${2}", (Capture(None, "2", "$uri", escaped=False),), (Capture(LOC, "2", "$uri", escaped=False),)),
])
def test_a_value_followed_once_is_followed_again_where_it_is_filled_otherwise(passes, value, there, here):
    """expand() follows a value nothing near it fills once per tree: the
    same value where a set, a named group or a numbered capture fills it is
    followed there."""
    assert _expand(passes, "/other", value) == [there]
    assert _expand(passes, LOC, value) == [here]
    assert _expand(passes, "/other", value) == [there]


SERVERS = """\
    server { location / { proxy_pass http://$h; } }
    server { location / { proxy_pass http://$h; if ($x) { set $h $http_x; } } }
    server { location ~ ^/(?<h>[a-z]+) { proxy_pass http://$h; } }
    server { server_name ~^(?<H>.+)$; location / { proxy_pass http://$h; } }
    server { location / { proxy_pass http://$h; } }
"""


def test_a_server_that_fills_nothing_does_not_decide_for_the_others(tmp_path):
    """The same value in five servers, followed in file order: where no set
    line and no named group fills its variable (the first and last), nginx
    fills it; in the others, what fills it there."""
    path = tmp_path / "servers.conf"
    path.write_text(textwrap.dedent(SERVERS))
    config = load([str(path)])
    flow = DataFlow(MapIndex(config.maps))
    found = [flow.expand("http://$h", node) for node in walk(config.roots[0]) if node.name == "proxy_pass"]
    assert found == [[("http://", Builtin("h"))], [("http://", Builtin("http_x"))],
                     [("http://", Capture("^/(?<h>[a-z]+)", "h", "$uri", escaped=False))],
                     [("http://", Capture("^(?<H>.+)$", "H", "$host", escaped=False))], [("http://", Builtin("h"))]]


@pytest.mark.parametrize(("regex", "ref", "newline", "slash", "choice"), [
    ("^/a/([^/]+)$", "1", True, False, False),
    ("^/a/([a-z0-9]+)$", "1", False, False, False),
    ("^/a/(\\d+)$", "1", False, False, False),
    ("^/a/(\\D+)$", "1", True, False, False),
    ("^/a/(.*)$", "1", False, False, False),
    ("(?s)^/a/(.*)$", "1", True, False, False),
    ("^/api(/.*)$", "1", False, True, False),
    ("^/api(?<rest>\\/.*)$", "rest", False, True, False),
    ("^/(https?)/(.*)$", "1", False, False, True),
    ("^/(?:x|y)/(eu|us-east)/", "1", False, False, True),
    ("^/(?<x>[^/]+)/(\\w+)$", "2", False, False, False),
    ("^/a/(\\w+)$", "2", False, False, False),  # no such group
])
def test_what_a_group_can_hold(regex, ref, newline, slash, choice):
    assert (can_match_newline(regex, ref), starts_with_slash(regex, ref), is_literal_choice(regex, ref)) == (newline, slash, choice)


def test_groups_are_numbered_as_pcre_numbers_them():
    regex = "^/(?:a|b)/(?<name>[^/]+)/(?P<other>x)(?'third'y)(?=z)([(])"
    assert sorted(named_captures(regex)) == ["name", "other", "third"]
    assert [group(regex, str(n)) for n in range(1, 6)] == ["(?<name>[^/]+)", "(?P<other>x)", "(?'third'y)", "([(])", None]
    assert group(regex, "other") == "(?P<other>x)"
