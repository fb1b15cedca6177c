"""A resolver on a public DNS server.

nginx's resolver is a stub without DNSSEC, so its answers should come from a
server on the host or the private network. Whether an address is public is
a question about IP ranges (loopback, RFC 1918, link-local, CGNAT, ULA and
the rest of IANA's special-purpose list) that `ipaddress` answers exactly; as
a regex it was 220 characters that knew only some of them.
"""
from __future__ import annotations

import ipaddress

from ..findings.records import Failure
from .view import TreeView
from .written import fields


def check(tree: TreeView) -> list[Failure]:
    return [Failure(node, fields(node), None) for node in tree.statements("resolver")
            if any(is_public_resolver(arg) for arg in node.args)]


def is_public_resolver(arg: str) -> bool:
    """Is this resolver argument a globally routable address, with or without
    a port (8.8.8.8:53, [2001:4860:4860::8888]:53)? Names (localhost,
    consul:8600) and parameters (valid=30s) are not addresses: False."""
    if arg.startswith("["):
        host = arg[1:].partition("]")[0]
    else:
        host = arg.partition(":")[0] if arg.count(":") == 1 else arg
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return False
