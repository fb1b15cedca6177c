"""The documentation stays true: docs/rules.md is what `nginxlint rules` prints,
every relative link leads to a file (and heading) that exists, and the README
keeps the two commands CI and a fresh machine rely on."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from .conftest import REPO, run_cli

_spec = importlib.util.spec_from_file_location("gen_rules_doc", REPO / "tools" / "gen_rules_doc.py")
gen_rules_doc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_rules_doc)

README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


@pytest.fixture(scope="module")
def document():
    return gen_rules_doc.rules_document()


def test_rules_doc_is_generated_from_nginxlint_rules(document):
    text = gen_rules_doc.DOC.read_text(encoding="utf-8")
    try:
        expected = gen_rules_doc.render(text, document)
    except ValueError as error:
        pytest.fail(str(error))
    assert text == expected, f"docs/rules.md does not match `nginxlint rules`; regenerate it with: {gen_rules_doc.COMMAND}"


def test_rules_doc_tables_are_the_text_table(document):
    """The JSON the tables come from says what `nginxlint rules` prints, row for row."""
    code, out, _ = run_cli(["rules"], REPO)
    assert code == 0
    rows = [line.split(None, 6) for line in out.splitlines()[2:]]
    fixes = {None: "-", False: "safe", True: "unsafe"}
    assert rows == [[r["id"], r["name"], r["severity"], r["pack"], "on" if r["on"] else "off", fixes[r["fix"] and r["fix"]["unsafe"]],
                     r["summary"]] for r in document["rules"]]
    text = gen_rules_doc.DOC.read_text(encoding="utf-8")
    for r in document["rules"]:
        assert len(re.findall(rf"^\| {r['id']} \| {re.escape(r['name'])} \| {r['severity']} \|", text, re.M)) == 1, r["id"]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def _links(path: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_lead_somewhere(page):
    links = _links(page)
    broken = []
    for link in links:
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):
            continue  # https:, mailto:
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no file {path}")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no heading with anchor #{anchor} in {path.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


def test_readme_links_every_doc():
    linked = {(README.parent / link.partition("#")[0]).resolve() for link in _links(README)}
    assert not [d.name for d in DOCS if d.resolve() not in linked]


def test_readme_keeps_the_setup_and_test_commands():
    text = README.read_text(encoding="utf-8")
    for command in ("pip install . && nginxlint check sample_configs/gmai.sa sample_configs/gmai.sa.backup",
                    "pip install '.[test,lsp]' && python -m pytest",
                    'python -m pytest -m "not live and not slow"'):
        assert command in text, command
    assert "pip install -q '.[test,lsp]' && python -m pytest -q" in (REPO / ".ci" / "run").read_text()

