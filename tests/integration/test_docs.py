"""The documentation: every relative link resolves, and every model topic has its page."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TOPICS = ("energy", "oxygen", "heart", "treadmill", "balance", "pressure")


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading.

    >>> anchor("Balance and falls (`physiology/balance.py`, `falls.py`)")
    'balance-and-falls-physiologybalancepy-fallspy'
    """
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(line.lstrip("#")) for line in page.read_text().splitlines()
            if line.startswith("#")}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    for target in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, fragment = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: {target}"
        if fragment and resolved.suffix == ".md":
            assert fragment in anchors(resolved), f"{page.name}: {target}"


@pytest.mark.parametrize("topic", TOPICS)
def test_each_model_topic_has_a_page_linked_from_the_index(topic):
    page = ROOT / "docs" / "models" / f"{topic}.md"
    assert page.exists()
    assert f"(models/{topic}.md)" in (ROOT / "docs" / "models.md").read_text()
    text = page.read_text()
    assert "Assumptions" in text or "assumption" in text
