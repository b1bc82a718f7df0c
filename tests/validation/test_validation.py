"""``retrosim validate``: every published value against the models, the marks, the docs page."""

from pathlib import Path

import pytest

from retrosim.cli.main import main
from retrosim.validation import published
from retrosim.validation import table as validation
from retrosim.validation.table import compare

PAGE = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


@pytest.fixture(scope="module")
def rows():
    return published.all_rows()


def test_validate_lists_at_least_25_published_values_and_none_is_bad(rows):
    assert len(rows) >= 25
    assert validation.counts(rows)["bad"] == 0, [r for r in rows if r.mark == "bad"]


def test_every_topic_the_models_rest_on_has_rows(rows):
    topics = {r.topic for r in rows}
    assert topics == {"energy", "oxygen", "heart rate", "falls", "blood pressure", "programmes"}
    sources = " ".join(r.source for r in rows)
    for needle in ("Ainsworth 2011", "Herrmann 2024", "ACSM", "Berling", "George", "Tanaka",
                   "Swain", "Kim & Choi", "Owings", "Muir", "Barry", "Fritz", "Kenney & Seals",
                   "Corso", "MacDonald", "Carpio-Rivera", "ACC/AHA", "Hooper", "Chaloupka",
                   "Heath", "Thomas", "Bahr", "Smith & McNaughton", "Pescatello"):
        assert needle in sources, needle


def test_unverified_values_are_never_rows(rows):
    """An unverified value (recalled, not read in the source) may be a default, never a check."""
    text = " ".join(f"{r.source} {r.quantity}" for r in rows)
    for unverified in ("Shumway-Cook", "per MET", "Hansen", "Wasserman"):
        assert unverified not in text


def test_the_compendium_lookups_return_every_code_exactly(rows):
    lookups = [r for r in rows if r.quantity.endswith(("(compendium-2011)", "(compendium-2024)",
                                                       "(compendium-2024-treadmill)"))]
    assert len(lookups) == 32
    assert all(r.difference == 0.0 and r.mark == "good" for r in lookups)


def test_the_2011_headline_runs_through_the_engine(rows):
    headline = [r for r in rows if r.source == "Ainsworth 2011 headline"
                and r.quantity.startswith("kcal")]
    assert [round(r.model, 2) for r in headline] == [45.90, 64.05, 85.40]


@pytest.mark.parametrize(("model", "mark"), [(10.0, "good"), (10.2, "good"), (10.3, "decent"),
                                             (10.4, "decent"), (10.41, "bad"), (9.59, "bad")])
def test_marks_good_within_half_the_tolerance_decent_within_it(model, mark):
    row = compare("t", "s", "q", model, 10.0, tolerance=4.0, relative=True)
    assert row.mark == mark
    assert row.difference == pytest.approx(100 * (model / 10 - 1))


def test_a_published_range_counts_from_its_nearest_bound():
    inside = compare("t", "s", "q", 19.0, (18.0, 20.0), tolerance=0.0)
    above = compare("t", "s", "q", 20.5, (18.0, 20.0), tolerance=1.0, unit="mmHg")
    assert (inside.difference, inside.mark, inside.published) == (0.0, "good", "18-20")
    assert (above.difference, above.mark) == (0.5, "good")
    assert compare("t", "s", "q", 17.0, (18.0, 20.0), tolerance=0.5).mark == "bad"


def test_an_exact_value_must_match_and_round_off_is_not_a_difference():
    assert compare("t", "s", "q", 0.1 + 0.2, 0.3, tolerance=0.0).mark == "good"
    assert compare("t", "s", "q", 0.3001, 0.3, tolerance=0.0).mark == "bad"


def test_the_docs_page_is_current(rows):
    """Regenerate with: retrosim validate --markdown > docs/validation.md"""
    assert PAGE.read_text() == validation.markdown(rows)


def test_cli_validate_prints_the_table_and_exits_0(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == list(validation.COLUMNS)
    assert "published values:" in lines[-1] and " 0 bad" in out
    assert max(len(line) for line in lines) <= 80


def test_calibration_and_validation_are_counted_apart_and_exclusions_printed(capsys, rows):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    kinds = {r.kind for r in rows}
    assert kinds == {"calibration", "validation"}
    n_cal = sum(r.kind == "calibration" for r in rows)
    assert f"calibration {n_cal} (" in out and f"validation {len(rows) - n_cal} (" in out
    assert "left out, and why:" in out
    for what, _ in validation.EXCLUSIONS:
        assert what.split()[0] in out
    # a Compendium lookup checks the table against itself; Swain 1994 against Kim & Choi's
    # forward heart rate is a model against other people's data
    assert all(r.kind == "calibration" for r in rows if "(compendium-2011)" in r.quantity)
    assert any(r.kind == "validation" and r.source == "Kim & Choi 2001" for r in rows)


def test_cli_validate_exits_1_when_a_value_is_bad(capsys, monkeypatch):
    bad = compare("energy", "a source", "a quantity", 12.0, 10.0, tolerance=5.0,
                  relative=True)
    monkeypatch.setattr(published, "all_rows", lambda: [bad])
    assert main(["validate"]) == 1
    assert "bad" in capsys.readouterr().out


def test_cli_validate_markdown_is_the_page(capsys, rows):
    assert main(["validate", "--markdown"]) == 0
    assert capsys.readouterr().out == PAGE.read_text()
