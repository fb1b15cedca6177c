"""Single mutations of a valid config, one kind per row of issue 14's table.

A mutant is the target file of a Base with one edit. Every edit keeps the
other lines where they were, or adds whole lines, so the line it touched is
known (`Mutant.line`): that is where nginxlint should report a mistake nginx
names without a line (an unknown variable). Whether the mutant is really
wrong is not assumed: nginx -t decides (judge.py). A row whose edit nginx
accepts measures false rejections instead.

Rows pick their sites from the statements nginxlint's own parser finds
(reading/parser.py; the files are valid, so it reads them as nginx does),
and their values from the small tables below. `generate(bases, n, seed)`
is a pure function of its arguments: one seed, one set of mutants.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from nginxlint.reading.parser import Statement, parse_text, walk_statements
from nginxlint.reading.tree import inner_context
from nginxlint.semantics import directives

from .bases import Base


@dataclass(frozen=True)
class Mutant:
    row: str
    base: Base
    text: str  # the mutated target file
    line: int  # the line the edit wrote (for a removed "}" or ";", the line it was on)
    note: str  # what was done, for the table's examples


@dataclass(frozen=True)
class Site:
    """A statement with what an edit needs: where it stands and whether its lines hold it alone."""

    stmt: Statement
    context: str | None  # None inside a data block (map, types…) or a block nginx would refuse
    inner: str | None  # its block's context (blocks only)
    alone: bool  # no other statement starts or ends on its first or last line
    siblings: tuple[str, ...]  # names of the statements in the same block


# -- the values the rows write ----------------------------------------------------

REJECTED_ROWS = ("typo", "time", "size", "flag", "listen", "return", "variable", "regex", "semicolon", "brace",
                 "context", "duplicate", "long-param", "ssl-no-cert")
ACCEPTED_ROWS = ("ok-flag-case", "ok-time", "ok-value", "ok-reorder", "ok-layout")
ROWS = REJECTED_ROWS + ACCEPTED_ROWS
ROW_TITLES = {
    "typo": "directive-name typo", "time": "invalid time", "size": "invalid size", "flag": "invalid flag",
    "listen": "bad listen (port 0 / 80800 / unknown parameter)", "return": "bad return code (>999, non-numeric)",
    "variable": "unknown variable", "regex": "invalid regex (location, server_name, map key, if)",
    "semicolon": "missing ;", "brace": "missing / extra }", "context": "wrong context, argument count",
    "duplicate": "duplicate directive", "long-param": "4,096+ byte quoted parameter",
    "ssl-no-cert": "listen ssl without certificate",
    "ok-flag-case": "accepted: On / OFF flags", "ok-time": "accepted: \"12 34\", \"1h 30m\" times",
    "ok-value": "accepted: valid but unusual values", "ok-reorder": "accepted: two statements swapped",
    "ok-layout": "accepted: comments, blank lines, a statement over two lines",
}
HTTP_LEVELS = frozenset({"http", "server", "location"})
TIMES = {"bad": ("1D", "1y", "10x", "1.5s", "5 mins", "1H", "-1s", "1ms5x"), "ok": ('"12 34"', '"1h 30m"', "1d", "0", '"30s 5"', "1w")}
TIME_DIRECTIVES = ("proxy_read_timeout", "proxy_send_timeout", "send_timeout", "client_body_timeout", "keepalive_timeout")
SIZES = {"bad": ("10mb", "1.5M", "1KiB", "10MB", "-1", "1e3", "10kk"), "ok": ("0", "10M", "1K", "4096", "8k")}
SIZE_DIRECTIVES = ("client_max_body_size", "client_body_buffer_size", "proxy_buffer_size")
FLAGS = {"bad": ("of", "yes", "1", "enable", "onn", "true"), "ok": ("On", "OFF", "oN", "Off", "ON")}
FLAG_DIRECTIVES = ("gzip", "sendfile", "tcp_nodelay", "proxy_buffering", "server_tokens")
LISTENS = ("0", "80800", "127.0.0.1:0", "[::1]:99999", "18181 defualt_server", "18181 sslx", "18181 backlog=x",  # 18181: no base listens there
           "18181 fastopen", "18181 so_keepalive=maybe")
RETURNS = ("1000", '1000 "x"', "abc", "99x", '-1 "x"', "2000 /x")
UNKNOWN_VARIABLES = ("$conection_upgrade", "$hot", "$remote_adr", "$reqest_uri", "$mutant_nowhere")
BAD_REGEXES = ("^/ws(", "/ws/[", "*x", "^/(?<n>x", "x{2,1}", "^/a)")
# Directives whose arguments nginx compiles as variable-bearing strings at -t time.
VARIABLE_DIRECTIVES = frozenset({"proxy_set_header", "add_header", "return", "proxy_pass", "rewrite", "try_files", "root",
                                 "alias", "fastcgi_param", "set", "if", "uwsgi_param", "scgi_param", "limit_req_zone",
                                 "limit_conn_zone", "map"})
FAMILIES = ("http_", "arg_", "cookie_", "sent_http_", "upstream_http_", "upstream_cookie_", "sent_trailer_", "upstream_trailer_")
WRONG_PLACES = (  # (statement, contexts it is inserted into, where nginx refuses it)
    ("listen 18090;", ("location", "http")),
    ("proxy_pass http://127.0.0.1:18095;", ("http", "server")),
    ("worker_connections 64;", ("http", "server", "location")),
    ("server_name mutant.test;", ("location", "http")),
    ("location /mutant { return 404; }", ("http",)),
    ("proxy_set_header X-Mutant 1;", ("if-in-location", "if-in-server")),
    ("events { }", ("http", "server")),
    ("ssl_protocols TLSv1.2;", ("location",)),
)
FILLER = "default-src 'self'; img-src 'self' data: https://static.example.test; "


def sites(text: str, role: str) -> list[Site]:
    """Every statement of a file read in context `role`, in file order."""
    parsed = parse_text(text)
    starts: dict[int, int] = {}
    for stmt in walk_statements(parsed.statements):
        for line in {stmt.line, stmt.end}:
            starts[line] = starts.get(line, 0) + 1
    found: list[Site] = []

    def visit(statements: tuple[Statement, ...], context: str | None) -> None:
        names = tuple(s.name for s in statements)
        for stmt in statements:
            inner = inner_context(stmt.name, context) if stmt.block is not None and context is not None else None
            alone = starts[stmt.line] == 1 and starts[stmt.end] == 1 and (stmt.block is None or stmt.line != stmt.end)
            found.append(Site(stmt, context, inner, alone, names))
            if stmt.block is not None:
                visit(stmt.block, inner)

    visit(parsed.statements, role)
    return found


def generate(bases: list[Base], n: int, seed: int, rows: tuple[str, ...] = ROWS) -> list[Mutant]:
    """n mutants, `rows` in turn, each on a base drawn with `seed`; a row that
    does not apply to a base draws another (up to 50 times)."""
    rng = random.Random(seed)
    cache: dict[int, list[Site]] = {}
    mutants: list[Mutant] = []
    for i in range(n):
        row = rows[i % len(rows)]
        for _ in range(50):
            index = rng.randrange(len(bases))
            base = bases[index]
            if index not in cache:
                cache[index] = sites(base.target, base.role)
            made = MUTATORS[row](rng, base.target, cache[index], base.role)
            if made is not None:
                text, line, note = made
                mutants.append(Mutant(row, base, text, line, note))
                break
    return mutants


# -- edits --------------------------------------------------------------------------

Edit = tuple[str, int, str]  # (new text, line, note)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _insert(text: str, after: int, statement: str) -> Edit:
    lines = _lines(text)
    indent = re.match(r"\s*", lines[after - 1]).group() if after >= 1 else ""
    if after >= 1 and lines[after - 1].rstrip().endswith("{"):
        indent += "    "
    lines.insert(after, indent + statement)
    return "\n".join(lines), after + 1, f"+ {statement}"


def _replace_line(text: str, line: int, new: str, note: str) -> Edit:
    lines = _lines(text)
    lines[line - 1] = new
    return "\n".join(lines), line, note


def _slots(site_list: list[Site], contexts) -> list[tuple[int, Site | None, tuple[str, ...]]]:
    """(line to insert after, the block (None: top level), names already in that block) for blocks of `contexts`."""
    found = []
    for site in site_list:
        if site.inner in contexts and site.alone and site.stmt.block is not None:
            found.append((site.stmt.line, site, tuple(s.name for s in site.stmt.block)))
    return found


def _top_slot(text: str, site_list: list[Site], role: str, contexts) -> list[tuple[int, Site | None, tuple[str, ...]]]:
    if role not in contexts:
        return []
    top = [s for s in site_list if s.context == role and s.alone and s.stmt.block is None]
    names = tuple(s.stmt.name for s in site_list if s.context == role)
    return [(top[-1].stmt.end, None, names)] if top else [(0, None, names)]


def _insert_new(rng, text, site_list, role, contexts, make: Callable[[str], str | None], avoid: str | None = None) -> Edit | None:
    """Insert make(context) as the first statement of a block of `contexts` (or the file's top level) that has no `avoid`."""
    slots = [s for s in _slots(site_list, contexts) + _top_slot(text, site_list, role, contexts) if avoid not in s[2]]
    if not slots:
        return None
    after, block, _ = rng.choice(slots)
    statement = make(block.inner if block is not None else role)
    return None if statement is None else _insert(text, after, statement)


def _plain(site: Site, text: str) -> str | None:
    """The statement's one line when it holds the statement alone, simply (`name args;`), else None."""
    if not site.alone or site.stmt.block is not None or site.stmt.line != site.stmt.end:
        return None
    line = _lines(text)[site.stmt.line - 1]
    return line if re.match(r"\s*" + re.escape(site.stmt.name) + r"\s", line) and line.rstrip().endswith(";") else None


def _set_value(rng, text, site_list, role, names, values, contexts=HTTP_LEVELS) -> Edit | None:
    """Replace the one argument of a `names` statement by one of `values`, or insert one where none is."""
    value = rng.choice(values)
    own = [s for s in site_list if s.stmt.name in names and len(s.stmt.args) == 1 and _plain(s, text)]
    if own and rng.random() < 0.6:
        site = rng.choice(own)
        line = _plain(site, text)
        indent = re.match(r"\s*", line).group()
        return _replace_line(text, site.stmt.line, f"{indent}{site.stmt.name} {value};", f"{site.stmt.name} {value}")
    name = rng.choice(names)
    return _insert_new(rng, text, site_list, role, contexts, lambda ctx: f"{name} {value};", avoid=name)


# -- the rows -------------------------------------------------------------------------

def typo(rng, text, site_list, role) -> Edit | None:
    named = [s for s in site_list if s.context is not None and directives.is_known(s.stmt.name) and len(s.stmt.name) >= 6
             and re.match(r"\s*" + re.escape(s.stmt.name) + r"\s", _lines(text)[s.stmt.line - 1])]
    if not named:
        return None
    site = rng.choice(named)
    name = site.stmt.name
    for _ in range(20):
        i = rng.randrange(1, len(name) - 1)
        kind = rng.choice(("swap", "drop", "double", "replace"))
        wrong = {"swap": name[:i] + name[i + 1] + name[i] + name[i + 2:], "drop": name[:i] + name[i + 1:],
                 "double": name[:i] + name[i] + name[i:], "replace": name[:i] + rng.choice("aeiourst") + name[i + 1:]}[kind]
        if wrong != name and not directives.is_known(wrong):
            line = _lines(text)[site.stmt.line - 1]
            return _replace_line(text, site.stmt.line, line.replace(name, wrong, 1), f"{name} -> {wrong}")
    return None


def time(rng, text, site_list, role) -> Edit | None:
    return _set_value(rng, text, site_list, role, TIME_DIRECTIVES, TIMES["bad"])


def size(rng, text, site_list, role) -> Edit | None:
    return _set_value(rng, text, site_list, role, SIZE_DIRECTIVES, SIZES["bad"])


def flag(rng, text, site_list, role) -> Edit | None:
    return _set_value(rng, text, site_list, role, FLAG_DIRECTIVES, FLAGS["bad"])


def listen(rng, text, site_list, role) -> Edit | None:
    value = rng.choice(LISTENS)
    own = [s for s in site_list if s.stmt.name == "listen" and _plain(s, text)]
    if own and rng.random() < 0.5:
        site = rng.choice(own)
        indent = re.match(r"\s*", _lines(text)[site.stmt.line - 1]).group()
        return _replace_line(text, site.stmt.line, f"{indent}listen {value};", f"listen {value}")
    return _insert_new(rng, text, site_list, role, ("server",), lambda ctx: f"listen {value};")


def return_code(rng, text, site_list, role) -> Edit | None:
    value = rng.choice(RETURNS)
    return _insert_new(rng, text, site_list, role, ("server", "location", "if-in-location", "if-in-server"),
                       lambda ctx: f"return {value};")


def variable(rng, text, site_list, role) -> Edit | None:
    uses = [(s, v) for s in site_list if s.stmt.name in VARIABLE_DIRECTIVES and s.context is not None and _plain(s, text)
            for v in re.findall(r"\$([a-z_]+)", " ".join(s.stmt.args[1:] if s.stmt.name in ("set", "map") else s.stmt.args))
            if not v.startswith(FAMILIES)]
    if uses and rng.random() < 0.6:
        site, name = rng.choice(uses)
        i = rng.randrange(len(name))
        wrong = name[:i] + name[i + 1:] if len(name) > 2 else name + "x"
        if wrong.startswith(FAMILIES) or not wrong:
            wrong = name + "_mutant"
        line = _lines(text)[site.stmt.line - 1]
        new = re.sub(r"\$" + name + r"(?![a-z_0-9])", "$" + wrong, line, count=1)
        if new != line:
            return _replace_line(text, site.stmt.line, new, f"${name} -> ${wrong}")
    value = rng.choice(UNKNOWN_VARIABLES)
    return _insert_new(rng, text, site_list, role, ("server", "location"), lambda ctx: f"add_header X-Mutant {value};")


def regex(rng, text, site_list, role) -> Edit | None:
    pattern = rng.choice(BAD_REGEXES)
    kind = rng.choice(("location", "server_name", "map", "if"))
    if kind == "location":
        return _insert_new(rng, text, site_list, role, ("server", "location"), lambda ctx: f'location ~ "{pattern}" {{ return 404; }}')
    if kind == "server_name":
        return _insert_new(rng, text, site_list, role, ("server",), lambda ctx: f'server_name "~{pattern}";')
    if kind == "map":
        return _insert_new(rng, text, site_list, role, ("http",),
                           lambda ctx: f'map $uri $mutant_map_{rng.randrange(1000)} {{ "~{pattern}" 1; }}')
    return _insert_new(rng, text, site_list, role, ("server", "location"), lambda ctx: f'if ($uri ~ "{pattern}") {{ return 404; }}')


def semicolon(rng, text, site_list, role) -> Edit | None:
    simple = [s for s in site_list if s.stmt.block is None and s.alone]
    if not simple:
        return None
    site = rng.choice(simple)
    line = _lines(text)[site.stmt.end - 1]
    match = re.search(r";(\s*(?:#.*)?)$", line)
    if match is None:
        return None
    return _replace_line(text, site.stmt.end, line[:match.start()] + match.group(1), f"no ; after {site.stmt.name}")


def brace(rng, text, site_list, role) -> Edit | None:
    if rng.random() < 0.5:
        blocks = [s for s in site_list if s.stmt.block is not None and _lines(text)[s.stmt.end - 1].strip() == "}"]
        if blocks:
            site = rng.choice(blocks)
            return _replace_line(text, site.stmt.end, "", f"no }} closing {site.stmt.name} (line {site.stmt.line})")
    after = [s.stmt.end for s in site_list if s.alone]
    if not after:
        return None
    made = _insert(text, rng.choice(after), "}")
    return made[0], made[1], "extra }"


def context(rng, text, site_list, role) -> Edit | None:
    kind = rng.random()
    if kind < 0.5:
        statement, contexts = rng.choice(WRONG_PLACES)
        return _insert_new(rng, text, site_list, role, contexts, lambda ctx: statement)
    simple = [s for s in site_list if s.stmt.block is None and s.context is not None and _plain(s, text) and s.stmt.args]
    if not simple:
        return None
    site = rng.choice(simple)
    line = _plain(site, text)
    indent = re.match(r"\s*", line).group()
    if kind < 0.75:
        return _replace_line(text, site.stmt.line, f"{indent}{site.stmt.name};", f"{site.stmt.name} without arguments")
    return _replace_line(text, site.stmt.line, line.rstrip()[:-1] + " mutant_extra;", f"{site.stmt.name} + an argument")


def duplicate(rng, text, site_list, role) -> Edit | None:
    lines = _lines(text)
    if rng.random() < 0.3:
        blocks = [s for s in site_list if s.stmt.name == "location" and s.alone and lines[s.stmt.line - 1].rstrip().endswith("{")
                  and lines[s.stmt.end - 1].strip() == "}"]
        if blocks:
            site = rng.choice(blocks)
            copy = lines[site.stmt.line - 1:site.stmt.end]
            lines[site.stmt.end:site.stmt.end] = copy
            return "\n".join(lines), site.stmt.end + 1, f"location {' '.join(site.stmt.args)} twice"
    simple = [s for s in site_list if s.stmt.block is None and s.context is not None and _plain(s, text)]
    # Half the time a directive the table says holds one value: nginx should refuse the copy, and a
    # wrong entry in the table shows as a false rejection. The other half, any statement.
    single = [s for s in simple if _holds_one(s)]
    if not simple:
        return None
    site = rng.choice(single if single and rng.random() < 0.5 else simple)
    lines.insert(site.stmt.line, lines[site.stmt.line - 1])
    return "\n".join(lines), site.stmt.line + 1, f"{site.stmt.name} twice"


def _holds_one(site: Site) -> bool:
    spec = directives.spec_for(site.stmt.name, site.context)
    return spec is not None and (spec.set_handler in directives.SINGLE_SLOTS or spec.set_handler in directives.REPEAT_REFUSED
                                 or site.stmt.name in directives.UPSTREAM_HANDLERS)


def long_param(rng, text, site_list, role) -> Edit | None:
    value = (FILLER * (4400 // len(FILLER) + 1))[:rng.randrange(4096, 4400)]
    made = _insert_new(rng, text, site_list, role, ("server", "location", "http"),
                       lambda ctx: f'add_header Content-Security-Policy "{value}";')
    return None if made is None else (made[0], made[1], f"{len(value)}-byte parameter")


def ssl_no_cert(rng, text, site_list, role) -> Edit | None:
    if "ssl_certificate" in text:
        return None
    plain = [s for s in site_list if s.stmt.name == "listen" and _plain(s, text) and "ssl" not in s.stmt.args]
    if plain and rng.random() < 0.5:
        site = rng.choice(plain)
        line = _plain(site, text)
        return _replace_line(text, site.stmt.line, line.rstrip()[:-1] + " ssl;", "listen … ssl")
    return _insert_new(rng, text, site_list, role, ("http",), lambda ctx: "server { listen 18443 ssl; server_name mutant.test; }")


def ok_flag_case(rng, text, site_list, role) -> Edit | None:
    own = [s for s in site_list if len(s.stmt.args) == 1 and s.stmt.args[0] in ("on", "off") and _plain(s, text)]
    if own:
        site = rng.choice(own)
        line = _plain(site, text)
        word = site.stmt.args[0]
        cased = rng.choice([w for w in FLAGS["ok"] if w.lower() == word] or [word.upper()])
        return _replace_line(text, site.stmt.line, re.sub(r"\b" + word + r"(\s*;)", cased + r"\1", line), f"{site.stmt.name} {cased}")
    return _set_value(rng, text, site_list, role, FLAG_DIRECTIVES, FLAGS["ok"])


def ok_time(rng, text, site_list, role) -> Edit | None:
    return _set_value(rng, text, site_list, role, ("proxy_read_timeout", "proxy_send_timeout", "send_timeout"), TIMES["ok"])


def ok_value(rng, text, site_list, role) -> Edit | None:
    if rng.random() < 0.5:
        # not proxy_buffer_size: 10M is a size, but more than proxy_busy_buffers_size allows
        return _set_value(rng, text, site_list, role, ("client_max_body_size", "client_body_buffer_size"), SIZES["ok"])
    return return_ok(rng, text, site_list, role)


def return_ok(rng, text, site_list, role) -> Edit | None:
    value = rng.choice(("999", "204", '200 "x y"', "301 /elsewhere", "https://example.test/"))
    return _insert_new(rng, text, site_list, role, ("location",), lambda ctx: f"return {value};")


def ok_reorder(rng, text, site_list, role) -> Edit | None:
    lines = _lines(text)
    pairs = [(a, b) for a, b in zip(site_list, site_list[1:], strict=False)
             if _plain(a, text) and _plain(b, text) and b.stmt.line == a.stmt.line + 1 and a.context == b.context
             and a.stmt.name != b.stmt.name]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    lines[a.stmt.line - 1], lines[b.stmt.line - 1] = lines[b.stmt.line - 1], lines[a.stmt.line - 1]
    return "\n".join(lines), a.stmt.line, f"{a.stmt.name} <-> {b.stmt.name}"


def ok_layout(rng, text, site_list, role) -> Edit | None:
    simple = [s for s in site_list if _plain(s, text) and s.stmt.args]
    if not simple:
        return None
    site = rng.choice(simple)
    line = _plain(site, text)
    kind = rng.choice(("comment", "blank", "split", "spaces", "trailing"))
    if kind == "comment":
        made = _insert(text, site.stmt.line, "# a comment with ; { } \" ' in it")
        return made[0], made[1], "comment line"
    if kind == "blank":
        lines = _lines(text)
        lines[site.stmt.line:site.stmt.line] = ["", "   ", "\t"]
        return "\n".join(lines), site.stmt.line + 1, "blank lines"
    indent = re.match(r"\s*", line).group()
    rest = line.strip()[len(site.stmt.name):]
    if kind == "split":
        lines = _lines(text)
        lines[site.stmt.line - 1:site.stmt.line] = [indent + site.stmt.name, indent + "    " + rest.strip()]
        return "\n".join(lines), site.stmt.line, f"{site.stmt.name} over two lines"
    if kind == "spaces":
        return _replace_line(text, site.stmt.line, indent + "\t" + site.stmt.name + "\t \t" + rest.strip(), "tabs and spaces")
    return _replace_line(text, site.stmt.line, line + "  # trailing ; comment {", "trailing comment")


MUTATORS: dict[str, Callable] = {
    "typo": typo, "time": time, "size": size, "flag": flag, "listen": listen, "return": return_code, "variable": variable,
    "regex": regex, "semicolon": semicolon, "brace": brace, "context": context, "duplicate": duplicate,
    "long-param": long_param, "ssl-no-cert": ssl_no_cert, "ok-flag-case": ok_flag_case, "ok-time": ok_time,
    "ok-value": ok_value, "ok-reorder": ok_reorder, "ok-layout": ok_layout,
}
