"""SEC014's decision: is a resolver argument a public address?"""
from __future__ import annotations

import pytest

from nginxlint.checks.public_resolver import is_public_resolver


@pytest.mark.parametrize("arg", [
    "8.8.8.8", "1.1.1.1", "8.8.8.8:53", "9.9.9.9:53", "172.32.0.10", "100.128.0.1", "192.169.0.1",
    "[2001:4860:4860::8888]", "[2001:4860:4860::8888]:53", "2606:4700:4700::1111",
])
def test_public(arg):
    assert is_public_resolver(arg)


@pytest.mark.parametrize("arg", [
    "127.0.0.1", "127.0.0.53", "127.0.0.1:5353", "10.0.0.2", "172.16.0.10", "172.31.255.1", "192.168.1.1",
    "169.254.169.253", "169.254.169.254", "100.64.0.10", "100.127.0.1", "100.100.2.136",  # link-local, CGNAT
    "[::1]", "[::1]:5353", "[fd00::53]", "[fe80::1]", "0.0.0.0",
    "localhost", "localhost:53", "consul:8600", "kube-dns.kube-system.svc.cluster.local",
    "${NGINX_LOCAL_RESOLVERS}", "valid=30s", "ipv6=off", "status_zone=dns", "999.1.1.1", "",
])
def test_not_public(arg):
    assert not is_public_resolver(arg)
