"""Comparisons at scale, percentile bands and sweep grids: exact against direct computation."""

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import retrosim
from retrosim import InputError
from retrosim.model.scenario import Scenario
from retrosim.scale import bands, comparison, summary


def summaries(values, names=("x",)):
    """A result-like Dataset: ``values[name]`` of shape (arm, subject)."""
    a, n = np.shape(next(iter(values.values())))
    return xr.Dataset({k: (("arm", "subject"), v) for k, v in values.items()},
                      coords={"arm": [f"arm{i}" for i in range(a)], "subject": np.arange(n)})


@pytest.mark.parametrize("block", [7, 1000, 65_536])
def test_streamed_means_intervals_and_paired_differences_equal_direct_ones(monkeypatch, block):
    """Block by block (Chan's merge) equals the textbook formulas on the whole arrays."""
    monkeypatch.setattr(comparison, "BLOCK", block)
    rng = np.random.default_rng(0)
    base = rng.normal(100.0, 15.0, 500)                       # the people
    x = np.stack([base, base + rng.normal(2.0, 1.0, 500), base * 1.1])
    cmp = comparison.compare(summaries({"x": x}))
    n = 500
    t = stats.t.ppf(0.975, n - 1)
    for i in range(3):
        half = t * x[i].std(ddof=1) / np.sqrt(n)
        r = cmp.sel(outcome="x", arm=f"arm{i}")
        assert float(r["mean"]) == pytest.approx(x[i].mean(), rel=1e-12)
        assert float(r.high - r.low) / 2 == pytest.approx(half, rel=1e-9)
        for j in range(3):
            d = x[i] - x[j]
            p = cmp.sel(outcome="x", arm=f"arm{i}", versus=f"arm{j}")
            assert float(p["diff"]) == pytest.approx(d.mean(), abs=1e-9)
            assert float(p.diff_high - p.diff_low) / 2 == pytest.approx(
                t * d.std(ddof=1) / np.sqrt(n), rel=1e-6, abs=1e-9)


def test_paired_interval_is_far_narrower_than_the_spread_between_people():
    rng = np.random.default_rng(1)
    base = rng.normal(100.0, 15.0, 2000)
    cmp = comparison.compare(summaries({"x": np.stack([base, base + 1.0])}))
    p = cmp.sel(outcome="x", arm="arm1", versus="arm0")
    assert float(p["diff"]) == pytest.approx(1.0, abs=1e-9)
    assert float(p.diff_high - p.diff_low) < 1e-9 < float(cmp["high"][0, 0] - cmp["low"][0, 0])


def test_shares_get_wilson_intervals():
    fell = np.zeros((1, 400), dtype=bool)
    fell[0, :12] = True
    cmp = comparison.compare(summaries({"fell": fell}))
    ci = stats.binomtest(12, 400).proportion_ci(0.95, method="wilson")
    r = cmp.sel(outcome="fell", arm="arm0")
    assert bool(cmp.share.sel(outcome="fell"))
    assert (float(r.low), float(r.high)) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_missing_values_give_per_arm_statistics_only():
    x = np.array([[1.0, np.nan, 3.0], [2.0, 2.0, np.nan]])
    cmp = comparison.compare(summaries({"t": x}))
    assert cmp["mean"].sel(outcome="t").values.tolist() == [2.0, 2.0]
    assert cmp["count"].sel(outcome="t").values.tolist() == [2, 2]
    assert np.isnan(cmp["diff"].sel(outcome="t")).all()


def test_ranking_follows_the_objectives_and_marks_the_pareto_front():
    energy = np.array([[100.0] * 4, [120.0] * 4, [110.0] * 4])
    fell = np.array([[False] * 4, [True, True, False, False], [True, False, False, False]])
    cmp = comparison.compare(summaries({"energy_total": energy, "fell": fell}))
    assert cmp.goal.values.tolist() == ["max", "min"]
    assert cmp["rank"].sel(objective="energy_total").values.tolist() == [3, 1, 2]
    assert cmp["rank"].sel(objective="fell").values.tolist() == [1, 3, 2]
    assert cmp.pareto.values.tolist() == [True, True, True]
    table = summary.ranking_table(cmp)
    rows = [line.split()[1] for line in table.splitlines()[2:5]]
    assert rows == ["arm1", "arm2", "arm0"]
    energy[2] = 90.0                 # arm2 now worse than arm0 on energy and on falls
    assert comparison.compare(summaries({"energy_total": energy, "fell": fell})
                              ).pareto.values.tolist() == [True, True, False]


def test_event_counts_per_person_from_the_event_log():
    sc = retrosim.load_scenario("knee-rehab-six-protocols")
    ds = comparison.with_event_counts(retrosim.run(sc, subjects=300, traces=False),
                                      ("bp-reading",))
    assert ds.events_bp_reading.dims == ("arm", "subject")
    assert int(ds.events_bp_reading.sum()) == int((ds.event_kind == "bp-reading").sum())


# ------------------------------------------------------------------------------------------
# percentile bands from counts


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(35.0, 220.0), min_size=1, max_size=300), st.integers(1, 5))
def test_counts_add_up_across_chunks_and_percentiles_are_within_a_bin(values, parts):
    x = np.array(values)[None, :]
    whole = bands.counts(x, "hr")
    pieces = sum(bands.counts(p, "hr") for p in np.array_split(x, parts, axis=1))
    assert np.array_equal(whole, pieces)
    low, high, nbins = bands.BINS["hr"]
    width = (high - low) / nbins
    got = bands.percentiles(whole, "hr")[:, 0]
    for q, value in zip(bands.QUANTILES, got, strict=True):
        exact = np.quantile(x[0], q, method="inverted_cdf")
        assert abs(value - exact) <= width + 1e-9


