"""Facts about http server blocks: names, the servers on each listen
socket, each socket's default server and whether it speaks TLS.

One home for them: routing, the policy `tls:` and `loopback:` selectors,
the duplicate-name check and `diff` all ask here, so they cannot disagree
about which servers share a socket (sockets.py spells sockets one way).
"""
from __future__ import annotations

from ..reading.tree import Node
from .effective import Effective
from .sockets import Listen, canonical_socket, is_loopback, listens_of

# Effective needs a target nginx version; the settings read here do not depend on it.
VERSION_INDEPENDENT = "1.22"


# Server blocks of the stream and mail modules: no locations and no virtual
# servers by name to route, but TLS of their own (listen ... ssl, starttls).
STREAM_MAIL_SERVERS = frozenset({"stream-server", "mail-server"})


def enclosing_server(block: Node) -> Node | None:
    return block if block.inner == "server" or block.inner in STREAM_MAIL_SERVERS else block.server


def server_names(server: Node) -> list[str]:
    return [arg for child in server.children or () if child.name == "server_name" for arg in child.args]


def display_name(server: Node | None) -> str | None:
    if server is None:
        return None
    names = server_names(server)
    return names[0] if names else ""


def listen_socket(args: tuple[str, ...]) -> str | None:
    """The socket a listen directive's arguments name, spelled as every
    other socket fact spells it (sockets.canonical_socket); None without arguments."""
    return canonical_socket(args[0]) if args else None


def http_servers(roots: list[Node]) -> list[Node]:
    """The http server blocks of `roots`, in configuration order (the order
    that decides default servers and which server keeps a name)."""
    return [c for root in roots for block in http_blocks(root) for c in block.children or () if c.inner == "server"]


def http_blocks(root: Node) -> list[Node]:
    """The http blocks of a tree: the root itself when it is read in http context (a fragment)."""
    return [root] if root.inner == "http" else [c for c in root.children or () if c.inner == "http"]


class ServerFacts:
    """The http servers of one configuration grouped by listen socket: which
    servers share a socket, its default server, whether it speaks TLS.

    TLS is a property of the socket (ngx_http_add_addresses, §6.1): `ssl` on
    any listen of it makes it TLS for every server there, and so does
    `ssl on` in the server nginx hands the connection to first, its default
    server (ngx_http_init_connection). Built once per tree set; every answer
    is fixed at construction.
    """

    def __init__(self, roots: list[Node]):
        # Server-level settings come from the effective configuration (own,
        # else http's). The ones read for sockets, ssl and merge_slashes,
        # have one default in every nginx version: any version answers alike.
        self.effective = Effective(VERSION_INDEPENDENT)
        self._listens: dict[Node, tuple[Listen, ...]] = {}
        self._tls: dict[Node, bool] = {}  # server -> is_tls(server)
        self.servers = http_servers(roots)
        self._members = frozenset(self.servers)
        self.by_socket: dict[str, list[tuple[Node, Listen]]] = {}
        for server in self.servers:
            for listen in self.listens(server):
                self.by_socket.setdefault(listen.socket, []).append((server, listen))
        self.default: dict[str, Node] = {
            socket: next((server for server, listen in entries if listen.default), entries[0][0])
            for socket, entries in self.by_socket.items()}
        self.tls_sockets = frozenset(
            socket for socket, entries in self.by_socket.items()
            if any(listen.ssl for _, listen in entries) or self._ssl_on(self.default[socket]))

    def listens(self, server: Node) -> tuple[Listen, ...]:
        """listens_of(server), read once per server: rules ask about the
        server of every block, and a server may hold thousands of lines."""
        found = self._listens.get(server)
        if found is None:
            found = self._listens[server] = listens_of(server)
        return found

    def only_loopback(self, server: Node) -> bool:
        """Every listen is on a loopback address or a unix socket: nothing
        outside this host can connect (a server without listen takes *:80)."""
        listens = self.listens(server)
        return bool(listens) and all(is_loopback(listen.socket) for listen in listens)

    def explicit_default(self, socket: str) -> bool:
        """Some listen on the socket says default_server (else the first server is the default)."""
        return any(listen.default for _, listen in self.by_socket[socket])

    def is_tls(self, server: Node) -> bool:
        """Does a connection to this server speak TLS? On any of its sockets
        that is TLS, or over QUIC.

        A server outside these trees' http blocks (a `server` fragment read
        alone, the root of its tree) shares no socket in view: only its own
        `ssl on` and QUIC count, not `listen … ssl`. Such fragments are
        snippets included into servers elsewhere (a listen line plus ssl_*
        settings), and judging them as whole TLS servers reports HSTS and the
        like against a snippet; this keeps what nginxlint always did there.
        Kept per server: `tls:` selectors ask it of every block."""
        found = self._tls.get(server)
        if found is None:
            found = self._tls[server] = self._speaks_tls(server)
        return found

    def _speaks_tls(self, server: Node) -> bool:
        listens = self.listens(server)
        if server.inner in STREAM_MAIL_SERVERS:
            return self._stream_mail_tls(server, listens)
        if server not in self._members:
            return any(listen.quic for listen in listens) or self._ssl_on(server)
        return any(listen.quic or listen.socket in self.tls_sockets for listen in listens)

    def tls_default_servers(self) -> list[Node]:
        """The default server of each TLS socket: the one whose TLS settings
        a handshake uses before SNI names a server (§6.4)."""
        return [self.default[socket] for socket in self.by_socket if socket in self.tls_sockets]

    def _stream_mail_tls(self, server: Node, listens: tuple[Listen, ...]) -> bool:
        """A stream or mail server speaks TLS when a listen of its says ssl
        (each such socket is the server's own), or, in mail, with `ssl on`
        (before 1.25.1) or `starttls on|only`: the upgrade uses the same
        ssl_protocols and ssl_ciphers (ngx_mail_ssl_module)."""
        if any(listen.ssl for listen in listens) or self._ssl_on(server):
            return True
        starttls = self.effective.get(server, "starttls")
        return server.inner == "mail-server" and starttls is not None and starttls.value.lower() in ("on", "only")

    def _ssl_on(self, server: Node) -> bool:
        setting = self.effective.get(server, "ssl")
        return setting is not None and setting.value.lower() == "on"


_MODIFIER_STARTS = frozenset("^~=@")  # the first character of each glued modifier


def location_path(block: Node) -> tuple[str, str]:
    """(modifier, path) of a location; glued forms like `=/x` and `~*\\.php$` split."""
    args = block.args
    if len(args) >= 2:
        return args[0], args[1]
    text = args[0] if args else ""
    if text[:1] not in _MODIFIER_STARTS:  # most locations: a plain prefix, nothing to split
        return "", text
    for modifier in ("^~", "~*", "~", "=", "@"):
        if text.startswith(modifier):
            return ("@", text) if modifier == "@" else (modifier, text[len(modifier):])
    return "", text


def describe_location(block: Node) -> str | None:
    location = block if block.inner == "location" else block.location
    if location is None:
        return None
    modifier, path = location_path(location)
    return f"{modifier} {path}" if modifier and modifier != "@" else path
