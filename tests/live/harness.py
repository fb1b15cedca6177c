"""Real nginx between a real WebSocket client and a recording backend, all on loopback.

The WebSocket rules claim what nginx does on the wire; these pieces let a test
watch it happen instead of trusting the claim:

- ``make_certs``: a throwaway CA and a leaf for dev.gmai.sa and api.gmai.sa
  (openssl CLI), so clients verify TLS exactly as browsers would;
- ``Backend``: what nginx proxies to. A raw asyncio server records every
  request head byte for byte (request line, HTTP version, every header, as
  nginx sent them) and the arrival time of every body chunk; a GET is then
  handed, byte for byte, to a real ``websockets`` server, which decides the
  handshake itself (it answers HTTP/1.0 with 505, a missing Upgrade or
  Connection token with 426) and echoes messages. A POST body is read and
  answered with 200;
- ``Nginx``: one nginx process (no daemon, no master) with its config, pid,
  logs and temp files in a directory of its own, on ports picked at run time;
- ``Live``: what one test drives: a backend, the nginx processes it starts,
  clients that speak wss:// and HTTPS to them with SNI and Host set.

Every wait has a deadline, and every process or thread started here is
stopped by the code that started it, also when a start fails half-way.
"""
from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from websockets.asyncio.server import serve
from websockets.sync.client import connect

WAIT = 20.0  # the longest any single step may take before the test gives up (generous: CI machines stall)
LOOPBACK = "127.0.0.1"


class HarnessError(Exception):
    """The experiment could not run (as opposed to: it ran and nginx misbehaved)."""


class NginxError(HarnessError):
    """nginx did not start; the message carries its error log."""


class PortInUse(NginxError):
    """nginx could not bind its port: another process took it after it was picked."""


class BackendError(HarnessError):
    """The backend failed: could not listen, or a connection handler raised."""


# -- certificates -----------------------------------------------------------------


@dataclass(frozen=True)
class Certs:
    ca: Path  # what clients trust
    cert: Path  # the leaf, fullchain.pem as Let's Encrypt names it
    key: Path  # privkey.pem


def make_certs(directory: Path, openssl: str, names=("dev.gmai.sa", "api.gmai.sa")) -> Certs:
    """A CA made for this run and a server certificate for `names` signed by it.

    A real chain (not a self-signed leaf) so the client verifies a CA-issued
    certificate with SNI and hostname checks on, as a browser would."""
    ca_key, ca, csr, key, cert = (directory / n for n in ("ca.key", "ca.pem", "leaf.csr", "privkey.pem", "fullchain.pem"))
    ext = directory / "leaf.ext"
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
        f"subjectAltName={','.join('DNS:' + n for n in names)}\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    steps = [
        ["req", "-x509", *ec, "-days", "2", "-subj", "/CN=nginxlint live-test CA", "-keyout", ca_key, "-out", ca,
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["req", *ec, "-subj", f"/CN={names[0]}", "-keyout", key, "-out", csr],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
         "-extfile", ext, "-out", cert],
    ]
    for step in steps:
        result = subprocess.run([openssl, *map(str, step)], capture_output=True, text=True, timeout=WAIT)
        if result.returncode:
            raise HarnessError(f"openssl {step[0]} failed:\n{result.stderr}")
    return Certs(ca, cert, key)


# -- ports ------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports that were free a moment ago.

    All are held open until all are picked, so they differ. Another process
    may still take one before nginx binds it: ``Live.start`` retries then."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind((LOOPBACK, 0))
        return [sock.getsockname()[1] for sock in socks]


# -- the backend --------------------------------------------------------------------


@dataclass
class Received:
    """One request as it reached the backend."""

    method: str
    target: str
    version: str
    headers: tuple[tuple[str, str], ...]
    arrived: float  # time.monotonic() when the head was complete
    body: list[tuple[float, int]] = field(default_factory=list)  # (arrival, size) per chunk

    @classmethod
    def parse(cls, head: bytes, arrived: float) -> Received:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            raise BackendError(f"malformed request line: {lines[0]!r}")
        headers = tuple((name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in lines[1:] if line))
        return cls(*parts, headers, arrived)

    def header(self, name: str) -> str | None:
        """The header's value as sent (repeats joined by ", "), or None when nginx did not send it."""
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return ", ".join(values) if values else None


