"""The valid configs the mutation test mutates, staged for `nginx -t` without the host.

Sources: every file of the shared corpus (MANIFEST.csv) that is a whole
config or a fragment of http, server or location context (templates,
deliberately broken files and comment-only files are left out), and the
sample configs. A fragment is included by a small main config of ours in the
context it was written for, as tests/test_samples_nginx.py does.

Each file is read alone, so what ties it to its host is rewritten, on the
same lines (a rewrite never adds or removes a line, so nginx's line numbers
are the file's):

- `include` and `user` statements are removed (the files they name are not
  here; users may not exist);
- log, pid, temp and cache paths become relative to the scratch prefix
  (logs/…, temp/…, cache/…); certificates and keys become a throwaway pair
  (cert.pem, key.pem); an access_log format defined in another file is
  dropped (the default format logs); ssl files nginx only needs for extras (dhparam, CRL,
  ticket keys, stapling file, password file) are removed;
- listen addresses stay as written with ports below 1024 moved to 18000+
  (binding them needs root), names and non-loopback IPv4 addresses become
  127.0.0.x, unix sockets a loopback port;
- host names in proxy_pass, fastcgi_pass… and upstream `server` lines
  become 127.0.0.1 (nginx resolves them while testing), except names of an
  upstream block of the same file.

A staged file nginx -t still refuses (a third-party module, a statement
split over lines that a rewrite did not reach) is skipped; `skipped()`
says how many and why, grouped by nginx's message.
"""
from __future__ import annotations

import csv
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_configs"
# The shared corpus sits beside the repository in a session, and at /work/shared elsewhere (as in test_lexer.py).
CORPUS = next((p for p in (REPO.parent / "shared" / "corpus", Path("/work/shared/corpus")) if p.is_dir()),
              REPO.parent / "shared" / "corpus")

MAIN, TARGET = "nginx.conf", "site.conf"  # the file nginx -t reads, and the file that is mutated (the same for a main config)
ROLES = ("main", "http", "server", "location")
SAMPLE_ROLES = {  # sample file -> the context it is written for
    "gmai.sa": "http", "gmai.sa.backup": "http", "gmai.sa.regex-steal": "http",
    "tree/etc/nginx/nginx.conf": "main", "tree/etc/nginx/sites-available/default-disabled": "http",
    "tree/etc/nginx/conf.d/websocket-map.conf": "http", "tree/etc/nginx/snippets/tls.conf": "server",
    "tree/etc/nginx/snippets/websocket-proxy.conf": "location",
}
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

_START = r"(?m)((?:^|[;{}])[ \t]*)"  # where a statement may begin
_TOKEN = r"(\"[^\"\n]*\"|'[^'\n]*'|[^\s;{}]+)"
_REMOVED = re.compile(_START + r"(?:include|user|ssl_dhparam|ssl_crl|ssl_session_ticket_key|ssl_stapling_file"
                      r"|ssl_password_file)\s[^;{}\n]*;")
_PATHS = re.compile(_START + r"(access_log|error_log|pid|lock_file|(?:client_body|proxy|fastcgi|uwsgi|scgi)_temp_path"
                    r"|(?:proxy|fastcgi|uwsgi|scgi)_cache_path|ssl_certificate|ssl_certificate_key"
                    r"|ssl_trusted_certificate|ssl_client_certificate)([ \t]+)" + _TOKEN)
_LISTEN = re.compile(_START + r"(listen[ \t]+)" + _TOKEN)
_PASS = re.compile(_START + r"((?:proxy|fastcgi|uwsgi|scgi|grpc|memcached)_pass[ \t]+|server[ \t]+)" + _TOKEN)
_ACCESS_LOG_FORMAT = re.compile(_START + r"(access_log[ \t]+" + _TOKEN + r"[ \t]+)" + _TOKEN)
_LOG_FORMAT = re.compile(r"(?m)(?:^|[;{}])\s*log_format\s+([^\s;]+)")
_UPSTREAM = re.compile(r"(?m)(?:^|[;{}])\s*upstream\s+([^\s{]+)")
_IPV4 = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_HOST_PORT = re.compile(r"^(?P<scheme>[a-z]+://)?(?P<host>\[[^\]]*\]|[^:/\[\]]*)(?P<port>:\d+)?(?P<rest>/.*)?$")


@dataclass(frozen=True)
class Base:
    """One valid config: the files to write (name -> text), MAIN read by
    nginx -t, TARGET the file mutations edit."""

    origin: str  # where it comes from: corpus path or sample_configs/…
    role: str
    files: tuple[tuple[str, str], ...]

    @property
    def target(self) -> str:
        return dict(self.files)[TARGET if self.role != "main" else MAIN]

    def with_target(self, text: str) -> dict[str, str]:
        files = dict(self.files)
        files[TARGET if self.role != "main" else MAIN] = text
        return files


def candidates() -> list[tuple[str, str, str]]:
    """(origin, role, text) of every file that may serve as a base, in a fixed order."""
    found = []
    manifest = CORPUS / "MANIFEST.csv"
    if manifest.is_file():
        with manifest.open(newline="") as handle:
            for row in csv.DictReader(handle):
                if row["role"] in ROLES and not row["intentionally_invalid"] and not row["template_markers"]:
                    text = (CORPUS / row["local_path"]).read_text(encoding="utf-8", errors="replace")
                    found.append((row["local_path"], row["role"], text))
    for name, role in SAMPLE_ROLES.items():
        found.append((f"sample_configs/{name}", role, (SAMPLES / name).read_text()))
    return found


