"""Parsed files survive the trip through marshal (cache entries) unchanged;
one nested too deep for marshal is not stored, and is parsed again."""
from __future__ import annotations

from nginxlint.reading.parse_cache import ParseCache
from nginxlint.reading.parser import plain
from nginxlint.reading.source import Source, decode_source, pack, read_source, unpack


def test_pack_round_trip_keeps_every_field():
    for data in (b"http {\n  server { listen 80; } # note\n}\n", b"a {\n", b"\xef\xbb\xbfx;", b"x \xff;\n"):
        source = decode_source(data)
        assert unpack(pack(source)) == source
    assert unpack(pack(Source("permission denied", None))) == Source("permission denied", None)


def test_plain_tuples_of_deep_nesting_need_no_recursion():
    depth = 5000
    statements = decode_source(b"a {\n" * depth + b"b;\n" + b"}\n" * depth).parsed.statements
    flat = plain(statements)
    for _ in range(depth):  # walked down: == on the nested tuples would recurse
        (name, args, line, block, end, head_end), = flat
        assert (name, args, line, end, head_end) == ("a", (), _ + 1, 2 * depth + 1 - _, _ + 1)
        flat = block
    assert flat == (("b", (), depth + 1, None, depth + 1, depth + 1),)


def test_a_parse_too_deep_for_marshal_is_parsed_again(tmp_path):
    site = tmp_path / "deep.conf"
    site.write_bytes(b"a {\n" * 5000 + b"b;\n" + b"}\n" * 5000)
    cache = ParseCache(tmp_path / "cache")
    first = read_source(str(site), cache)
    assert first.parsed.problem is None
    assert not list((tmp_path / "cache").glob("*"))  # nothing stored, nothing left half-written
    again = read_source(str(site), cache)
    assert plain(again.parsed.statements)[0][:3] == plain(first.parsed.statements)[0][:3] == ("a", (), 1)
