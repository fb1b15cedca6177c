"""SYN005: a misspelt stock directive, with the name it was meant to be, and
silence on everything a third-party module could define."""
from __future__ import annotations

import pytest

from nginxlint.semantics.directive_names import distance, suggestion

from .conftest import rule_lines


@pytest.mark.parametrize("typo, meant", [
    ("proxy_set_heeader", "proxy_set_header"), ("proxy_read_timout", "proxy_read_timeout"), ("lisen", "listen"),
    ("sever_name", "server_name"), ("ssl_certficate", "ssl_certificate"), ("add_heder", "add_header"),
    ("proxy_pas", "proxy_pass"), ("keepalive_timout", "keepalive_timeout"), ("rot", "root"),
    ("porxy_pass", "proxy_pass"),
])
def test_typos_get_a_suggestion(typo, meant):
    assert suggestion(typo) == meant


@pytest.mark.parametrize("name", [
    "more_set_headers", "more_clear_headers", "content_by_lua_block", "access_by_lua_file", "lua_shared_dict",
    "brotli", "brotli_types", "js_import", "geoip2", "sticky", "vhost_traffic_status_zone", "auth_jwt_key_file",
    "upload_store", "push_stream_channels_path", "ssl_ct_static_scts", "modsecurity", "modsecurity_rules_file",
    "pagespeed", "passenger_enabled", "rtmp", "application", "proxy_cache_purge", "fastcgi_cache_purge",
    "zip", "proxy_connect", "proxy_connect_read_timeout", "zstd",
    "client_max_body",  # close to nothing stock: some module's
    "Proxy-Pass",  # not a name nginx could define
])
def test_third_party_and_far_names_are_not_typos(name):
    assert suggestion(name) is None


def test_a_name_close_to_two_stock_directives_is_ambiguous():
    assert distance("sgi_param", "scgi_param") == 1 and distance("sgi_param", "uwsgi_param") == 2
    assert suggestion("sgi_param") is None


def test_edit_distance_counts_a_swap_as_one():
    assert distance("timout", "timeout") == 1 and distance("tiemout", "timeout") == 1 and distance("kitten", "sitting") == 3


def test_only_where_nginx_reads_directives(lint_files):
    site = """\
server {
    listen 80;
    location / {
        proxy_set_heeader Host $host;
        types { text/html lisen; }
    }
}
rtmp {
    server { lisen 1935; application live { live on; } }
}
"""
    assert rule_lines(lint_files({"sites-enabled/site": site}), "SYN005") == {("SYN005", "sites-enabled/site", 4)}


def test_a_loaded_module_spares_names_starting_with_its_name(lint_files):
    """load_module ngx_http_gzipx_module.so: gzipx (one edit from gzip) is the
    module's own; a typo of a stock directive is still reported."""
    conf = """\
    load_module modules/ngx_http_gzipx_filter_module.so;
    events {}
    http {
        gzipx on;
        gzp on;
    }
    """
    assert rule_lines(lint_files({"nginx.conf": conf}), "SYN005") == {("SYN005", "nginx.conf", 5)}


def test_the_project_declares_its_own_directives(lint_files):
    conf = "events {}\nhttp {\n    gzp on;\n    acme_gzi on;\n    proxy_pas http://a;\n}\n"
    result = lint_files({"nginx.conf": conf}, directives=("gzp", "acme_*"))
    assert rule_lines(result, "SYN005") == {("SYN005", "nginx.conf", 5)}
