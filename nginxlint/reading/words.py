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


class Words(dict):
    """words[x] is the first word or argument tuple equal to x it was
    given (an argument tuple made of shared words): a dict of each to
    itself, so that one seen before is found by the dict's own lookup,
    without a Python call (the loader asks twice per node)."""

    __slots__ = ()

    def __missing__(self, key: str | tuple[str, ...]) -> str | tuple[str, ...]:
        shared = key if isinstance(key, str) else tuple([self[word] for word in key])
        self[shared] = shared
        return shared
