"""The walk's direction from the record's laps: a TCX lap's ``Notes``, a FIT lap's workout
step name; ``--direction`` and ``--stages`` overrule them; nothing said is forward, with a
warning."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from retrosim.cli.main import main
from retrosim.fit.formats import lap_direction, read_recording
from retrosim.fit.workflow import fit_recording
from tests.fit.conftest import LAPS, write_fit, write_tcx

PERSON = {"age_yr": 48, "sex": "male", "mass_kg": 66.7}
WRITERS = {"fit": write_fit, "tcx": write_tcx}


@pytest.mark.parametrize("suffix", ["fit", "tcx"])
def test_laps_give_the_recorded_direction(tmp_path, virtual, suffix):
    _, rec = virtual
    back = read_recording(WRITERS[suffix](tmp_path / f"s.{suffix}", rec, laps=LAPS))
    settled = np.all(np.abs(rec.time_s[:, None] - [s for s, _ in LAPS]) > 20.0, axis=1)
    np.testing.assert_array_equal(back.direction[settled], rec.direction[settled])
    assert set(back.direction[~settled]) <= {-1.0, 1.0}      # the belt's turn: lap 2's start
    assert any("backward in lap 2" in w for w in back.warnings)


def test_backward_practice_is_fitted_only_when_the_laps_are_read(tmp_path, virtual):
    """FIT carries the grade too, so the fit's walk is the one walked (TCX has no grade)."""
    who, rec = virtual
    with_laps = fit_recording(write_fit(tmp_path / "laps.fit", rec, laps=LAPS), person=PERSON)
    practice = with_laps.fit.traits["backward_practice_min"]
    assert practice.informed
    assert practice.low <= who.truth["backward_practice_min"] <= practice.high
    without = fit_recording(write_fit(tmp_path / "plain.fit", rec), person=PERSON)
    assert "backward_practice_min" not in without.fit.traits
    assert any("taken as forward" in w for w in without.warnings)


def test_a_tcx_lap_makes_the_fit_walk_backward(tmp_path, virtual):
    _, rec = virtual
    assert fit_recording(write_tcx(tmp_path / "laps.tcx", rec, laps=LAPS),
                         person=PERSON).fit.walk.backward
    assert not fit_recording(write_tcx(tmp_path / "plain.tcx", rec),
                             person=PERSON).fit.walk.backward


def test_direction_and_stages_overrule_the_laps(tmp_path, virtual):
    _, rec = virtual
    path = write_tcx(tmp_path / "s.tcx", rec, laps=LAPS)
    forward = fit_recording(path, person=PERSON, direction="forward")
    assert not forward.fit.walk.backward
    assert not any("laps" in w for w in forward.warnings)
    stages = tmp_path / "stages.toml"
    stages.write_text('stages = ["walk forward at 2 mph for 30 min"]\n')
    staged = fit_recording(path, person=PERSON, stages=str(stages))
    assert not staged.fit.walk.backward


def test_the_written_scenario_walks_backward_in_lap_2(tmp_path, virtual):
    _, rec = virtual
    out = tmp_path / "person.toml"
    path = write_fit(tmp_path / "s.fit", rec, laps=LAPS)
    assert main(["fit", str(path), "-o", str(out)]) == 0
    stages = tomllib.loads(out.read_text())["arms"]["recorded"]["stages"]
    assert [s["direction"] for s in stages if "direction" in s] == \
        ["forward"] * 3 + ["backward"] * 2


@pytest.mark.parametrize(("text", "expected"), [
    ("Backward walk", -1.0), ("retro walking 1.5 mph", -1.0), ("BACKWARDS", -1.0),
    ("forward", 1.0), ("rest", None), ("forward then backward", None), ("", None),
    ("Backwardness", None)])
def test_a_lap_names_its_direction_by_a_whole_word(text, expected):
    assert lap_direction(text) == expected
