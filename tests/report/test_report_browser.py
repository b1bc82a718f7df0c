"""The report opens in a browser with its pictures: rendered in headless Chromium.

``.ci/run`` installs Debian's ``chromium`` so CI always runs this; elsewhere, without a
Chromium on the PATH, the tests skip and say why. A copy of the report gets a small probe
script (the report itself has none) that, once the page has loaded, writes how many images
decoded and whether the summary table has rows into attributes of ``<body>``; Chromium's
``--dump-dom`` prints the DOM after that.
"""

import re
import shutil
import subprocess

import pytest

from retrosim.report import document as report

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=10000")
PROBE = """<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var shown = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  var rows = document.querySelectorAll("#summary-table tbody tr").length;
  var ids = Array.prototype.map.call(document.querySelectorAll("section"),
                                     function (s) { return s.id; });
  document.body.setAttribute("data-sections", ids.join(","));
  document.body.setAttribute("data-images", shown.length + "/" + images.length);
  document.body.setAttribute("data-summary-rows", String(rows));
});
</script>"""


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium on the PATH (Debian: apt-get install chromium; .ci/run installs "
                "it): the page was not rendered in a browser")


def body_attributes(probed, tmp_path, flags=FLAGS, timeout=120):
    """The ``data-*`` attributes of ``<body>`` in Chromium's DOM dump of the page ``probed``
    (a copy of a page with a probe script; the documentation site's test uses it too)."""
    out = subprocess.run([_browser(), *flags, f"--user-data-dir={tmp_path / 'profile'}",
                          "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=timeout, check=True).stdout
    body = out.split("<body", 1)[1].split(">", 1)[0]
    return dict(re.findall(r'(data-[\w-]+)="([^"]*)"', body))


def render_in_browser(html_path, tmp_path):
    """Body attributes the probe set, from Chromium's DOM dump of a probed copy."""
    probed = tmp_path / f"probed-{html_path.name}"
    probed.write_text(html_path.read_text().replace("</body>", PROBE + "</body>"))
    return body_attributes(probed, tmp_path)


@pytest.fixture(scope="module")
def compendium(tmp_path_factory):
    _browser()                                       # skip before running anything
    folder = tmp_path_factory.mktemp("browser")
    return report.write_report("compendium-2011", folder / "report.html")


def test_the_report_opens_with_every_picture_and_the_table(compendium, tmp_path):
    attrs = render_in_browser(compendium, tmp_path)
    shown, total = attrs["data-images"].split("/")
    assert int(total) == 7 and shown == total
    assert attrs["data-summary-rows"] == "3"


def test_the_probe_sees_a_broken_picture(compendium, tmp_path):
    """The check can fail: one image's data cut short is counted as not shown."""
    broken = tmp_path / "broken.html"
    text = compendium.read_text()
    start = text.index("data:image/png;base64,") + len("data:image/png;base64,")
    broken.write_text(text[:start] + "iVBORw0KGgo" + text[text.index('"', start):])
    shown, total = render_in_browser(broken, tmp_path)["data-images"].split("/")
    assert int(shown) == int(total) - 1


@pytest.fixture(scope="module")
def knee(tmp_path_factory):
    _browser()
    folder = tmp_path_factory.mktemp("browser-knee")
    return report.write_report("knee-replacement-what-if", folder / "knee.html")


def test_the_knee_report_shows_its_new_sections_and_pictures(knee, tmp_path):
    """The therapist's report in a browser: who was simulated, the arms, how sure, the models
    and the assumptions are there, and every picture decodes."""
    attrs = render_in_browser(knee, tmp_path)
    sections = attrs["data-sections"].split(",")
    for anchor in ("who", "arms", "summary", "intervals", "models", "assumptions"):
        assert anchor in sections, anchor
    shown, total = attrs["data-images"].split("/")
    assert int(total) == 7 and shown == total
    assert attrs["data-summary-rows"] == "4"
