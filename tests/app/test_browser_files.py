"""The page and a scenario file, in a real browser: every bundled scenario uploaded and
downloaded comes back key for key; a key the file leaves out stays out (its default shows on
the form); a key the form has no field for is kept and shown as from the file; one person's
values never carry over into the next file's.

One browser page serves every scenario (the page is reused, not reloaded): each upload
replaces the whole form.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from retrosim.app import form as F
from retrosim.model.scenario import bundled
from tests.app.conftest import open_page

SHIPPED = bundled()


@pytest.fixture(scope="module")
def one_page(browser, served):
    context, page = open_page(browser, served.url)
    page.wait_for_selector("#arms .arm")
    yield page
    context.close()


def _same(a, b, where=""):
    """``a`` and ``b`` equal key for key, value for value and TOML type for type."""
    assert type(a) is type(b), f"{where}: {a!r} became {b!r}"
    if isinstance(a, dict):
        assert list(sorted(a)) == list(sorted(b)), f"{where}: keys {sorted(a)} -> {sorted(b)}"
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} became {b!r}"


def _upload(page, path: Path) -> None:
    page.locator("#upload").set_input_files(str(path))
    page.wait_for_function("(name) => { const s = document.querySelector('#status-text');"
                           " return s && s.textContent === 'started from ' + name; }",
                           arg=path.name, timeout=30_000)
    page.wait_for_function("() => !document.documentElement.classList.contains('shiny-busy')")
    page.wait_for_timeout(600)                  # the updated inputs are back at the server


def _download(page, folder: Path) -> dict:
    folder.mkdir(exist_ok=True)
    with page.expect_download() as info:
        page.click("#download_toml")
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _shows_defaults(page, subject: dict) -> None:
    """Each person's field the file leaves out shows the model's default (a blank number, or
    the choice "default (...)"); each ``[subject]`` key without a field is listed as from
    the file."""
    for key, _, kind in F.PERSON_FIELDS:
        if key in subject or key in ("sex", "berg", "sbp", "dbp"):
            continue
        if key == "balance" and "berg" in subject:
            continue
        field = page.locator(f"#{key}")
        if kind == "number":
            assert field.input_value() == "", key
        elif kind == "flag":
            assert not field.is_checked(), key
        else:
            assert field.input_value() == "", key
            text = field.evaluate("s => s.options[s.selectedIndex].text")
            assert text == f"default ({F.subject_default(key)})", key
    if "resting_bp_mmhg" not in subject:
        assert page.locator("#sbp").input_value() == page.locator("#dbp").input_value() == ""
    shown = {f[0] for f in F.PERSON_FIELDS} | {"resting_bp_mmhg"}
    for key, value in subject.items():
        if key not in shown or isinstance(value, dict):
            assert page.locator(f"#person-from-file li[data-key='{key}']").count() == 1, key


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_bundled_scenario_uploaded_and_downloaded_is_the_same_file(one_page, name,
                                                                          tmp_path):
    path = SHIPPED[name]
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    _upload(one_page, path)
    _same(data, _download(one_page, tmp_path), name)
    if "subject" in data and "cohort" not in data:
        _shows_defaults(one_page, data["subject"])
    kept = [k for k in data if k not in ("name", "description", "seed", "subject", "arms")]
    if kept:
        text = one_page.inner_text("#kept-from-file")
        assert all(k in text for k in kept), (kept, text)


FULL = """name = "full"
seed = 11
[subject]
mass_kg = 92.5
age_yr = 71
sex = "male"
berg = 38
resting_bp_mmhg = [152, 94]
bp_medication = true
fitness = "trained"
handrail = "grip"
vo2max_ml_kg_min = 31.0
hr_max_bpm = 150
hr_rest_bpm = 66
backward_practice_min = 120
height_cm = 181.0
[arms.a]
stages = ["walk backward at 1.5 mph for 5 min"]
"""

FOUR = """name = "four"
[subject]
mass_kg = 61.0
age_yr = 55
sex = "female"
balance = "moderate"
[arms.a]
stages = ["walk forward at 2 mph for 5 min"]
"""


def test_a_four_key_person_after_a_full_one_keeps_nothing_of_the_first(one_page, tmp_path):
    full, four = tmp_path / "full.toml", tmp_path / "four.toml"
    full.write_text(FULL)
    four.write_text(FOUR)
    _upload(one_page, full)
    _same(tomllib.loads(FULL), _download(one_page, tmp_path / "a"), "full")
    assert one_page.locator("#person-from-file li[data-key='height_cm']").count() == 1
    _upload(one_page, four)
    _same(tomllib.loads(FOUR), _download(one_page, tmp_path / "b"), "four")
    _shows_defaults(one_page, tomllib.loads(FOUR)["subject"])
    assert one_page.locator("#seed").input_value() == ""
    assert one_page.locator("#person-from-file").count() == 0


#: The accessibility roles of the page's controls (Chromium's computed tree).
CONTROLS = {"textbox", "spinbutton", "combobox", "checkbox", "radio", "slider", "button",
            "searchbox", "listbox"}


def _unnamed(page) -> list[str]:
    """The controls on show that a screen reader finds no name for (Chromium's own
    accessible-name computation), as their HTML."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    bad = [n for n in nodes if not n.get("ignored")
           and n.get("role", {}).get("value") in CONTROLS
           and not str(n.get("name", {}).get("value", "")).strip()]
    out = []
    for n in bad:
        node = cdp.send("DOM.describeNode", {"backendNodeId": n["backendDOMNodeId"]})["node"]
        out.append(f"<{node['nodeName'].lower()} {node.get('attributes')}>")
    cdp.detach()
    return out


def test_every_input_has_a_name_a_screen_reader_finds(one_page, tmp_path):
    page = one_page
    _upload(page, SHIPPED["handrail-what-if"])
    whatif = page.locator(".tab-pane[data-value='whatif']")
    for key, label, _ in F.PERSON_FIELDS:
        if key in F.subject_keys() or key in ("sbp", "dbp"):
            assert whatif.get_by_label(label, exact=True).get_attribute("id") == key, label
    for label, key in (("Seed", "seed"), ("People (virtual walkers)", "people"),
                       ("Start from a bundled scenario", "bundled")):
        assert whatif.get_by_label(label, exact=True).get_attribute("id") == key
    rows = page.locator("#arms .arm").nth(4).locator(".stage-row")
    second = rows.nth(1).get_attribute("id").removeprefix("row-")
    for column, end in (("action", "action"), ("direction", "direction"), ("speed", "speed"),
                        ("speed unit", "unit"), ("grade [%]", "grade"),
                        ("minutes", "minutes"), ("handrail", "handrail")):
        field = page.get_by_label(f"slower-no-handrail, stage 2: {column}", exact=True)
        assert field.get_attribute("id") == f"s_{second}_{end}"
    page.get_by_label("slower-no-handrail, stage 2: speed", exact=True).fill("1.4")
    assert _unnamed(page) == []
    page.click("a[data-value='teaching']")
    page.wait_for_selector("#lesson_energy img", timeout=30_000)
    assert _unnamed(page) == []
    page.click("a[data-value='whatif']")
