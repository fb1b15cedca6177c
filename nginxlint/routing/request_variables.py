"""The variables nginx knows for one routed request, as the rewrite module
reads them in `if`, `set`, `rewrite` and `return`.

Routing a request decides `if ($host = …)` or `if ($request_uri ~ …)` only
when the value is the request's own: its Host, URI, scheme, port, method.
Anything else (a header the request was not given, $remote_addr, a file
test) is unknown, and an `if` on it is reported as "depends on …" instead
of guessed. `map` results are evaluated through semantics.variables.
"""
from __future__ import annotations

import re

from ..semantics.variables import MapIndex, evaluate

_CAPTURE = re.compile(r"\$(\d)")


class RequestVariables:
    """What `$name` is for this request, and what `set` and regex captures
    have added so far; one instance per routed request (set changes it)."""

    def __init__(self, maps: MapIndex, *, host: str | None, validated_host: str, raw_uri: str, uri: bytes,
                 tls: bool, port: int, address: str, method: str, server_name: str):
        path, mark, args = raw_uri.partition("?")
        self.maps = maps
        self.uri = uri
        self.captures: tuple[bytes, ...] = ()
        self.values: dict[str, str] = {
            "host": validated_host or server_name, "http_host": host or "", "request_uri": raw_uri,
            "scheme": "https" if tls else "http", "https": "on" if tls else "", "server_port": str(port),
            "server_addr": address, "request_method": method, "server_name": server_name,
            "args": args, "query_string": args, "is_args": mark,
            "server_protocol": "HTTP/1.1" if host is not None else "HTTP/1.0",
        }

    def known(self) -> dict[str, str]:
        current = self.uri.decode("utf-8", "surrogateescape")
        return {**self.values, "uri": current, "document_uri": current}

    def value(self, text: str) -> str | None:
        """`text` with its variables and captures substituted; None when one is unknown."""
        text = _CAPTURE.sub(lambda m: self._capture(int(m.group(1))), text)
        return evaluate(text, self.known(), self.maps)

    def set(self, name: str, text: str) -> None:
        """`set $name text`; a value the request cannot know makes the variable unknown."""
        value = self.value(text)
        if value is None:
            self.values.pop(name, None)
        else:
            self.values[name] = value

    def _capture(self, index: int) -> str:
        return self.captures[index].decode("utf-8", "surrogateescape") if index < len(self.captures) else ""
