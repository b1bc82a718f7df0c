"""Properties over random subjects and protocols: energy and heart rate never fall with speed or
grade, the backward heart-rate excess is never negative, intervals contain the central value."""

import numpy as np
from hypothesis import given, settings
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


def summary(sc):
    session = next(iter(iter_sessions(sc, seed=0, subjects=1)))
    out = session.trajectory.summary()
    return float(out["energy_total"][0]), float(out["hr_peak"][0])


@settings(max_examples=25, deadline=None)
@given(subject=subjects, backward=st.booleans(), mph=st.floats(0.8, 3.5),
       more=st.floats(0.05, 0.8), grade=st.floats(0, 10), steeper=st.floats(0.5, 5))
def test_energy_and_heart_rate_never_fall_with_speed_or_grade(subject, backward, mph, more,
                                                              grade, steeper):
    word = "backward" if backward else "forward"

    def run(speed, pct):
        return summary(scenario(subject, [f"walk {word} at {speed:.2f} mph, {pct:.1f}% grade "
                                          "for 8 min", "rest for 20 min"]))

    base = run(mph, grade)
    faster, steeper_ = run(mph + more, grade), run(mph, grade + steeper)
    for a, b in ((faster, base), (steeper_, base)):
        assert a[0] >= b[0] - 1e-9 and a[1] >= b[1] - 1e-9


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
    assert hr_rest - 1e-9 <= fwd <= back + 1e-9 and back <= hr_max + 1e-9


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
