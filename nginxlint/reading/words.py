"""One object per distinct directive name and argument list in a tree.

A 1,000-site tree holds 150,000 words in 63,000 nodes, but only about
10,000 different ones (`proxy_set_header`, `Host`, `$host`…), and 60,000
argument tuples of about 9,000 different values. The lexer makes a new
string for every token, so without sharing the tree keeps every copy: 12
MiB of a run's peak. Nodes are read-only once built, so equal words and
equal argument tuples can be one object. Interning (sys.intern) would
share them too, but would keep every argument of every file the language
server ever read; a Words lives as long as one load.
"""
from __future__ import annotations


class Words:
    """Hands back the first equal word or argument tuple it was given."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[str | tuple[str, ...], str | tuple[str, ...]] = {}

    def word(self, word: str) -> str:
        return self._seen.setdefault(word, word)

    def args(self, args: tuple[str, ...]) -> tuple[str, ...]:
        """An equal tuple seen before, else this one made of shared words."""
        seen = self._seen
        shared = seen.get(args)
        if shared is None:
            shared = tuple([seen.setdefault(word, word) for word in args])
            seen[shared] = shared
        return shared