class Backend:
    """The voice backend stand-in: records what nginx sends, then serves it (see module doc).

    Runs an asyncio loop in a thread of its own so tests stay synchronous.
    The path's last segment picks the WebSocket behaviour: ``stall`` never
    reads (the tunnel backs up), ``sink`` reads and never answers, ``tick``
    sends every TICK seconds and never reads a message, anything else echoes."""

    TICK = 0.3
    # Small socket buffers on the backend's side: a backend that stops
    # reading backs the tunnel up within a few hundred kilobytes, not the
    # tens of megabytes Linux would otherwise autotune its buffers to.
    BUFFER = 64 * 1024

    def __init__(self):
        self.requests: list[Received] = []
        self.errors: list[str] = []
        self.port: int | None = None
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="live-backend", daemon=True)
        self._tasks: set[asyncio.Task] = set()
        self._front = self._inner = None

    # - test thread side -

    def start(self, port: int = 0) -> Backend:
        self._thread.start()
        try:
            self.port = self._call(self._open(port))
        except OSError as exc:
            self.stop()
            raise BackendError(f"backend could not listen on {LOOPBACK}:{port}: {exc}") from exc
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            try:
                self._call(self._close())
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(WAIT)
        if not self._thread.is_alive():
            self._loop.close()

    def reset(self) -> None:
        with self._changed:
            self.requests.clear()

    def wait_for_requests(self, count: int = 1, timeout: float = WAIT) -> list[Received]:
        """The first `count` requests received; fewer when the deadline passes first."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.requests) >= count or self.errors, timeout)
            self.raise_errors()
            return list(self.requests)

    def raise_errors(self) -> None:
        if self.errors:
            raise BackendError("the backend failed:\n" + "\n".join(self.errors))

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(WAIT)

    # - backend thread side -

    async def _open(self, port: int) -> int:
        self._inner = await serve(self._websocket, sock=_listening_socket(0, rcvbuf=self.BUFFER),
                                  ping_interval=None, compression=None, max_size=None, max_queue=1, close_timeout=1)
        self._front = await asyncio.start_server(self._handle, sock=_listening_socket(port, rcvbuf=self.BUFFER))
        return self._front.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        for server in filter(None, (self._front, self._inner)):
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), WAIT)
        if self._inner:
            await asyncio.wait_for(self._inner.wait_closed(), WAIT)

    def _record(self, request: Received | None = None, error: str | None = None) -> None:
        with self._changed:
            if request:
                self.requests.append(request)
            if error:
                self.errors.append(error)
            self._changed.notify_all()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.add(asyncio.current_task())
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
            request = Received.parse(head, time.monotonic())
            self._record(request)
            if request.method == "GET":
                await self._tunnel(head, reader, writer)
            else:
                await self._read_body(request, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # nginx closed the connection: timeouts and aborted requests do that
        except Exception:
            self._record(error=traceback.format_exc())
        finally:
            writer.close()
            self._tasks.discard(asyncio.current_task())

    async def _tunnel(self, head: bytes, reader, writer) -> None:
        """Hand the request to the websockets server unchanged and relay both ways until one side closes."""
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.BUFFER)
        sock.setblocking(False)
        await asyncio.wait_for(self._loop.sock_connect(sock, self._inner.sockets[0].getsockname()), WAIT)
        inner_reader, inner_writer = await asyncio.open_connection(sock=sock)
        inner_writer.write(head)
        relays = [asyncio.create_task(_relay(reader, inner_writer)), asyncio.create_task(_relay(inner_reader, writer))]
        try:
            done, _ = await asyncio.wait(relays, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in relays:
                task.cancel()
            inner_writer.close()

    async def _read_body(self, request: Received, reader, writer) -> None:
        """Read a request body as it arrives, noting when each piece came, and answer 200."""
        if request.header("Transfer-Encoding"):
            raise BackendError(f"this backend reads only Content-Length bodies, got {request.headers}")
        remaining = int(request.header("Content-Length") or 0)
        while remaining > 0:
            chunk = await asyncio.wait_for(reader.read(min(remaining, 65536)), WAIT)
            if not chunk:
                raise BackendError(f"request body ended {remaining} bytes early")
            request.body.append((time.monotonic(), len(chunk)))
            remaining -= len(chunk)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()

    async def _websocket(self, ws) -> None:
        try:
            mode = ws.request.path.rstrip("/").rsplit("/", 1)[-1]
            if mode == "stall":
                await ws.wait_closed()
            elif mode == "sink":
                async for _ in ws:
                    pass
            elif mode == "tick":
                while True:
                    await ws.send("tick")
                    await asyncio.sleep(self.TICK)
            else:
                async for message in ws:
                    await ws.send(message)
        except websockets.ConnectionClosed:
            pass
        except Exception:
            self._record(error=traceback.format_exc())


async def _relay(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    while data := await src.read(65536):
        dst.write(data)
        await dst.drain()  # back-pressure: a backend that stops reading stops the relay


def _listening_socket(port: int, rcvbuf: int) -> socket.socket:
    """A loopback listener whose accepted connections inherit a fixed receive buffer."""
    sock = socket.socket()
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.bind((LOOPBACK, port))
        sock.listen(64)
    except BaseException:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


# -- nginx ----------------------------------------------------------------------


MAIN_CONF = """\
daemon off;
master_process off;
pid {work}/nginx.pid;
error_log {work}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {work}/access.log;
    client_body_temp_path {work}/client_body_temp;
    proxy_temp_path {work}/proxy_temp;
    fastcgi_temp_path {work}/fastcgi_temp;
    uwsgi_temp_path {work}/uwsgi_temp;
    scgi_temp_path {work}/scgi_temp;
    include {site};
}}
"""


def nginx_version(binary: str) -> str:
    """The version `nginx -v` reports, e.g. 1.22.1."""
    out = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=WAIT).stderr
    match = re.search(r"nginx/(\d+\.\d+(?:\.\d+)?)", out)
    if not match:
        raise HarnessError(f"cannot read the version from {binary} -v: {out!r}")
    return match[1]


class Nginx:
    """One nginx process serving `site` (http-context text), everything it writes under `work`.

    Single process, in the foreground, so the test owns it by pid: no
    daemonised master can outlive the test."""

    def __init__(self, binary: str, work: Path):
        self.binary, self.work = binary, work
        self.site = work / "site.conf"
        self.proc: subprocess.Popen | None = None

    def start(self, site: str) -> Nginx:
        self.work.mkdir(parents=True)
        self.site.write_text(site)
        main = self.work / "nginx.conf"
        main.write_text(MAIN_CONF.format(work=self.work, site=self.site))
        pid = self.work / "nginx.pid"
        with open(self.work / "stderr.log", "wb") as out:
            self.proc = subprocess.Popen([self.binary, "-p", f"{self.work}/", "-c", str(main), "-e", str(self.work / "error.log")],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        try:
            # nginx writes its pid file only after it has bound every listen
            # socket, so the pid file means "ready" (a connect could reach
            # whatever else holds the port while nginx retries its bind).
            deadline = time.monotonic() + WAIT
            while not (pid.exists() and pid.read_text().strip() == str(self.proc.pid)):
                if self.proc.poll() is not None:
                    log = self.logs()
                    kind = PortInUse if "Address already in use" in log else NginxError
                    raise kind(f"nginx exited with status {self.proc.returncode} at start:\n{log}")
                if time.monotonic() > deadline:
                    raise NginxError(f"nginx not ready after {WAIT}s:\n{self.logs()}")
                time.sleep(0.01)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL); safe to call twice."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(WAIT)

    def logs(self) -> str:
        """What nginx said on stderr and in its main error log."""
        return _read_logs([self.work / "stderr.log", self.work / "error.log"])


# -- what a test drives ------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    tls: int  # stands in for 443
    plain: int  # stands in for 80


@dataclass
class Response:
    status: int
    sending: list[float]  # time.monotonic() just before each body piece went out


class Live:
    """A backend, the nginx processes a test starts in front of it, and clients for them."""

    def __init__(self, binary: str, certs: Certs, work: Path, backend: Backend):
        self.binary, self.certs, self.work, self.backend = binary, certs, work, backend
        self.started: list[Nginx] = []
        self.logs = work / "logs"  # where a config's own error_log/access_log lines write
        self.logs.mkdir(exist_ok=True)
        self.ports: Ports | None = None
        self.tls = ssl.create_default_context(cafile=str(certs.ca))

    @property
    def nginx(self) -> Nginx:
        return self.started[-1]

    def start(self, render: Callable[[Ports], str], attempts: int = 3) -> Nginx:
        """Stop the running nginx, reset the backend's record, start nginx on `render(ports)`.

        Ports are picked fresh; when another process takes one before nginx
        binds it, nginx is started again on new ones."""
        if self.started:
            self.nginx.stop()
        self.backend.reset()
        for attempt in range(attempts):
            self.ports = Ports(*free_ports(2))
            nginx = Nginx(self.binary, self.work / f"nginx-{len(self.started)}")
            self.started.append(nginx)
            try:
                return nginx.start(render(self.ports))
            except PortInUse:
                if attempt == attempts - 1:
                    raise

    def close(self) -> None:
        for nginx in self.started:
            nginx.stop()

    def diagnostics(self) -> str:
        parts = [f"nginx {n.work.name}:\n{n.logs() or '(no log output)'}" for n in self.started]
        parts += [_read_logs(sorted(self.logs.glob("*error*")))]
        parts += [f"backend received: {r}" for r in self.backend.requests]
        parts += [f"backend error:\n{e}" for e in self.backend.errors]
        return "\n".join(parts)

    # - clients -

    def _socket(self) -> socket.socket:
        return socket.create_connection((LOOPBACK, self.ports.tls), timeout=WAIT)

    def websocket(self, host: str, path: str):
        """``with live.websocket(host, path) as ws``: wss://host:port/path through nginx, SNI and Host for `host`.

        No keepalive pings: an idle test connection must really be idle."""
        sock = self._socket()
        try:
            return connect(f"wss://{host}:{self.ports.tls}{path}", sock=sock, ssl=self.tls, server_hostname=host,
                           open_timeout=WAIT, close_timeout=2, ping_interval=None, compression=None, max_size=None)
        except BaseException:
            sock.close()
            raise

    def http(self, host: str, method: str, path: str, pieces: tuple[bytes, ...] = (), pause: float = 0.0) -> Response:
        """One HTTPS request with a Content-Length body sent in `pieces`, `pause` seconds apart.

        Sends ``Expect: 100-continue`` with a body, as curl does, so a 413
        comes back before the body is sent and never races a reset."""
        body_size = sum(map(len, pieces))
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        if pieces:
            head += f"Content-Length: {body_size}\r\nExpect: 100-continue\r\n"
        with self.tls.wrap_socket(self._socket(), server_hostname=host) as sock, sock.makefile("rb") as replies:
            sock.sendall(f"{head}\r\n".encode())
            status = _read_status(replies)
            sending = []
            if status == 100:
                for i, piece in enumerate(pieces):
                    if i:
                        time.sleep(pause)
                    sending.append(time.monotonic())  # before: nginx may forward it before sendall returns
                    sock.sendall(piece)
                status = _read_status(replies)
            return Response(status, sending)


def _read_logs(files: list[Path]) -> str:
    return "\n".join(f"== {f.name} ==\n{f.read_text(errors='replace')}" for f in files if f.exists() and f.stat().st_size)


def _read_status(replies) -> int:
    """The status of the next response on the connection; its headers are skipped."""
    line = replies.readline(65536)
    if not line:
        raise HarnessError("nginx closed the connection without a response")
    status = int(line.split()[1])
    while replies.readline(65536) not in (b"\r\n", b""):
        pass
    return status

