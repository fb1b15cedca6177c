"""YAML for policies: safe, every scalar a string, every value with its line.

nginx values look like YAML booleans and numbers (`on`, `1.1`, `0644`), so
PyYAML's resolver must not touch them. We compose the node graph with the
safe loader and convert it ourselves: scalars stay strings, mappings remember
the line of each key (error messages point into the policy file), duplicate
keys are refused, and so are aliases (found in the event stream first, at
the line that uses them): policies do not need them, and they are the way to
build an exponential "billion laughs" document.
"""
from __future__ import annotations

import yaml


class YamlError(Exception):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class Map(dict):
    """A dict that knows the line of each key and of itself."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class Seq(list):
    line: int = 0


# libyaml's parser, when PyYAML has it: every run loads the built-in packs,
# and the pure-Python parser took a tenth of a one-file run doing so.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Untagged(_FAST_LOADER):
    """Composes without resolving each scalar's type: every scalar stays a
    string (_convert), so the resolver's patterns were run for nothing."""

    def resolve(self, kind, value, implicit):
        return "tag:yaml.org,2002:str"


class _Shared(Exception):
    """A node met twice: the document uses an alias."""


def load_yaml(text: str) -> Map | Seq | str | None:
    """Parse one YAML document; raise YamlError with a 1-based line.

    Composed once: every run loads the built-in packs, and a first pass over
    the events to find aliases was half of it. An alias shows as a node met
    twice; then, and on any error, the document is read again the careful
    way (_load), which says what is wrong where, as it always did.

    libyaml's own message is kept when it rejects a document: parsing it
    again in pure Python for older wording took 2 ms to 20 s on deep YAML."""
    try:
        node = yaml.compose(text, Loader=_Untagged)
        return None if node is None else _convert(node, set())
    except (yaml.YAMLError, YamlError, RecursionError, _Shared):
        return _load(text, _FAST_LOADER)


def _load(text: str, loader: type) -> Map | Seq | str | None:
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise YamlError(event.start_mark.line + 1, "YAML aliases (*name) are not supported in policies")
        node = yaml.compose(text, Loader=loader)
        return None if node is None else _convert(node, set())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(mark.line + 1 if mark else None, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlError(None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(None, "YAML nested too deeply") from None


def _convert(node: yaml.Node, seen: set[int]) -> Map | Seq | str:
    """The node as Map, Seq or str; `seen`, the ids of the nodes converted
    so far (_Shared when one comes again)."""
    if id(node) in seen:
        raise _Shared
    seen.add(id(node))
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        seq = Seq(_convert(item, seen) for item in node.value)
        seq.line = line
        return seq
    result = Map()
    result.line, result.key_lines = line, {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlError(key_node.start_mark.line + 1, "mapping keys must be plain strings")
        if id(key_node) in seen:
            raise _Shared
        seen.add(id(key_node))
        key = key_node.value
        if key in result:
            raise YamlError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
        result[key] = _convert(value_node, seen)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result
