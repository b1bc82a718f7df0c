"""``retrosim fit``: a recording in, a runnable person out; bad input: one line, exit 2, and
nothing written."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

import retrosim
from retrosim.cli.main import main
from retrosim.fit import recovery
from retrosim.fit.person import fit_person
from retrosim.model.options import EnergyOptions
from retrosim.model.scenario import load_scenario
from tests.fit.conftest import write_csv, write_fit, write_tcx

PERSON = ["--age", "48", "--sex", "male", "--mass-kg", "66.7"]


def test_csv_to_a_runnable_person(tmp_path, virtual, capsys):
    who, rec = virtual
    out = tmp_path / "person.toml"
    assert main(["fit", str(write_csv(tmp_path / "s.csv", rec)), *PERSON, "-o", str(out),
                 "--plot", str(tmp_path / "fit.png")]) == 0
    printed = capsys.readouterr().out
    assert "fitted in" in printed and (tmp_path / "fit.png").stat().st_size > 10_000
    data = tomllib.loads(out.read_text())
    subject = data["subject"]
    # Under the walking-cost person term of his age (x 1.085 on the net cost, the default)
    # the 8 % uphill stage asks 29.7 mL/kg/min of this man, 111 % of his true VO2max of 26.6
    # (104 % at the energy model's cost): his heart rate sits at HRmax for part of the stage,
    # which separates HRmax from VO2max, so all five traits are fitted, each within the fit's
    # own spread of the truth.
    fitted = set(who.truth)
    [row] = [line for line in printed.splitlines() if line.startswith("hr_max_bpm")]
    assert not row.endswith("not informed: prior kept")
    for key in fitted:
        truth = who.truth[key]
        assert subject[key]["from"] == "fit"
        mean, sd = subject[key]["mean"], subject[key]["sd"]
        assert abs(mean - truth) < 3.5 * sd + 1.0, key      # within the fit's own spread
    sc = load_scenario(out)
    assert sc.subject.uncertain().keys() == fitted
    ds = retrosim.Simulation(sc).dataset(traces=False)
    assert "with their sd" in ds.attrs["uncertainty"]
    assert [s.direction for s in sc.arms["recorded"].protocol.stages
            if s.speed_mps > 0] == [1, 1, 1, -1, -1]


def test_a_submaximal_walk_leaves_hr_max_at_its_prior(virtual):
    # The same man and walk at the energy model's cost ([energy] walking_cost = "none", the
    # model this case was written for): 104 % of his VO2max on the uphill stage only briefly,
    # so the walk trades HRmax against VO2max. His VO2max prior spreads 6.6 / 32.9 = 0.20 on
    # the log scale (FRIEND's standard error at his prediction, de Souza e Silva et al. 2018),
    # HRmax's posterior sd stays above 0.7 of its prior's: not informed, the prior kept.
    who, _ = virtual
    rec = recovery.recording(0, 5, who, energy={"walking_cost": "none"})
    fit = fit_person(rec, who.subject, EnergyOptions(walking_cost="none"))
    assert "hr_max_bpm" in fit.not_informed and "hr_max_bpm" not in fit.subject_table()
    assert set(fit.informed) == set(who.truth) - {"hr_max_bpm"}


def test_fit_file_with_scenario_arms_and_profile(tmp_path, virtual):
    _, rec = virtual
    out = tmp_path / "person.toml"
    path = write_fit(tmp_path / "s.fit", rec)
    assert main(["fit", str(path), "--scenario", "compendium-2011", "--stages",
                 str(_stages(tmp_path)), "-o", str(out)]) == 0
    data = tomllib.loads(out.read_text())
    assert set(data["arms"]) == {"forward-level", "backward-level", "backward-uphill"}
    assert data["subject"]["mass_kg"] == load_scenario("compendium-2011").subject.mass_kg
    assert any(isinstance(v, dict) for v in data["subject"].values())


def _stages(tmp_path):
    path = tmp_path / "stages.toml"
    path.write_text('stages = ["rest for 2 min", "walk forward at 2.5 mph for 3 min", '
                    '"walk forward at 3.5 mph for 3 min", '
                    '"walk forward at 3.5 mph, 8% grade for 3 min", '
                    '"walk backward at 1.5 mph for 3 min", '
                    '"walk backward at 2 mph, 4% grade for 3 min", "rest for 3 min"]\n')
    return path


def test_outdoor_walk_is_usable_with_a_warning(tmp_path, virtual, capsys):
    _, rec = virtual
    path = write_tcx(tmp_path / "walk.tcx", rec, speed=False)
    out = tmp_path / "person.toml"
    assert main(["fit", str(path), *PERSON, "--direction", "forward", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "warning" in printed and "level" in printed
    assert out.exists()


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p, r: _truncate(write_fit(p / "s.fit", r)), "corrupt or truncated"),
    (lambda p, r: write_fit(p / "ride.fit", r, heart_rate=False), "heart rate: missing"),
    (lambda p, r: write_csv(p / "s.csv", r, header=["time_s", "speed", "grade_pct", "hr_bpm",
                                                    "direction"]), "does not declare its unit"),
    (lambda p, r: _hr_only(p), "speed: missing"),
    (lambda p, r: _long(p), "longer than the budget"),
])
def test_bad_recordings(tmp_path, virtual, capsys, make, expected):
    path = make(tmp_path, virtual[1])
    out = tmp_path / "person.toml"
    assert main(["fit", str(path), *PERSON, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(path) in err and expected in err
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))


def test_person_missing_names_the_flags(tmp_path, virtual, capsys):
    path = write_csv(tmp_path / "s.csv", virtual[1])
    assert main(["fit", str(path), "-o", str(tmp_path / "p.toml")]) == 2
    err = capsys.readouterr().err
    assert "mass_kg, age_yr, sex: missing" in err and "--mass-kg, --age" in err


def _truncate(path):
    path.write_bytes(path.read_bytes()[:2000])
    return path


def _hr_only(tmp_path):
    path = tmp_path / "strap.csv"
    path.write_text("time_s,hr_bpm\n" + "".join(f"{i},{80 + i % 5}\n" for i in range(300)))
    return path


def _long(tmp_path):
    path = tmp_path / "long.csv"
    n = 4 * 3600 + 10
    t = np.arange(n)
    path.write_text("time_s,speed_kmh,hr_bpm\n" + "".join(f"{i},4.0,100\n" for i in t))
    return path


def test_a_metabolic_carts_column_is_fitted(tmp_path):
    import csv

    from retrosim.fit import recovery
    from retrosim.fit.workflow import fit_recording

    who = recovery.person(0, 5)
    rec = recovery.recording(0, 5, who, vo2=True)
    path = tmp_path / "cart.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["time_s", "speed_mps", "grade_pct", "hr_bpm", "vo2_ml_kg_min", "direction"])
        for row in zip(rec.time_s, rec.speed_mps, rec.grade_frac * 100, rec.hr_bpm,
                       rec.vo2_ml_kg_min, rec.direction, strict=True):
            w.writerow([f"{row[0]:g}", f"{row[1]:.4f}", f"{row[2]:.2f}",
                        "" if np.isnan(row[3]) else f"{row[3]:g}", f"{row[4]:.3f}",
                        "backward" if row[5] < 0 else "forward"])
    out = fit_recording(path, person={"age_yr": who.subject.age_yr, "sex": who.subject.sex,
                                      "mass_kg": who.subject.mass_kg})
    assert any("metabolic cart" in n for n in out.notes)
    vo2max = out.fit.traits["vo2max_ml_kg_min"]
    assert vo2max.low <= who.truth["vo2max_ml_kg_min"] <= vo2max.high


def test_a_womans_hr_max_prior_and_fixed_value_follow_the_womens_line():
    """HRmax's prior (and its value when not fitted) is the default model's line for the
    person's sex: Sydó et al. 2014's for a woman of 60, 162.6 min-1, not the men's 166."""
    from retrosim.fit.person import _fixed_values, priors
    from retrosim.model.subject import Subject
    from retrosim.physiology import heart
    woman = Subject(mass_kg=65.0, age_yr=60, sex="female")
    prior = {p.name: p for p in priors(woman, EnergyOptions(), backward=False)}["hr_max_bpm"]
    assert prior.prior_mean == pytest.approx(210.0 - 0.79 * 60) \
        == float(heart.HR_MAX_MODELS[EnergyOptions().hr_max](60.0, True))
    assert _fixed_values(woman, EnergyOptions())["hr_max_bpm"] == pytest.approx(162.6)
