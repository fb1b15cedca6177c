"""Selector keys that describe a block: each a frozen class that reads its
own key from the policy (`from_yaml`, errors at the key's line) and answers
for one block (`holds`), side by side."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Protocol

from ...reading.tree import Node, walk
from ...semantics.servers import STREAM_MAIL_SERVERS, enclosing_server, location_path, server_names
from ..compiling import Compiler
from ..scope import Scope
from ..yamlload import Map, Seq

KINDS = {"http": "http", "server": "server", "location": "location",
         "if": "if-in-location", "limit_except": "limit_except",
         "stream_server": "stream-server", "mail_server": "mail-server"}
MODIFIERS = {"prefix": "", "=": "=", "^~": "^~", "~": "~", "~*": "~*", "@": "@"}


class Condition(Protocol):
    """A fact a selected block must have."""

    def holds(self, block: Node, scope: Scope) -> bool: ...


def listed(value: object) -> list:
    """A selector value that may be one item or a list of them."""
    return list(value) if isinstance(value, Seq) else [value]


@dataclass(frozen=True)
class Kind:
    """`kind:` the block is one of these (http, server, location, if, limit_except)."""

    key: ClassVar[str] = "kind"
    kinds: frozenset[str]

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Kind:
        names = listed(select[cls.key])
        for name in names:
            if not isinstance(name, str) or name not in KINDS:
                raise compiler.error(select.line_of(cls.key), f"unknown kind {name!r}; known: {', '.join(KINDS)}")
        return cls(frozenset(KINDS[n] for n in names or KINDS))

    def holds(self, block: Node, scope: Scope) -> bool:
        return block.inner in self.kinds


@dataclass(frozen=True)
class _Flag:
    """A yes/no fact of the block: `key: "true"` selects blocks that have
    it, `key: "false"` those that do not."""

    key: ClassVar[str]
    want: bool

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> _Flag:
        return cls(compiler.flag(select[cls.key], select.line_of(cls.key), cls.key))

    def holds(self, block: Node, scope: Scope) -> bool:
        return self.fact(block, scope) == self.want

    def fact(self, block: Node, scope: Scope) -> bool:
        raise NotImplementedError


class Tls(_Flag):
    """`tls:` the block's server speaks TLS (listen ... ssl, or quic)."""

    key = "tls"

    def fact(self, block: Node, scope: Scope) -> bool:
        server = enclosing_server(block)
        return server is not None and scope.servers.is_tls(server)


class Whole(_Flag):
    """`whole:` the block belongs to a whole configuration (read from a main
    nginx.conf), so nginx's defaults at http level are really in force; in a
    fragment linted alone, the http level is out of view."""

    key = "whole"

    def fact(self, block: Node, scope: Scope) -> bool:
        return scope.root.inner == "main"


class Handshake(_Flag):
    """`handshake:` the server's ssl_protocols are the ones its handshakes
    use. From nginx 1.29.2 yes; before, only the default server's of each TLS
    address:port count, because SNI arrives after the protocol is chosen
    (semantics §6.4)."""

    key = "handshake"

    def fact(self, block: Node, scope: Scope) -> bool:
        server = enclosing_server(block)
        if server is None:
            return False
        if server.inner in STREAM_MAIL_SERVERS:  # each TLS socket of stream and mail is one server's own
            return True
        return scope.effective.version >= (1, 29, 2) or server in scope.tls_default_servers


class Loopback(_Flag):
    """`loopback:` every listen of the block's server is on a loopback address."""

    key = "loopback"

    def fact(self, block: Node, scope: Scope) -> bool:
        server = enclosing_server(block)
        return server is not None and scope.servers.only_loopback(server)


@dataclass(frozen=True)
class ServerName:
    """`server_name:` a regex that one of the server's names matches."""

    key: ClassVar[str] = "server_name"
    pattern: re.Pattern

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> ServerName:
        return cls(compiler.regex(select[cls.key], select.line_of(cls.key), cls.key))

    def holds(self, block: Node, scope: Scope) -> bool:
        server = enclosing_server(block)
        return server is not None and any(self.pattern.search(n) for n in server_names(server))


@dataclass(frozen=True)
class Modifier:
    """`modifier:` a location with one of these modifiers (prefix, =, ^~, ~, ~*, @)."""

    key: ClassVar[str] = "modifier"
    modifiers: frozenset[str]

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Modifier:
        names = listed(select[cls.key])
        if not all(isinstance(m, str) and m in MODIFIERS for m in names):
            raise compiler.error(select.line_of(cls.key), f"modifier must be one of {', '.join(MODIFIERS)}")
        return cls(frozenset(MODIFIERS[m] for m in names))

    def holds(self, block: Node, scope: Scope) -> bool:
        return block.inner == "location" and location_path(block)[0] in self.modifiers


@dataclass(frozen=True)
class Path:
    """`path:` a regex the location's path matches, as written (a regex
    location's own pattern is text to it; see serves_prefix for the URIs a
    location can serve)."""

    key: ClassVar[str] = "path"
    pattern: re.Pattern

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Path:
        return cls(compiler.regex(select[cls.key], select.line_of(cls.key), cls.key))

    def holds(self, block: Node, scope: Scope) -> bool:
        return block.inner == "location" and self.pattern.search(location_path(block)[1]) is not None


@dataclass(frozen=True)
class Own:
    """`own:` the block itself writes one of these directives (not inherited)."""

    key: ClassVar[str] = "own"
    names: tuple[str, ...]

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Own:
        return cls(compiler.directives(select[cls.key], select.line_of(cls.key), cls.key))

    def holds(self, block: Node, scope: Scope) -> bool:
        # A loop, not any() over a generator: asked of most blocks by several selectors.
        for name in self.names:  # noqa: SIM110
            if scope.effective.own(block, name):
                return True
        return False


@dataclass(frozen=True)
class Has:
    """`has:` one of these directives is in force in the block with a value
    written somewhere (here or inherited), not nginx's default."""

    key: ClassVar[str] = "has"
    names: tuple[str, ...]

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Has:
        return cls(compiler.directives(select[cls.key], select.line_of(cls.key), cls.key))

    def holds(self, block: Node, scope: Scope) -> bool:
        for name in self.names:
            setting = scope.effective.get(block, name)
            if setting is not None and not setting.is_default:
                return True
        return False


@dataclass(frozen=True)
class Contains:
    """`contains:` the block, or a block inside it, writes one of these
    directives: with `not:`, a level where a setting is written but nothing
    below it uses it (a snippet whose proxy_pass is in the file including it)."""

    key: ClassVar[str] = "contains"
    names: tuple[str, ...]

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Contains:
        return cls(compiler.directives(select[cls.key], select.line_of(cls.key), cls.key))

    def holds(self, block: Node, scope: Scope) -> bool:
        return any(node.name in self.names for node in walk(block))


@dataclass(frozen=True)
class Negated:
    """A condition turned round (`not:` and the `proxies: "false"` alias)."""

    condition: Condition

    def holds(self, block: Node, scope: Scope) -> bool:
        return not self.condition.holds(block, scope)


class Proxies:
    """`proxies:` the former spelling of `has: proxy_pass` (`"false"`: not
    that), kept so that policies written for it keep their meaning."""

    key: ClassVar[str] = "proxies"

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Condition:
        has = Has(("proxy_pass",))
        return has if compiler.flag(select[cls.key], select.line_of(cls.key), cls.key) else Negated(has)
