"""Paths in, trees out: includes, fragments, directories, --root (semantics §1.4, §7)."""
from __future__ import annotations

import os

from nginxlint.reading.loader import load
from nginxlint.reading.tree import walk

from .conftest import rule_lines


def _write(tmp_path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def _nodes(config, name):
    return [n for root in config.roots for n in walk(root) if n.name == name]


def test_relative_includes_resolve_against_the_main_config_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        "etc/nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
        # relative to the conf prefix (etc/), not to etc/sites/
        "etc/sites/a.conf": "server {\n    include snippets/common.conf;\n}\n",
        "etc/snippets/common.conf": "gzip on;\n",
        "etc/sites/snippets/common.conf": "gzip off;\n",
    })
    config = load(["etc/nginx.conf"])
    assert not config.problems
    [gzip] = _nodes(config, "gzip")
    assert (gzip.args, gzip.file, gzip.line, gzip.context) == (("on",), "etc/snippets/common.conf", 1, "server")
    assert gzip.parent.name == "server" and gzip.parent.file == "etc/sites/a.conf"


def test_globs_are_sorted_and_a_file_is_instantiated_per_include_site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        "nginx.conf": "events {}\nhttp {\n    server {\n        location /a/ { include p/*.conf; }\n"
                      "        location /b/ { include p/*.conf; }\n    }\n}\n",
        "p/2.conf": "proxy_set_header Two 2;\n",
        "p/1.conf": "proxy_set_header One 1;\n",
    })
    config = load(["nginx.conf"])
    headers = _nodes(config, "proxy_set_header")
    assert [(h.args[0], h.parent.args) for h in headers] == [
        ("One", ("/a/",)), ("Two", ("/a/",)), ("One", ("/b/",)), ("Two", ("/b/",))]
    assert all(h.context == "location" for h in headers)
    assert config.files.count("p/1.conf") == 1  # read and parsed once


def test_root_maps_absolute_includes_into_a_copied_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        "copy/etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n",
        "copy/etc/nginx/conf.d/x.conf": "server_tokens off;\n",
    })
    config = load(["copy/etc/nginx/nginx.conf"], root_dir="copy")
    assert [n.file for n in _nodes(config, "server_tokens")] == ["copy/etc/nginx/conf.d/x.conf"]


def test_fragment_is_read_in_http_context_with_context_checks_on(lint_files):
    result = lint_files({"site": "map $a $b { default 1; }\nupstream u { server 127.0.0.1; }\n"
                                 "server { listen 80; }\nlocation / { }\n"})
    assert rule_lines(result) == {("SYN002", "site", 4)}


def test_snippet_context_is_guessed_outside_sites_and_conf_d(lint_files):
    snippet = "location /x/ {\n    return 204;\n}\n"
    assert lint_files({"snippets/loc.conf": snippet}).findings == ()  # read at server level
    assert rule_lines(lint_files({"sites-enabled/loc": snippet})) == {("SYN002", "sites-enabled/loc", 1)}
    assert rule_lines(lint_files({"snippets/loc.conf": snippet}, context="http")) == {("SYN002", "snippets/loc.conf", 1)}
    proxy = "proxy_pass http://127.0.0.1:8000;\nproxy_set_header Host $host;\n"
    assert lint_files({"snippets/proxy.conf": proxy}).findings == ()  # proxy_pass: only a location accepts it


def test_a_snippet_of_includes_is_guessed_by_what_they_pull_in(lint_files):
    """h5bp's basic.conf holds only includes, one of which brings locations:
    it is included into servers, and read there, not refused in http."""
    files = {"nginx.conf": "events {}\nhttp {}\n",  # the conf prefix relative includes resolve against
             "h5bp/basic.conf": "include h5bp/location/files.conf;\ninclude h5bp/headers.conf;\n",
             "h5bp/location/files.conf": "location ~* /\\.(?!well-known) {\n    deny all;\n}\n",
             "h5bp/headers.conf": "add_header X-Content-Type-Options nosniff always;\n"}
    assert lint_files(files, "h5bp/basic.conf").findings == ()
    files["h5bp/basic.conf"] += "worker_connections 10;\n"  # no context accepts all of it: http, as before
    assert ("SYN002", "h5bp/location/files.conf", 1) in rule_lines(lint_files(files, "h5bp/basic.conf"))


def test_stream_fragments_are_read_in_stream_context(lint_files):
    stream = "upstream db {\n    server 127.0.0.1:5432;\n}\nserver {\n    listen 15432;\n    proxy_pass db;\n}\n"
    assert lint_files({"streams-enabled/db": stream}).findings == ()
    assert rule_lines(lint_files({"sites-enabled/db": stream})) == {("SYN002", "sites-enabled/db", 6)}


def test_prefix_is_the_nearest_folder_holding_nginx_conf(lint_files):
    files = {"nginx.conf": "events {}\nhttp {\n    include conf.d/include/*.conf;\n}\n",
             "conf.d/include/a.conf": "include conf.d/include/b.inc;\n", "conf.d/include/b.inc": "gzip on;\n"}
    assert lint_files(files, "conf.d/include/a.conf").findings == ()


def test_directory_is_read_like_include_dir_star(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        "available/b": "server { listen 81; }\n",
        "enabled/a": "server { listen 80; }\n",
        "enabled/.hidden": "this is not read\n",
        "enabled/sub/c": "neither is this\n",
    })
    os.symlink("../available/b", tmp_path / "enabled" / "b")
    config = load(["enabled"])
    assert not config.problems
    # a file reached through a symlink is named by its target, the file one edits
    assert [(n.file, n.args) for n in _nodes(config, "listen")] == [("enabled/a", ("80",)), ("available/b", ("81",))]
    assert config.links == {"available/b": "enabled/b"}


def test_directory_holding_nginx_conf_is_read_from_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {"etc/nginx.conf": "events {}\nhttp {\n    include mime.types;\n}\n",
                      "etc/mime.types": "types { text/html html; }\n"})
    config = load(["etc"])
    assert config.files == ["etc/nginx.conf", "etc/mime.types"] and not config.problems


def test_every_node_knows_file_line_context_and_parent(in_repo):
    config = load(["sample_configs/tree/etc/nginx/nginx.conf"], root_dir="sample_configs/tree")
    assert not config.problems and not config.errors
    for node in walk(config.roots[0]):
        assert node.file and node.line >= 1 and node.parent is not None
        assert node.parent.children is not None and node in node.parent.children
    locations = [n for n in walk(config.roots[0]) if n.name == "location"]
    assert {n.file for n in locations} == {"sample_configs/tree/etc/nginx/sites-available/gmai.sa"}
    assert {n.context for n in locations} == {"server"}