# ------------------------------------------------------------------------------------------
# sweep grids


ARMS = {"fwd": {"stages": ["walk forward at 2 mph for 3 min", "rest for 2 min"]},
        "bwd": {"stages": ["walk backward at 1.5 mph, 2% grade for 3 min"]}}
SUBJECT = {"mass_kg": 70, "age_yr": 60, "sex": "female"}


def swept(sweep, **top):
    return Scenario.from_dict({"name": "grid", "subject": SUBJECT, "arms": ARMS,
                               "sweep": sweep, **top})


def test_the_grid_multiplies_the_arms_and_sets_every_walking_stage():
    sc = swept({"speed_mph": [1.0, 1.8], "grade_pct": [0, 4], "handrail": ["grip"],
                "duration_min": [4]})
    assert len(sc.arms) == 2 * 2 * 2
    arm = sc.arms["bwd/speed_mph=1.8,grade_pct=4,handrail=grip,duration_min=4"]
    (stage,) = arm.protocol.stages
    assert stage.direction == -1 and stage.grade_frac == 0.04 and stage.duration_s == 240
    assert stage.speed_mps == pytest.approx(1.8 * 0.44704)
    rest = sc.arms["fwd/speed_mph=1,grade_pct=0,handrail=grip,duration_min=4"].protocol
    assert rest.stages[1].is_rest and rest.stages[1].duration_s == 120
    ds = retrosim.run(sc, traces=False)
    assert ds.protocol.values.tolist()[:4] == ["fwd"] * 4 and ds.grade_pct.dims == ("arm",)


def test_a_cohort_grid_point_keeps_the_same_people_with_one_key_changed():
    sc = Scenario.from_dict({
        "name": "grid", "cohort": {"preset": "older-after-knee-surgery", "size": 300},
        "arms": {"fwd": ARMS["fwd"]}, "sweep": {"cohort": {"balance": ["good", "impaired"]}}})
    good, impaired = (sc.arms[f"fwd/cohort.balance={b}"].cohort.sample(300, 1)
                      for b in ("good", "impaired"))
    assert set(good.balance) == {0} and set(impaired.balance) == {2}
    assert good.mass_kg.tobytes() == impaired.mass_kg.tobytes()
    ds = retrosim.run(sc, traces=False)
    assert ds.cohort_balance.values.tolist() == ["good", "impaired"]


@pytest.mark.parametrize(("sweep", "key", "allowed"), [
    ({"speed_mph": [1.0, 4.8]}, "sweep", "4.5 mph"),
    ({"speed_mph": 2.0}, "sweep.speed_mph", "non-empty list"),
    ({"speed_mph": [2.0, 2.0]}, "sweep.speed_mph", "each value once"),
    ({"speed_mph": [2.0], "speed_kmh": [3.0]}, "sweep.speed_kmh", "one of them"),
    ({"grade_pct": ["steep"]}, "sweep.grade_pct", "numbers"),
    ({"handrail": ["both"]}, "sweep.handrail", "grip"),
    ({"direction": ["sideways"]}, "sweep.direction", "backward"),
    ({"tempo": [1]}, "sweep.tempo", "speed_mph"),
    ({"objectives": {"energy_total": "most"}}, "sweep.objectives.energy_total", "max | min"),
    ({"events": "fall"}, "sweep.events", "bp-exaggerated"),
    ({"cohort": {"age_yr": [10]}}, "sweep.cohort", "18-100"),
])
def test_bad_grids_get_one_line_naming_the_key(sweep, key, allowed):
    with pytest.raises(InputError) as info:
        swept(sweep)
    message = str(info.value)
    assert message.startswith(f"scenario: {key}"), message
    assert allowed in message and "\n" not in message


JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 50), st.floats(allow_nan=True),
              st.text(max_size=6), st.sampled_from(["grip", "backward", "max", "good"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["balance", "age_yr", "dist",
                                                             "energy_total", "x"]), inner,
                                            max_size=3)), max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["speed_mph", "grade_pct", "handrail", "direction",
                                        "duration_min", "cohort", "objectives", "events",
                                        "speed_kmh", "tempo"]), JUNK, max_size=3))
def test_any_sweep_table_loads_or_gets_a_one_line_error(table):
    try:
        sc = swept(table)
    except InputError as err:
        assert "\n" not in str(err) and str(err).startswith("scenario: sweep")
        return
    assert sc.arms


def test_the_plain_summary_names_the_best_arm_and_what_cannot_be_told_apart():
    """Two arms walked by the same 300 people: the faster one spends more energy (a paired
    difference far from 0); their sampled e-stops cannot be told apart."""
    import retrosim

    sc = retrosim.load_scenario("knee-replacement-what-if")
    ds = retrosim.run(sc, subjects=300, traces=False)
    cmp = comparison.decision(ds)
    text = summary.plain_summary(cmp, "1-5-mph-rail")
    assert "2-0-mph-no-rail has the most energy while walking" in text
    diff = float(cmp["diff"].sel(outcome="energy_exercise", arm="2-0-mph-no-rail",
                                 versus="1-5-mph-rail"))
    assert f"{diff:+.3g} kcal against 1-5-mph-rail" in text
    assert "1-5-mph-rail has the lowest fall risk (exact)" in text
    assert "systolic pressure after (expected)" in text.lower()
    table = summary.decision_table(cmp, "2-0-mph-rail")
    assert "difference from 2-0-mph-rail" in table
    estop = cmp.sel(outcome="estop")
    if "not distinguishable" in text:
        assert float(estop.diff_low.sel(arm="2-0-mph-no-rail", versus="1-5-mph-rail")) <= 0
