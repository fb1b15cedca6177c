"""`nginxlint inspect`: the server and location that serve a request, and the
effective configuration there with origins."""
from __future__ import annotations

import json

from .conftest import REPO, run_cli

SITE = "sample_configs/gmai.sa"


def _inspect(*args):
    code, out, err = run_cli(["inspect", *args, "--format", "json"], REPO)
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
    code, out, _ = run_cli(["inspect", SITE, "--host", "dev.gmai.sa", "--port", "443", "--uri", "/ws/chat"], REPO)
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
    code, out, err = run_cli(["inspect", "sample_configs/gmai.sa", "--address", "foo", "--uri", "/"], REPO)
    assert (code, out) == (2, "") and "'foo' is not an IP address" in err
    code, _, _ = run_cli(["inspect", "sample_configs/gmai.sa", "--address", "[::1]", "--uri", "/"], REPO)
    assert code == 0
