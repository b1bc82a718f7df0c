"""Fixtures of the app's tests: the app served in a subprocess, and headless Chromium.

The browser is Debian's ``chromium`` (``.ci/run`` installs it), driven by Playwright's Python
package with ``executable_path``: Playwright never downloads a browser of its own here. Where
there is no browser, or no Playwright, the browser tests skip and say which is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

#: Chromium's flags for a machine without a screen or a network (root, no sandbox).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    """The system's Chromium, if there is one."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


class Served:
    """``retrosim app`` running in a subprocess; ``url`` is the address it printed."""

    def __init__(self, *args: str) -> None:
        pytest.importorskip("shiny", reason="the app extra is not installed")
        self.proc = subprocess.Popen([sys.executable, "-m", "retrosim", "app", "--no-browser",
                                      *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdout is not None
        self.line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", self.line)
        if not m:
            self.stop()
            raise AssertionError(f"retrosim app printed {self.line!r}; stderr: "
                                 f"{self.proc.stderr.read() if self.proc.stderr else ''}")
        self.url = m[0]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    app = Served()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright (the test extra) is not installed")
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str) -> tuple[object, object]:
    """A new context and page of the app at ``url``, once Shiny is connected (downloads
    accepted, a wide window)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => window.Shiny && Shiny.shinyapp && "
                           "Shiny.shinyapp.isConnected()", timeout=30_000)
    return context, page


@pytest.fixture
def write_recording():
    """A function writing virtual person ``index``'s recorded session (seed 0) as the CSV
    ``retrosim fit`` reads, and returning the person (mass, age, sex and the true traits)."""
    import csv

    import numpy as np

    from retrosim.fit import recovery
    from retrosim.units import mps_to_mph

    def write(path, index: int = 3):
        who = recovery.person(0, index)
        rec = recovery.recording(0, index, who)
        with path.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["time_s", "speed_mph", "grade_pct", "direction", "hr_bpm"])
            for t, v, g, d, hr in zip(rec.time_s, rec.speed_mps, rec.grade_frac, rec.direction,
                                      rec.hr_bpm, strict=True):
                out.writerow([f"{t:.0f}", f"{mps_to_mph(v):.1f}", f"{100 * g:.1f}",
                              "backward" if d < 0 else "forward",
                              "" if np.isnan(hr) else f"{hr:.0f}"])
        return who

    return write
