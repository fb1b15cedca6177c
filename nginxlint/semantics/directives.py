"""What nginx knows about each stock directive: where it may stand, how many
arguments it takes and how its value is parsed.

The table (data/nginx-directives.tsv) is generated from nginx's own module
command tables, so it is current where crossplane's analyzer (2020) is not.
Third-party directives are not in it: they are accepted unchecked, as a
linter cannot know which modules a host loads.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# The releases the table was generated from (shared nginx-semantics §0).
CHECKED_RELEASES = ((1, 18, 0), (1, 20, 2), (1, 22, 1), (1, 24, 0), (1, 26, 3), (1, 28, 0), (1, 30, 0), (1, 31, 5))
# Removed directives whose removal version is known (semantics §6.4: `ssl` is
# an unknown directive from 1.25.1; the table only says "removed").
REMOVED_IN = {"ssl": (1, 25, 1)}


@dataclass(frozen=True, slots=True)
class DirectiveSpec:
    name: str
    contexts: frozenset[str]
    arity: str  # "1", "1+", "1-2", "on|off", "0/1-2", …
    block: bool
    set_handler: str
    first_seen: tuple[int, int, int]  # first checked release that has it
    source: str  # the module's source file, e.g. http/modules/ngx_http_proxy_module.c

    def unknown_in(self, version: tuple[int, int, int]) -> str | None:
        """Why nginx `version` does not know this directive, or None."""
        removed = REMOVED_IN.get(self.name)
        if removed and version >= removed:
            return f"removed in nginx {'.'.join(map(str, removed))}"
        return added_after(self.first_seen, version)


def added_after(first_seen: tuple[int, int, int], version: tuple[int, int, int]) -> str | None:
    """Why nginx `version` lacks what first appears in checked release
    `first_seen` (a directive, a variable), or None. Between two checked
    releases (mainline) we cannot tell, so only versions up to the previous
    checked stable line are refused."""
    index = CHECKED_RELEASES.index(first_seen) if first_seen in CHECKED_RELEASES else 0
    if index:
        major, minor, _ = CHECKED_RELEASES[index - 1]
        if version < (major, minor + 1, 0):
            return f"added after nginx {major}.{minor}"
    return None


def parse_release(text: str) -> tuple[int, int, int]:
    """A release as the tables write it ("1.25.0", "1.29.0-dev")."""
    major, minor, patch = (int(part) for part in text.replace("-dev", "").split("."))
    return major, minor, patch


def names() -> list[str]:
    """Every stock directive name (for did-you-mean suggestions)."""
    return list(_table())


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[DirectiveSpec, ...]]:
    text = resources.files("nginxlint").joinpath("data/nginx-directives.tsv").read_text("utf-8")
    table: dict[str, list[DirectiveSpec]] = {}
    rows = (r for r in csv.reader(text.splitlines(), delimiter="\t") if r and not r[0].startswith("#"))
    for name, contexts, arity, block, first, _absent, source, handler in rows:
        first_seen = parse_release(first)
        spec = DirectiveSpec(name, frozenset(contexts.split(",")), arity, block == "block", handler, first_seen, source)
        table.setdefault(name, []).append(spec)
    return {name: tuple(specs) for name, specs in table.items()}


def specs(name: str) -> tuple[DirectiveSpec, ...]:
    return _table().get(name, ())


def is_known(name: str) -> bool:
    return name in _table()


@lru_cache(maxsize=8192)
def spec_for(name: str, context: str) -> DirectiveSpec | None:
    """The entry for `name` valid in `context` (same name, other module in
    another context: `server` in http vs in upstream)."""
    for spec in specs(name):
        if context in spec.contexts or "any" in spec.contexts:
            return spec
    return None


@lru_cache(maxsize=4096)
def value_kind(name: str) -> str:
    """How the http-level directive's value is parsed: time-ms, time-s, size,
    offset, flag, enum, bitmask or text (see values.py)."""
    handler = next((s.set_handler for s in specs(name) if "http" in s.contexts or "location" in s.contexts), "")
    return _HANDLER_KIND.get(handler, "text")


_HANDLER_KIND = {
    "ngx_conf_set_msec_slot": "time-ms",
    "ngx_conf_set_sec_slot": "time-s",
    "ngx_conf_set_size_slot": "size",
    "ngx_conf_set_off_slot": "offset",
    "ngx_conf_set_flag_slot": "flag",
    "ngx_conf_set_bitmask_slot": "bitmask",
    "ngx_conf_set_enum_slot": "enum",
}


# The upstream content handlers (ngx_http_*_pass): one per location, and a
# location that names one directly answers `/x` with a 301 to `/x/` when its
# path ends in a slash [S: clcf->handler, clcf->auto_redirect].
UPSTREAM_HANDLERS = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"})


# Slot types that hold one value per block: a second line is "is duplicate"
# (§2.2). Other directives (listen, server_name, rewrite…) keep every line.
SINGLE_SLOTS = frozenset({
    "ngx_conf_set_flag_slot", "ngx_conf_set_num_slot", "ngx_conf_set_size_slot", "ngx_conf_set_off_slot",
    "ngx_conf_set_msec_slot", "ngx_conf_set_sec_slot", "ngx_conf_set_enum_slot", "ngx_conf_set_str_slot",
    "ngx_conf_set_bufs_slot", "ngx_conf_set_path_slot",
})


# Handlers of their own that also refuse a second line in one block ("is
# duplicate"): every function of the nginx source (3f6f7824d4e2, the same in
# release-1.22.1 where it exists) that returns "is duplicate" when its field
# is already set. Left out: limit_req and limit_conn (only the same zone twice),
# mirror, proxy_redirect and proxy_cookie_* (only "off" beside other lines).
REPEAT_REFUSED = frozenset({
    "ngx_conf_set_access_slot", "ngx_set_user", "ngx_set_priority", "ngx_set_cpu_affinity", "ngx_set_worker_processes",
    "ngx_events_block", "ngx_event_connections", "ngx_event_use", "ngx_openssl_engine",
    "ngx_http_block", "ngx_http_core_root", "ngx_http_core_limit_except", "ngx_http_core_set_aio", "ngx_http_core_directio",
    "ngx_http_core_open_file_cache", "ngx_http_core_keepalive", "ngx_http_core_internal", "ngx_http_core_resolver",
    "ngx_http_disable_symlinks", "ngx_http_upstream_resolver", "ngx_http_try_files", "ngx_http_headers_expires",
    "ngx_http_set_complex_value_slot", "ngx_http_set_complex_value_zero_slot", "ngx_http_set_complex_value_size_slot",
    "ngx_http_auth_basic_user_file", "ngx_http_auth_request", "ngx_http_set_charset_slot", "ngx_http_realip",
    "ngx_http_log_open_file_cache", "ngx_http_upstream_keepalive", "ngx_http_userid_expires", "ngx_http_userid_mark",
    "ngx_http_xslt_entities", "ngx_http_geoip_country", "ngx_http_geoip_org", "ngx_http_geoip_city",
    "ngx_http_ssl_certificate_cache", "ngx_http_ssl_password_file", "ngx_http_ssl_ocsp_cache",
    *(f"ngx_http_{module}_{what}" for module in ("proxy", "fastcgi", "uwsgi", "scgi") for what in ("store", "cache", "cache_key")),
    *(f"ngx_http_{module}_ssl_{what}" for module in ("proxy", "uwsgi", "grpc") for what in ("certificate_cache", "password_file")),
    "ngx_http_tunnel_pass", "ngx_mail_block", "ngx_mail_core_resolver", "ngx_mail_ssl_password_file",
    "ngx_stream_block", "ngx_stream_core_resolver", "ngx_stream_upstream_resolver", "ngx_stream_pass", "ngx_stream_proxy_pass",
    "ngx_stream_proxy_bind", "ngx_stream_return", "ngx_stream_log_open_file_cache", "ngx_stream_proxy_ssl_alpn_set_slot",
    "ngx_stream_proxy_ssl_certificate_cache", "ngx_stream_proxy_ssl_password_file", "ngx_stream_set_complex_value_slot",
    "ngx_stream_set_complex_value_zero_slot", "ngx_stream_set_complex_value_size_slot", "ngx_stream_ssl_certificate_cache",
    "ngx_stream_ssl_password_file", "ngx_stream_ssl_ocsp_cache", "ngx_stream_ssl_alpn",
    "ngx_stream_geoip_country", "ngx_stream_geoip_org", "ngx_stream_geoip_city",
})
# root and alias fill one field (ngx_http_core_root): either after the other is refused.
SHARED_SLOT = {"alias": "root"}


@lru_cache(maxsize=4096)
def is_single_valued(name: str) -> bool:
    return any(s.set_handler in SINGLE_SLOTS for s in specs(name))


def is_bitmask(name: str) -> bool:
    return value_kind(name) == "bitmask"


def arity_ok(arity: str, count: int) -> bool:
    """Check an argument count against the table's arity notation."""
    if arity == "on|off":
        return count == 1
    for alternative in arity.split("/"):
        if alternative.endswith("+"):
            if count >= int(alternative[:-1]):
                return True
        elif "-" in alternative:
            low, high = alternative.split("-")
            if int(low) <= count <= int(high):
                return True
        elif count == int(alternative):
            return True
    return False
