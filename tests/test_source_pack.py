"""Parsed files survive the trip through marshal (worker results, cache
entries) unchanged, however deeply their blocks nest."""
from __future__ import annotations

from nginxlint.reading.parser import flatten
from nginxlint.reading.source import Source, decode_source, pack, unpack


def test_pack_round_trip_keeps_every_field():
    for data in (b"http {\n  server { listen 80; } # note\n}\n", b"a {\n", b"\xef\xbb\xbfx;", b"x \xff;\n"):
        source = decode_source(data)
        assert unpack(pack(source)) == source
    assert unpack(pack(Source("permission denied", None))) == Source("permission denied", None)


def test_pack_round_trip_of_deep_nesting():
    depth = 5000
    source = decode_source(b"a {\n" * depth + b"b;\n" + b"}\n" * depth)
    assert source.parsed.problem is None
    back = unpack(pack(source))  # compared flat: == on the nested tuples would recurse
    assert flatten(back.parsed.statements) == flatten(source.parsed.statements)
    assert len(flatten(source.parsed.statements)) == depth + 1
