"""Properties over random subjects and protocols: energy and heart rate never fall with speed or
grade, the backward heart-rate excess is never negative, intervals contain the central value."""

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import retrosim
from retrosim.api import iter_sessions
from retrosim.physiology import heart

subjects = st.fixed_dictionaries({
    "mass_kg": st.floats(45, 120), "age_yr": st.integers(20, 90),
    "sex": st.sampled_from(["female", "male"]),
    "fitness": st.sampled_from(["inactive", "recreational", "trained"]),
    "backward_practice_min": st.floats(0, 2000)})


def scenario(subject, stages, model="continuous"):
    return retrosim.Scenario.from_dict({"name": "p", "subject": subject,
                                        "energy": {"model": model},
                                        "treadmill": {"start": "at-speed"},
                                        "arms": {"a": {"stages": stages}}})


def summary(sc, stage_s):
    """Energy, peak heart rate, heart rate as the walking stage ends, and whether the
    heart-rate target reached HRmax (its ceiling)."""
    session = next(iter(iter_sessions(sc, seed=0, subjects=1)))
    tr = session.trajectory
    out = tr.summary()
    end = int(np.searchsorted(tr.timeline.t[:, 0], stage_s))
    hr_max = float(session.physiology.hr_max[0])
    return (float(out["energy_total"][0]), float(out["hr_peak"][0]), float(tr.hr[end, 0]),
            bool(tr.hr_target[:, 0].max() >= hr_max - 2 * np.spacing(hr_max)), hr_max)


#: Rounding operations between the inputs and a summary (a few per knot, fewer than 16 knots):
#: two values equal in exact arithmetic differ by at most this many units in the last place.
ROUNDINGS = 64


def at_least(a, b):
    """``a >= b`` up to the rounding of the computation, relative to the magnitude."""
    return a >= b - ROUNDINGS * np.spacing(max(abs(a), abs(b)))


@settings(max_examples=25, deadline=None)
@given(subject=subjects, backward=st.booleans(), mph=st.floats(0.8, 3.5),
       more=st.floats(0.05, 0.8), grade=st.floats(0, 10), steeper=st.floats(0.5, 5))
@example(subject={"mass_kg": 100.0, "age_yr": 85, "sex": "female", "fitness": "trained",
                  "backward_practice_min": 2.6}, backward=True, mph=2.6, more=0.05, grade=2.6,
         steeper=2.6)               # at HRmax: the steeper stop leaves the peak 1e-6 bpm lower
def test_energy_and_heart_rate_never_fall_with_speed_or_grade(subject, backward, mph, more,
                                                              grade, steeper):
    word = "backward" if backward else "forward"

    def run(speed, pct):
        return summary(scenario(subject, [f"walk {word} at {speed:.2f} mph, {pct:.1f}% grade "
                                          "for 8 min", "rest for 20 min"]), 480.0)

    base = run(mph, grade)
    faster, steeper_ = run(mph + more, grade), run(mph, grade + steeper)
    for a, b in ((faster, base), (steeper_, base)):
        (energy_a, peak_a, end_a, ceiling_a, hr_max), (energy_b, peak_b, end_b, *_) = a, b
        assert at_least(energy_a, energy_b) and at_least(end_a, end_b)
        if ceiling_a:
            # At HRmax the targets are alike; the belt's stop (its ramps differ with speed and
            # grade) decides how much closer to HRmax the state comes after the stage ends.
            assert end_a <= peak_a and end_b <= peak_b and at_least(hr_max, max(peak_a, peak_b))
        else:
            assert at_least(peak_a, peak_b)


@settings(max_examples=300, deadline=None)
@given(practice=st.floats(-10, 1e7), vo2r=st.floats(-50, 200))
def test_the_backward_excess_is_never_negative(practice, vo2r):
    assert float(heart.backward_excess(practice, vo2r)) >= 0.0


@settings(max_examples=200, deadline=None)
@given(vo2=st.floats(0, 80), vo2max=st.floats(10, 80), hr_rest=st.floats(40, 100),
       hr_max=st.floats(130, 210), practice=st.floats(0, 5000))
def test_backward_heart_rate_is_at_least_forward_and_bounded(vo2, vo2max, hr_rest, hr_max,
                                                              practice):
    fwd, back = heart.swain_1994_backward_hr(vo2, 3.5, vo2max, hr_rest, hr_max, [1, -1],
                                             practice)
    # Correctly rounded operations are monotone, so backward >= forward holds exactly (the excess
    # is >= 0); HRrest and HRmax come back through a division and a product by HRmax: 2 ulps.
    assert fwd <= back
    assert fwd >= hr_rest - 2 * np.spacing(hr_rest) and back <= hr_max + 2 * np.spacing(hr_max)


@settings(max_examples=4, deadline=None)
@given(subject=subjects, mph=st.floats(1.0, 3.0), backward=st.booleans(),
       measured=st.booleans())
def test_intervals_contain_the_central_value(subject, mph, backward, measured):
    if measured:
        subject = {**subject, "vo2max_ml_kg_min": 30.0}
    word = "backward" if backward else "forward"
    ds = retrosim.run(scenario(subject, [f"walk {word} at {mph:.1f} mph for 10 min",
                                         "rest for 30 min"]), traces=False)
    for name in ("energy_total", "vo2_peak", "hr_peak", "met_mean"):
        centre = float(ds[name].values[0, 0])
        low, high = float(ds[f"{name}_low"].values[0]), float(ds[f"{name}_high"].values[0])
        assert low <= centre <= high, name
        assert ds[f"{name}_low"].attrs["interval"] == "90% prediction interval"
    assert np.isfinite(ds.hr_peak_high.values).all()
