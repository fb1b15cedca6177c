"""`nginxlint inspect`: the server and location that serve a request, and the
effective configuration there with origins."""
from __future__ import annotations

import json

from .conftest import REPO, run_cli_here

SITE = "sample_configs/gmai.sa"


def _inspect(*args):
    code, out, err = run_cli_here(["inspect", *args, "--format", "json"], REPO)
    assert code == 0, err
    return json.loads(out)


def test_request_to_a_websocket_endpoint():
    document = _inspect(SITE, "--host", "api.gmai.sa", "--port", "443", "--uri", "/api/v1/ws/streaming-voice")
    assert document["request"] == {"host": "api.gmai.sa", "port": 443, "tls": True, "uri": "/api/v1/ws/streaming-voice"}
    assert document["server"] == {"file": SITE, "line": 158, "block": "server api.gmai.sa"}
    assert document["location"] == {"file": SITE, "line": 207, "block": "location /api/v1/ws/streaming-voice"}
    by_name = {}
    for entry in document["directives"]:
        by_name.setdefault(entry["directive"], []).append(entry)
    assert by_name["proxy_read_timeout"] == [{"directive": "proxy_read_timeout", "value": "86400s", "file": SITE,
                                              "line": 220, "block": "location /api/v1/ws/streaming-voice"}]
    assert by_name["proxy_buffering"][0]["block"] == "default for nginx 1.28"
    assert by_name["ssl_protocols"][0]["block"] == "server api.gmai.sa"
    assert "X-Forwarded-Ssl on" in [e["value"] for e in by_name["proxy_set_header"]]


def test_regex_location_that_steals_the_path_is_shown():
    document = _inspect("sample_configs/gmai.sa.regex-steal", "--host", "api.gmai.sa", "--port", "443",
                        "--uri", "/api/v1/ws/streaming-voice")
    assert document["location"]["block"] == "location ~ /ws/"
    assert "regex ~ /ws/" in document["reason"]


def test_unknown_host_goes_to_the_default_server_and_unknown_uri_to_no_location():
    document = _inspect(SITE, "--host", "unknown.example", "--port", "80", "--uri", "/anything")
    assert document["server"]["line"] == 38 and document["location"] is None  # the port-80 redirect server
    assert "no server_name matches" in document["reason"]


def test_nothing_listening_is_said():
    document = _inspect(SITE, "--host", "api.gmai.sa", "--port", "8443", "--uri", "/")
    assert document["server"] is None and document["directives"] == []


def test_without_uri_every_location_is_listed():
    document = _inspect(SITE)
    assert len(document["locations"]) == 10
    assert all(entry["directives"] for entry in document["locations"])


def test_text_output_names_server_location_and_reason():
    code, out, _ = run_cli_here(["inspect", SITE, "--host", "dev.gmai.sa", "--port", "443", "--uri", "/ws/chat"], REPO)
    lines = out.splitlines()
    assert code == 0
    assert lines[:4] == [
        "request:  GET https://dev.gmai.sa:443/ws/chat",
        f"server:   server dev.gmai.sa ({SITE}:50)",
        f"location: location /ws/ ({SITE}:138)",
        'why:      *:443: exact server_name "dev.gmai.sa"; longest prefix /ws/',
    ]


def test_address_must_be_an_ip_address():
    """nginx chooses servers by the IP a connection arrives on; a name would
    need resolving, which inspect does not emulate: refuse it, exit 2."""
    code, out, err = run_cli_here(["inspect", "sample_configs/gmai.sa", "--address", "foo", "--uri", "/"], REPO)
    assert (code, out) == (2, "") and "'foo' is not an IP address" in err
    code, _, _ = run_cli_here(["inspect", "sample_configs/gmai.sa", "--address", "[::1]", "--uri", "/"], REPO)
    assert code == 0


def test_the_port_80_server_answers_with_its_return():
    document = _inspect(SITE, "--host", "api.gmai.sa", "--uri", "/ws/?a=1")
    assert document["location"] is None and document["status"] == 301
    assert document["answered_by"] == {"file": SITE, "line": 46, "block": "server dev.gmai.sa",
                                       "directive": "return 301 https://$host$request_uri",
                                       "target": "https://api.gmai.sa/ws/?a=1"}


def _by_name(document) -> dict[str, list[dict]]:
    by_name: dict[str, list[dict]] = {}
    for entry in document["directives"]:
        by_name.setdefault(entry["directive"], []).append(entry)
    return by_name


def test_only_the_defaults_of_the_handler_unless_all():
    request = (SITE, "--host", "api.gmai.sa", "--port", "443", "--uri", "/ws/")
    shown = _by_name(_inspect(*request))
    assert "proxy_connect_timeout" in shown and "client_max_body_size" in shown
    assert not {"fastcgi_read_timeout", "uwsgi_send_timeout", "root", "gzip", "large_client_header_buffers"} & set(shown)
    assert {"fastcgi_read_timeout", "root", "gzip"} <= set(_by_name(_inspect(*request, "--all")))


def test_a_directive_the_version_lacks_has_no_default_shown():
    request = (SITE, "--host", "api.gmai.sa", "--port", "443", "--uri", "/ws/", "--all")
    assert "add_header_inherit" not in _by_name(_inspect(*request, "--nginx-version", "1.28"))
    assert _by_name(_inspect(*request, "--nginx-version", "1.30"))["add_header_inherit"][0]["value"] == "on"


def test_http2_is_on_when_the_listen_enables_it():
    (http2,) = _by_name(_inspect(SITE, "--host", "api.gmai.sa", "--port", "443", "--uri", "/ws/"))["http2"]
    assert (http2["value"], http2["line"], http2["block"]) == ("on", 159, "listen 443 ssl http2")


def test_without_port_a_host_served_on_one_other_socket_is_routed_there(tmp_path):
    text = (REPO / SITE).read_text()
    (tmp_path / "site").write_text(text[:text.index("# Plain HTTP")] + text[text.index("# dev.gmai.sa"):])
    code, out, _ = run_cli_here(["inspect", "site", "--host", "api.gmai.sa", "--uri", "/ws/"], tmp_path)
    assert code == 0 and out.splitlines()[:2] == [
        "note:     no --port: api.gmai.sa is served only on *:443 (TLS), so routed there",
        "request:  GET https://api.gmai.sa:443/ws/"]
    (tmp_path / "site").write_text((tmp_path / "site").read_text().replace("listen 443 ssl http2;\n    listen [::]:443",
                                                                           "listen 443 ssl http2;\n    listen 8443 ssl;\n    listen [::]:443"))
    code, out, _ = run_cli_here(["inspect", "site", "--host", "api.gmai.sa", "--uri", "/ws/"], tmp_path)
    assert out.splitlines()[0] == ("note:     api.gmai.sa is not named on port 80; it is served on *:443 (TLS), "
                                   "*:8443 (TLS): ask with --port (and --tls) for one of them")
