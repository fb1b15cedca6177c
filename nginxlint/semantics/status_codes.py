"""The status codes `return` and `error_page` accept, as their handlers read
them (nginx 1.18 to 1.31 alike):

- ngx_http_rewrite_return (src/http/modules/ngx_http_rewrite_module.c): the
  first argument through ngx_atoi; a number above 999 is `invalid return
  code`; not a number is accepted only alone and starting `http://`,
  `https://` or `$scheme` (a 302 to it), else `invalid return code` too;
- ngx_http_core_error_page (src/http/ngx_http_core_module.c): every code
  before the URI (and before an `=response`) through ngx_atoi, 499 refused,
  the rest between 300 and 599; `=response` after at least one code, its
  number optional but digits only.

An argument with `$` is not judged (a template placeholder, usually).
"""
from __future__ import annotations

from .values import is_number, parse_number

_REDIRECT_PREFIXES = ("http://", "https://", "$scheme")


def judge_return(args: tuple[str, ...]) -> str | None:
    code = args[0]
    if "$" in code:
        return None
    hint = "a status code up to 999, or alone a URL starting http:// or https://"
    try:
        number = parse_number(code)
    except ValueError:
        if len(args) == 1 and code.startswith(_REDIRECT_PREFIXES):
            return None
        return f'invalid return code "{code}" ({hint})'
    return f'invalid return code "{code}" ({hint})' if number > 999 else None


def judge_error_page(args: tuple[str, ...]) -> str | None:
    codes = args[:-1]
    if codes and codes[-1].startswith("="):
        response = codes[-1]
        if len(codes) == 1 or (len(response) > 1 and "$" not in response and not is_number(response[1:])):
            return f'invalid value "{response}" in "error_page" directive (=response comes after the codes, e.g. 404 =200 /x)'
        codes = codes[:-1]
    for code in codes:
        if "$" in code:
            continue
        if not is_number(code) or int(code) == 499:
            return f'invalid value "{code}" in "error_page" directive (status codes 300 to 599, not 499)'
        if not 300 <= int(code) <= 599:
            return f'value "{code}" must be between 300 and 599 in "error_page" directive'
    return None

