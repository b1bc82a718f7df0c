"""Citations stay inside the repository: the project's bibliography is docs/references.md.

No tracked file may point readers at a research file outside the repository; every link into
the bibliography resolves to an entry; every multi-author citation ("Muir et al. 2008",
"Kenney & Seals 1993") in the docs pages has an entry whose key is the first author and year.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIBLIOGRAPHY = ROOT / "docs" / "references.md"
#: The outside research file (spelled in two parts so that this file does not mention it).
OUTSIDE = "REFERENCES" + ".md"
ENTRY = re.compile(r"^### (\S+)\s*$", re.MULTILINE)
LINK = re.compile(r"references\.md#([\w-]+)")
#: "Surname [initials] [, Surname] (& Surname | et al.) [(]year", e.g. "Swain DP et al. (1998)".
#: A surname may begin with a particle ("Das Gupta") or be a compound joined by "e" ("de Souza
#: e Silva"); its key joins the words with "-".
CITATION = re.compile(r"\b((?:(?:Das|De|La|Van|Von) |de [A-Z][a-z]+ e )?[A-Z][a-z]+"
                      r"(?:-[A-Z][a-z]+)?)"
                      r"(?: [A-Z]{1,3})?(?:, [A-Z][a-z]+)*"
                      r"(?: (?:&|and) [A-Z][a-z]+| et al\.?),? \(?((?:19|20)\d\d)\b")


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode()
        return [ROOT / name for name in out.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):       # not a git checkout: walk the tree
        skip = {".git", ".venv", "__pycache__"}
        return [p for p in ROOT.rglob("*")
                if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)]


def entry_keys() -> list[str]:
    """The entries' keys in file order (headings inside fenced code are the format's example)."""
    text = re.sub(r"^```.*?^```", "", BIBLIOGRAPHY.read_text(encoding="utf-8"),
                  flags=re.MULTILINE | re.DOTALL)
    return ENTRY.findall(text)


def keys() -> set[str]:
    return set(entry_keys())


def citing_pages() -> list[Path]:
    """The docs pages, the README and the lessons (notebooks link ../docs/references.md)."""
    docs = [p for p in sorted((ROOT / "docs").rglob("*.md")) if p != BIBLIOGRAPHY]
    return [ROOT / "README.md", *docs, *sorted((ROOT / "notebooks").glob("*.ipynb"))]


def test_no_tracked_file_mentions_the_outside_research_file():
    offenders = []
    for path in tracked_files():
        if not path.is_file():                              # deleted in the working tree
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:                          # binary
            continue
        offenders += [f"{path.relative_to(ROOT)}:{i}" for i, line in
                      enumerate(text.splitlines(), 1) if OUTSIDE in line]
    assert not offenders, f"cite the source itself, not {OUTSIDE}: {offenders}"


def test_the_bibliography_has_unique_sorted_keys():
    found = entry_keys()
    assert len(found) >= 40
    assert len(found) == len(set(found)), "duplicate keys"
    assert found == sorted(found), "entries out of alphabetical order"
    for key in found:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", key), key


@pytest.mark.parametrize("page", citing_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_into_the_bibliography_resolves(page):
    known = keys()
    missing = sorted(set(LINK.findall(page.read_text(encoding="utf-8"))) - known)
    assert not missing, f"{page.name}: no entry in docs/references.md for {missing}"


@pytest.mark.parametrize("page", [p for p in citing_pages() if p.suffix == ".md"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_multi_author_citation_in_the_docs_has_an_entry(page):
    known = keys()
    cited = {f"{m.group(1).lower().replace(' ', '-')}-{m.group(2)}"
             for m in CITATION.finditer(page.read_text(encoding="utf-8"))}
    missing = sorted(key for key in cited
                     if key not in known and not any(k.startswith(key) for k in known))
    assert not missing, f"{page.name}: add an entry to docs/references.md for {missing}"


def test_the_citation_pattern():
    text = ("Muir et al. 2008; Kenney & Seals (1993); Swain DP et al. (1998); "
            "Hansen, Sue & Wasserman 1984; Carpio-Rivera et al. 2016; Compendium 2011; "
            "Das Gupta et al. 2019")
    assert [f"{m.group(1).lower().replace(' ', '-')}-{m.group(2)}"
            for m in CITATION.finditer(text)] == [
        "muir-2008", "kenney-1993", "swain-1998", "hansen-1984", "carpio-rivera-2016",
        "das-gupta-2019"]