def stage(origin: str, role: str, text: str) -> Base:
    """The file rewritten for a scratch prefix (module docstring), in the main config its role needs."""
    text = _host_free(text)
    if role == "main":
        return Base(origin, role, ((MAIN, _with_temp_paths(text)),))
    temp = "".join(f"    {kind}_temp_path temp/{kind};\n" for kind in TEMP_KINDS)
    inner = {"http": f"include {TARGET};\n",
             "server": f"server {{\n    listen 18080;\n    include {TARGET};\n}}\n",
             "location": f"server {{\n    listen 18080;\n    location / {{\n        include {TARGET};\n    }}\n}}\n"}[role]
    main = f"pid logs/nginx.pid;\nevents {{}}\nhttp {{\n{temp}    access_log logs/access.log;\n{inner}}}\n"
    return Base(origin, role, ((MAIN, main), (TARGET, text)))


def write(files: dict[str, str], prefix: Path, certs: Path) -> Path:
    """Lay a config out in `prefix` (created), with what the rewrites point at; returns its MAIN."""
    for sub in ("logs", "temp", "cache"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    for name in ("cert.pem", "key.pem"):
        (prefix / name).symlink_to(certs / name)
    for name, text in files.items():
        (prefix / name).write_text(text, encoding="utf-8")
    return prefix / MAIN


def nginx_t(nginx: str, prefix: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on prefix/MAIN, everything it writes under prefix."""
    return subprocess.run([nginx, "-t", "-q", "-p", f"{prefix}/", "-c", str(prefix / MAIN), "-e", str(prefix / "logs" / "startup.log")],
                          capture_output=True, text=True, errors="replace", timeout=60)


def make_certs(directory: Path, openssl: str) -> Path:
    """cert.pem and key.pem, self-signed, for every rewritten ssl_certificate."""
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=mutant.test",
                    "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")], check=True, capture_output=True)
    return directory


def skip_reason(stderr: str) -> str:
    """nginx's complaint about a staged original, without file names and values: the skip table's key."""
    first = next((line for line in stderr.splitlines() if "[emerg]" in line), stderr.strip().splitlines()[0] if stderr.strip() else "?")
    first = re.sub(r" in \S+:\d+$", "", first.split("] ", 1)[-1])
    return re.sub(r'"[^"]*"', '"…"', first)


def skipped(reasons: list[str]) -> list[tuple[str, int]]:
    return Counter(reasons).most_common()


def _host_free(text: str) -> str:
    text = _REMOVED.sub(lambda m: m[1], text)
    counter = iter(range(1, 1 << 20))
    text = _PATHS.sub(lambda m: m[1] + m[2] + m[3] + _local_path(m[2], m[4], next(counter)), text)
    formats = {"combined", *_LOG_FORMAT.findall(text)}  # a format defined in another file is dropped: the default one logs
    text = _ACCESS_LOG_FORMAT.sub(lambda m: m[1] + m[2] + m[4] if m[4] in formats or "=" in m[4] else m[1] + m[2].rstrip(), text)
    addresses: dict[str, str] = {}
    text = _LISTEN.sub(lambda m: m[1] + m[2] + _listen_address(m[3], addresses), text)
    upstreams = set(_UPSTREAM.findall(text))
    return _PASS.sub(lambda m: m[1] + m[2] + _peer(m[3], upstreams), text)


def _local_path(directive: str, path: str, n: int) -> str:
    if "$" in path or path in ("off", "stderr") or path.startswith(("syslog:", "memory:")):
        return path
    if directive in ("ssl_certificate_key",):
        return "key.pem"
    if directive.startswith("ssl_"):
        return "cert.pem"
    if directive.endswith("_temp_path"):
        return f"temp/t{n}"
    if directive.endswith("_cache_path"):
        return f"cache/c{n}"
    return f"logs/f{n}.log"


def _listen_address(token: str, addresses: dict[str, str]) -> str:
    if token.startswith("unix:"):
        return f"127.0.0.1:{19000 + len(addresses)}"
    match = _HOST_PORT.match(token)
    if token.isdigit() or match is None:
        return str(_port(int(token))) if token.isdigit() else token
    host, port = match["host"], match["port"]
    if host.startswith("[") or host == "*":
        pass
    elif not _IPV4.match(host) or not host.startswith("127."):
        host = addresses.setdefault(host, f"127.0.0.{len(addresses) + 2}")
    return f"{host}:{_port(int(port[1:]) if port else 80)}"


def _port(port: int) -> int:
    return port + 18000 if port < 1024 else port


def _peer(token: str, upstreams: set[str]) -> str:
    """The host nginx would resolve while testing, as 127.0.0.1."""
    if "$" in token or token.startswith(("unix:", "http://unix:", "https://unix:")):
        return token
    match = _HOST_PORT.match(token)
    if match is None or not match["host"] or match["host"] in upstreams or match["host"].startswith("[") or _IPV4.match(match["host"]):
        return token
    if not match["scheme"] and not match["port"] and "." not in match["host"]:
        return token  # `server name` in an upstream without a dot or port: rare; nginx decides
    return f"{match['scheme'] or ''}127.0.0.1{match['port'] or ''}{match['rest'] or ''}"


def _with_temp_paths(text: str) -> str:
    """A main config's http block gets the temp paths it does not set (nginx -t creates the compiled-in ones),
    on the line that opens it."""
    missing = [kind for kind in TEMP_KINDS if f"{kind}_temp_path" not in text]
    lines = "".join(f" {kind}_temp_path temp/{kind};" for kind in missing)
    return re.sub(r"(?m)^(\s*http\s*\{)", lambda m: m[1] + lines, text, count=1)
