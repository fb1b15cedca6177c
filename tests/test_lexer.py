"""Our lexer gives exactly crossplane's tokens: parsed with either, a text
gives the same statements, lines, comments and errors, on random text built
from every character its grammar treats specially and on every real config
of the shared corpus."""
from __future__ import annotations

from pathlib import Path

import pytest
from crossplane.lexer import EXTERNAL_LEXERS
from hypothesis import given, settings
from hypothesis import strategies as st

from nginxlint.reading.lexer import crossplane_matches
from nginxlint.reading.parser import parse_text

# The shared corpus sits beside the repository in a session, and at /work/shared
# on this workplace's machines wherever CI clones the repository.
CORPUS = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "corpus", Path("/work/shared/corpus"))
               if p.is_dir()), Path("/nonexistent"))

# Every character with a meaning for crossplane's lexer, whitespace it
# treats as such (\v, \xa0, \u2028 are str.isspace()), and plain ones.
SPECIAL = list("{};#$\"'\\ \t\n\r") + ["\v", "\f", "\xa0", "\u2028", "ab", "é", "${", "\\\n", "\r\n"]
TEXTS = st.lists(st.sampled_from(SPECIAL + ["x", "listen", "80"]), max_size=60).map("".join)


def assert_same(text: str) -> None:
    assert parse_text(text) == parse_text(text, lexer=crossplane_matches), repr(text)


@pytest.mark.slow  # 3,000 texts; the corpus test above keeps the quick suite honest
@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(TEXTS)
def test_random_text_lexes_as_crossplane_lexes_it(text):
    assert_same(text)
    assert_same(text + "\n")  # as the parser hands it over


@pytest.mark.parametrize("text", [
    'a "b\\"c" \'d\\\'e\' "f\\\'g" \'h\\"i\';\n',  # only an escaped quote of the string's own kind loses its backslash
    "a#b; # comment\\\nc;\n",  # `#` inside a word; a comment ends at a backslash-newline
    "set $a ${b}c ${d} e;\nx$${y;z}{\n",  # ${...} glues on the unit after it, a space too
    "a ${b c;\n",  # a space ends ${ and is part of the word
    "\\\nfoo;\r\n\tbar {}",  # a word starting with backslash-newline is on the next line; no final newline
    'a "never closed;\n',
    "content_by_lua_block { ngx.say('}') }\n",  # Lua blocks: crossplane's own lexer
    "content_by_lua_block x\n",  # and its error
])
def test_quirks_lex_as_crossplane_lexes_them(text):
    assert_same(text)


def test_a_lua_block_ends_on_the_line_of_its_closing_brace():
    # crossplane names a Lua block's text by its last line; the statements after it keep theirs
    parsed = parse_text('content_by_lua_block {\n  ngx.say("a")\n}\n# note\nset_by_lua_block $v { return 1 }\nlisten 80;\n')
    assert [(s.name, s.args, s.line, s.end) for s in parsed.statements] == [
        ("content_by_lua_block", ('\n  ngx.say("a")\n',), 1, 3), ("set_by_lua_block", ("$v", " return 1 "), 5, 5),
        ("listen", ("80",), 6, 6)]
    assert parsed.comments == {4: " note"}


def test_every_external_lexer_is_recognised_as_lua():
    assert EXTERNAL_LEXERS and all("_by_lua_block" in name for name in EXTERNAL_LEXERS)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus on this machine")
def test_every_corpus_file_lexes_as_crossplane_lexes_it():
    files = [path for path in sorted(CORPUS.rglob("*")) if path.is_file()]
    assert files
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")  # as source.py decodes it
        assert_same(text)
        assert_same(text + "\n")
