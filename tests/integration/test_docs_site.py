"""The documentation site opens in a browser: every lesson with its plots, the API reference,
equations typeset by the site's own MathJax, and nothing fetched from the network.

The site is the one ``make docs`` builds (``RETROSIM_DOCS_SITE``, else ``docs/_build/html``);
without a built site, or without Chromium, the tests skip and say why. ``make docs`` runs them
right after building.
"""

import importlib.util
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=20000")
PROBE = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var images = Array.prototype.slice.call(document.images);
    var shown = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
    document.body.setAttribute("data-images", shown.length + "/" + images.length);
    document.body.setAttribute("data-math",
                               String(document.querySelectorAll("mjx-container").length));
  }, 5000);
});
</script>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    built = Path(os.environ.get("RETROSIM_DOCS_SITE", ROOT / "docs" / "_build" / "html"))
    if not (built / "index.html").is_file():
        pytest.skip(f"no built documentation site in {built}: 'make docs' builds it and runs "
                    "these tests")
    copy = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(built, copy)
    return copy


def _report_browser():
    """The Chromium helpers of the report's browser test (one copy of them)."""
    path = ROOT / "tests" / "report" / "test_report_browser.py"
    spec = importlib.util.spec_from_file_location("retrosim_report_browser", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def open_in_browser(page, tmp_path):
    """Body attributes the probe set, from Chromium's DOM dump of a probed copy of ``page``
    (beside it, so its relative links hold)."""
    probed = page.with_name(f"probed-{page.name}")
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    helpers = _report_browser()
    return helpers.body_attributes(probed, tmp_path, FLAGS, timeout=180)


def test_every_lesson_page_holds_its_plots(site):
    for lesson in LESSONS:
        page = (site / "lessons" / f"{lesson}.html").read_text()
        pictures = re.findall(r'<img [^>]*src="([^"]+)"', page)
        assert pictures, lesson
        for src in pictures:
            assert not src.startswith(("http:", "https:", "//")), (lesson, src)


def test_the_api_reference_is_built_from_the_docstrings(site):
    api = (site / "generated" / "retrosim.api.html").read_text()
    assert "Run every arm of" in api
    assert (site / "generated" / "retrosim.physiology.energy.html").is_file()


def test_the_scenario_schema_is_published_beside_the_format_page(site):
    published = site / "scenario.schema.json"
    shipped = ROOT / "retrosim" / "schema" / "scenario.schema.json"
    assert published.read_bytes() == shipped.read_bytes()
    assert 'href="scenario.schema.json"' in (site / "scenario-format.html").read_text()


def test_nothing_is_fetched_from_the_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text()
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"),
                          ("iframe", "src")):
            for value in re.findall(rf'<{tag}\b[^>]*\b{attr}="([^"]+)"', text):
                assert not value.startswith(("http:", "https:", "//")), (page.name, value)
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_a_lesson_opens_with_its_pictures_and_equations(site, tmp_path):
    attrs = open_in_browser(site / "lessons" / "02-falls.html", tmp_path)
    shown, total = attrs["data-images"].split("/")
    assert int(total) >= 4 and shown == total
    assert int(attrs["data-math"]) >= 2          # the site's own MathJax typeset them


def test_the_probe_sees_a_broken_picture(site, tmp_path):
    """The browser check can fail: a lesson page whose first picture is missing."""
    page = site / "lessons" / "02-falls.html"
    src = re.findall(r'<img [^>]*src="([^"]+)"', page.read_text())[0]
    (page.parent / src).unlink()
    shown, total = open_in_browser(page, tmp_path)["data-images"].split("/")
    assert int(shown) == int(total) - 1
