"""Our lexer yields exactly crossplane's tokens: (token, line, quoted) and
the same errors, on random text built from every character its grammar
treats specially and on every real config of the shared corpus."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from crossplane.errors import NgxParserBaseException
from crossplane.lexer import EXTERNAL_LEXERS, _lex_file_object
from hypothesis import given, settings
from hypothesis import strategies as st

from nginxlint.reading.lexer import LexError, tokenize

# The shared corpus sits beside the repository in a session, and at /work/shared
# on this workplace's machines wherever CI clones the repository.
CORPUS = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "corpus", Path("/work/shared/corpus"))
               if p.is_dir()), Path("/nonexistent"))

# Every character with a meaning for crossplane's lexer, whitespace it
# treats as such (\v, \xa0, \u2028 are str.isspace()), and plain ones.
SPECIAL = list("{};#$\"'\\ \t\n\r") + ["\v", "\f", "\xa0", "\u2028", "ab", "é", "${", "\\\n", "\r\n"]
TEXTS = st.lists(st.sampled_from(SPECIAL + ["x", "listen", "80"]), max_size=60).map("".join)


def lexed(lexer, text: str) -> tuple[list[tuple[str, int, bool]], tuple[int, str] | None]:
    """(tokens, (line, message) of the error that stopped it, or None)."""
    tokens = []
    try:
        for token in lexer(text):
            tokens.append(token)
    except NgxParserBaseException as exc:
        return tokens, (exc.lineno or 1, exc.strerror)
    except LexError as exc:
        return tokens, (exc.line, exc.message)
    return tokens, None


def assert_same(text: str) -> None:
    assert lexed(tokenize, text) == lexed(lambda t: _lex_file_object(io.StringIO(t)), text), repr(text)


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
