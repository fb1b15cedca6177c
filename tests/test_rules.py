"""Every rule has a failing and a passing fixture; each failing fixture marks
the lines where findings are expected with `# expect: RULE`, and the linter
must report exactly those (rule, file, line), and no finding of another rule
of the same pack. Opt-in packs (`default: off`) are turned on here; a
further test shows their rules stay silent until asked for. Packs are judged apart: a WebSocket fixture proxying from
an `if` is rightly a SEC009 finding too, which is not its subject."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nginxlint.commands.check import CheckOptions, check, prepare

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
EXPECT = re.compile(rb"# expect: ([A-Z0-9, ]+)")
# Every pack on: an opt-in pack's fixtures are judged as when it is asked for.
OPT_IN = [pack.name for pack in prepare(CheckOptions()).packs.values() if not pack.default_on]
OPTIONS = CheckOptions(packs=OPT_IN)
POLICIES = prepare(OPTIONS)


def _fixture(rule: str, kind: str) -> Path:
    matches = [p for p in (FIXTURES / rule).glob(f"{kind}*") if p.stem == kind]
    assert len(matches) == 1, f"{rule} needs exactly one {kind} fixture (file or folder)"
    return matches[0]


def _expected(path: Path) -> set[tuple[str, str, int]]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    expected = set()
    for file in files:
        for number, line in enumerate(file.read_bytes().splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for rule in match.group(1).decode().replace(",", " ").split():
                    expected.add((rule, file.relative_to(FIXTURES.parents[1]).as_posix(), number))
    return expected


def _paths(path: Path) -> list[str]:
    """The fixture as given on the command line: a file or folder; a folder
    holding only folders (sites-enabled/, snippets/) gives them together, as
    a pre-commit hook passes the files of a commit, each linted in its role."""
    given = [path] if path.is_file() or any(p.is_file() for p in path.iterdir()) else sorted(path.iterdir())
    return [str(p.relative_to(FIXTURES.parents[1])) for p in given]


def _lint(path: Path, monkeypatch, rule: str) -> set[tuple[str, str, int]]:
    monkeypatch.chdir(FIXTURES.parents[1])
    result = check(_paths(path), OPTIONS, POLICIES)
    assert not result.errors
    pack = POLICIES.rule(rule).file
    return {(f.rule, f.file, f.line) for f in result.findings if POLICIES.rule(f.rule).file == pack}


ALL_RULES = sorted(rule.id for rule in POLICIES.rules)


def test_every_rule_has_fixtures():
    assert sorted(p.name for p in FIXTURES.iterdir()) == ALL_RULES


@pytest.mark.parametrize("rule", ALL_RULES)
def test_failing_fixture_reports_exactly_the_marked_lines(rule, monkeypatch):
    path = _fixture(rule, "fail")
    expected = _expected(path)
    assert expected and {e[0] for e in expected} == {rule}
    assert _lint(path, monkeypatch, rule) == expected


@pytest.mark.parametrize("rule", ALL_RULES)
def test_passing_fixture_is_clean(rule, monkeypatch):
    assert _lint(_fixture(rule, "pass"), monkeypatch, rule) == set()


@pytest.mark.parametrize("rule", [r.id for r in POLICIES.rules if r.pack in OPT_IN])
def test_opt_in_pack_is_silent_unless_turned_on(rule, monkeypatch):
    monkeypatch.chdir(FIXTURES.parents[1])
    default = CheckOptions()
    assert not [f for f in check(_paths(_fixture(rule, "fail")), default, prepare(default)).findings if f.rule == rule]
