"""SEC002's decision: does the client choose the host a *_pass connects to?"""
from __future__ import annotations

import pytest

from nginxlint.checks.ssrf_upstream import client_chooses_host
from nginxlint.reading.tree import Node
from nginxlint.semantics.dataflow import DataFlow
from nginxlint.semantics.variables import MapIndex


def _chooses(target: str) -> bool:
    """SEC002's answer for a target written alone: no set, map or regex around it."""
    node = Node("proxy_pass", (target,), "t.conf", 1, "location", None)
    return any(client_chooses_host(way) for way in DataFlow(MapIndex([])).expand(target, node))


@pytest.mark.parametrize("target", [
    "http://$1", "http://$1.internal.example.com", "http://${1}", "http://$1abc",  # $1 then "abc"
    "$arg_url", "$request_uri", "$uri", "$args", "$request",
    "$http_x_backend:9000", "grpc://$host:50051", "uwsgi://${cookie_node}", "$arg_s:4000",
    "https://$http_host", "$scheme://$host$request_uri", "HTTP://$host", "http://$request_uri",
    "http://user@$arg_h/path",
])
def test_client_chooses(target):
    assert _chooses(target)


@pytest.mark.parametrize("target", [
    "http://backend", "http://backend$request_uri", "http://backend/images/$1", "http://backend/search?q=$arg_q",
    "http://images_backend?from=$arg_src", "http://$hostname:8080", "http://$server_name:8080",
    "http://$tenant_upstream", "unix:/run/php/php-fpm.sock", "unix:/run/$arg_x.sock", "127.0.0.1:3031",
    "http://$hosts", "http://$http_", "http://backend:$server_port", "",
    "${HOST}:${PORT}",  # an envsubst placeholder, as in Docker templates (nginx itself would read $host)
])
def test_server_chooses(target):
    assert not _chooses(target)
