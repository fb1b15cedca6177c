"""unknown_log_formats looks up only the directives named in
log_args.LOG_DIRECTIVES: they must be every directive the table gives a
log format or access log handler, or a new one would go unjudged."""
from __future__ import annotations

from nginxlint.semantics import directives, log_args


def test_the_log_directives_are_those_of_the_table():
    handlers = log_args._FORMAT_OF.keys() | set(log_args._FORMAT_OF.values())
    with_handler = {name for name in directives.names() for spec in directives.specs(name) if spec.set_handler in handlers}
    assert with_handler == log_args.LOG_DIRECTIVES
