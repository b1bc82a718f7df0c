"""``retrosim check`` at scale: the sessions checked as they come give the Dataset's report,
whatever the chunk; the exit statuses are documented; a progress bar on request; clean arm
names in a golden diff; the report's section on controlled arms."""

import numpy as np
import pytest

import retrosim
from retrosim.cli.main import main
from retrosim.controllers import attach
from retrosim.testing import check, check_scenario, compare_golden, record_golden, run_controller


def broken_hr_scenario():
    """hr-controller with a program that runs the walker above the ceiling on some arms."""
    sc = retrosim.load_scenario("hr-controller")
    return attach(sc, "hr-target", faults=[{"kind": "runaway", "start_min": 10,
                                            "duration_s": 30, "subjects": [1, 3]}])


@pytest.mark.parametrize("chunk", [1, 2, 5])
def test_checking_sessions_as_they_come_gives_the_datasets_report(chunk):
    sc = broken_hr_scenario()
    whole = check(retrosim.run(sc, subjects=5))
    assert not whole.ok and whole.cases["speed-cap"] == 6      # 2 subjects x 3 arms
    streamed = check_scenario(sc, seed=sc.seed, subjects=5, step_s=1.0, chunk=chunk)
    assert str(streamed) == str(whole)


def test_the_exit_statuses_are_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    for line in ("0  every invariant holds", "1  an invariant is violated",
                 "2  bad input", "3  the controller crashed"):
        assert line in out


def test_a_progress_bar_on_request_goes_to_stderr(capsys):
    assert main(["check", "hr-target", "--scenario", "hr-controller", "--subjects", "2",
                 "--step", "10", "--progress"]) == 0
    captured = capsys.readouterr()
    assert "check:" in captured.err and "6/6" in captured.err
    assert "check:" not in captured.out
    assert main(["check", "hr-target", "--scenario", "hr-controller", "--step", "10"]) == 0
    assert "check:" not in capsys.readouterr().err                 # not a terminal: no bar


def test_a_golden_diff_names_arms_plainly(tmp_path):
    ds = run_controller("hr-target", "hr-controller")
    path = record_golden(ds, tmp_path / "g.csv")
    changed = ds.copy(deep=True)
    changed["speed"].values[0, 0, 600:] += 0.1
    text = str(compare_golden(changed, path))
    assert "at arm 'hr-program', subject 0" in text and "np.str_" not in text


def test_the_report_has_a_section_on_controlled_arms(tmp_path):
    from retrosim.report.document import write_report

    path = write_report("hr-controller", tmp_path / "r.html")
    page = path.read_text()
    assert '<section id="controllers"><h2>Controllers, faults and safety invariants</h2>' in page
    section = page.split('<section id="controllers">')[1].split("</section>")[0]
    assert "hr-target" in section and "target_hr_bpm = 110" in section
    assert "hr-loss from 900 s for 30 s" in section             # scheduled
    assert "t = 900 s: hr-loss from 900 s for 30 s: starts" in section     # as it struck
    assert "t = 930 s: hr-loss from 900 s for 30 s: ends" in section
    assert section.count("<td>holds</td>") == 8 and "every invariant holds" in section


def test_the_report_of_a_broken_controller_shows_the_violation(tmp_path):
    from retrosim.report import controller

    sc = broken_hr_scenario()
    sessions = list(retrosim.api.iter_sessions(sc, seed=sc.seed, subjects=5))
    ds = retrosim.run(sc, subjects=5, traces=False)
    html = controller.describe(sc, sessions, ds)
    assert "<td>speed-cap</td><td>violated</td>" in html and "6 of 15 arm-subject pairs" in html
    assert controller.describe(retrosim.load_scenario("compendium-2011"), [], ds) == ""


def test_memory_does_not_hold_traces():
    """What a check keeps per arm is a few numbers per person, not a (person x time) array."""
    from retrosim.testing.invariants import ArmCheck, check_session

    sc = retrosim.load_scenario("hr-controller")
    session = next(retrosim.api.iter_sessions(sc, seed=sc.seed, subjects=3))
    kept = check_session(session, sc.safety, ["speed-cap", "hr-ceiling"], 1.0)
    assert isinstance(kept, ArmCheck)
    arrays = [v for v in vars(kept).values() if isinstance(v, np.ndarray)]
    arrays += [a for d in (kept.first, kept.value, kept.limit) for a in d.values()]
    arrays += [a for a in kept._prev]
    assert max(a.size for a in arrays) <= 3
