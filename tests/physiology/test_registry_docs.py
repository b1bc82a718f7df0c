"""The model tables of the docs are generated from the registries: a page is current.

Regenerate with ``RETROSIM_UPDATE_DOCS=1 pytest tests/physiology/test_registry_docs.py`` after
adding a registry entry (one function and one entry: the table follows).
"""

import os
import re
from pathlib import Path

import pytest

from retrosim.physiology import (
    courses,
    energy,
    epoc,
    heart,
    hr_drift,
    hr_kinetics,
    peh_models,
    vo2_kinetics,
)
from retrosim.physiology.registry import markdown_table, reference_key

DOCS = Path(__file__).resolve().parents[2] / "docs"
BIBLIOGRAPHY = (DOCS / "references.md").read_text(encoding="utf-8")
KEYS = set(re.findall(r"^### (\S+)", BIBLIOGRAPHY, flags=re.M))
#: Sources that name no year, by the start of their text.
YEARLESS = {"ACSM's Guidelines": "acsm-guidelines"}
#: page -> the registries whose tables it holds: (dotted name, registry, default).
PAGES = {
    "models/energy.md": [("retrosim.physiology.energy.ENERGY_MODELS", energy.ENERGY_MODELS,
                          energy.DEFAULT_ENERGY_MODEL)],
    "models/heart.md": [("retrosim.physiology.hr_kinetics.HR_KINETICS_MODELS",
                         hr_kinetics.HR_KINETICS_MODELS, hr_kinetics.DEFAULT_HR_KINETICS_MODEL),
                        ("retrosim.physiology.hr_drift.HR_DRIFT_MODELS",
                         hr_drift.HR_DRIFT_MODELS, hr_drift.DEFAULT_HR_DRIFT_MODEL)],
    "models/oxygen.md": [("retrosim.physiology.vo2_kinetics.VO2_KINETICS_MODELS",
                          vo2_kinetics.VO2_KINETICS_MODELS,
                          vo2_kinetics.DEFAULT_VO2_KINETICS_MODEL),
                         ("retrosim.physiology.epoc.EPOC_MODELS", epoc.EPOC_MODELS,
                          epoc.DEFAULT_EPOC_MODEL)],
    "models/pressure.md": [("retrosim.physiology.peh_models.PEH_REGISTRY",
                            peh_models.PEH_REGISTRY, peh_models.DEFAULT_PEH_MODEL)],
    "programmes.md": [("retrosim.physiology.courses.TRAINING_MODELS", courses.TRAINING_MODELS,
                       courses.DEFAULT_TRAINING_MODEL)],
}
MARK = "<!-- generated from {name}: RETROSIM_UPDATE_DOCS=1 pytest {test} -->"
END = "<!-- end of the generated table -->"


def cite(reference: str, up: str = "../") -> str:
    """A source linked to its bibliography entry (docs/references.md, ``up`` from the page),
    else as written."""
    key = reference_key(reference) or next(
        (k for start, k in YEARLESS.items() if reference.startswith(start)), None)
    if key not in KEYS:
        return reference
    short = reference.split(" (")[0] if "(" in reference else reference
    year = re.search(r"\((\d{4})\)", reference)
    return f"[{short}{' ' + year[1] if year else ''}]({up}references.md#{key})"


def generated(text: str, name: str, table: str) -> str:
    start = MARK.format(name=name, test="tests/physiology/test_registry_docs.py")
    if start not in text:
        raise AssertionError(f"the page lacks the marker {start!r}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{start}\n{table}\n{END}{tail}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_model_tables_are_current(page):
    path = DOCS / page
    text = path.read_text(encoding="utf-8")
    new = text
    for name, registry, default in PAGES[page]:
        up = "../" * page.count("/")
        new = generated(new, name, markdown_table(
            registry, default=default, cite=lambda r, up=up: cite(r, up)))
    if os.environ.get("RETROSIM_UPDATE_DOCS"):
        path.write_text(new, encoding="utf-8")
    assert text == new, f"{page} is out of date: RETROSIM_UPDATE_DOCS=1 pytest {__file__}"


def test_every_registered_source_is_in_the_bibliography():
    missing = {r for _, registry, _ in sum(PAGES.values(), []) for entry in registry.values()
               for r in entry.references if cite(r) == r}
    missing |= {r for entry in heart.HR_MAX_MODELS.values() for r in entry.references
                if cite(r) == r}
    assert not missing, missing
