"""Per-subject stops proposed by event models, spliced into the run."""

import numpy as np

import retrosim
from retrosim.engine.session import STOPS, EventLog, stop_kinds
from retrosim.events.base import EventModel
from retrosim.model.options import STOP_KINDS

#: The result's stop_reason codes, as the docs give them (a contract: flag_values 0, 1, ...).
CONTRACT = ["completed", "estop", "bp-acc-aha", "bp-exaggerated", "other"]


def test_event_log_orders_by_time_and_drops_what_follows_a_stop():
    log = EventLog()
    log.add(0.0, "stage", "walk")
    log.add_many(np.array([50.0, 20.0, 80.0]), np.array([0, 1, 1]), "stumble", "trip")
    log.drop_after(np.array([np.inf, 30.0]))
    times, subjects, kinds, _ = log.columns()
    assert times.tolist() == [0.0, 20.0, 50.0]
    assert subjects.tolist() == [-1, 1, 0] and kinds.tolist() == ["stage", "stumble", "stumble"]


def test_a_proposed_stop_ends_that_subjects_walk():
    """An event model stopping subject 1 at 90 s: the belt stops, the rest is untouched."""

    def stop_subject_one(session):
        session.propose_stop(np.array([1]), np.array([120.0]), "test")
        session.propose_stop(np.array([1]), np.array([90.0]), "earlier")
        session.log.add_many(np.array([90.0, 150.0]), np.array([1, 1]), "test", "x")

    sc = retrosim.load_scenario("forward-vs-backward")
    ds = retrosim.run(sc, subjects=2, models=[EventModel("stopper", during=stop_subject_one)])
    a = ds.sel(arm="forward")
    assert float(a.speed.sel(subject=1, time=100.0)) == 0.0
    assert float(a.speed.sel(subject=0, time=100.0)) > 1.0
    assert float(a.energy_total.sel(subject=1)) < float(a.energy_total.sel(subject=0))
    kept = ds.event_time.where((ds.event_kind == "test") & (ds.event_arm == "forward"),
                               drop=True)
    assert kept.values.tolist() == [90.0]
    reasons = [CONTRACT[c] for c in a.stop_reason.values]
    assert reasons == ["completed", "other"]          # "earlier" is no kind the engine names


def test_stop_reason_says_why_each_session_stopped():
    """A fall ends the walk with a tether pull (an emergency stop); the others complete."""
    sc = retrosim.load_scenario("balance-levels")
    ds = retrosim.run(sc, subjects=300, traces=False)
    codes = ds.stop_reason.values
    assert ds.stop_reason.attrs["flag_meanings"].split() == CONTRACT
    assert ds.stop_reason.attrs["flag_values"].tolist() == list(range(len(CONTRACT)))
    np.testing.assert_array_equal(codes == CONTRACT.index("estop"), ds.estop.values)
    assert ds.fell.values.any() and (codes[ds.fell.values] == CONTRACT.index("estop")).all()
    assert set(np.unique(codes)) <= {0, 1}


def test_every_stop_kind_is_registered_once_by_what_raises_it():
    """The engine's, and one for each stop [bp] stop_on may ask for; codes 0, 1, ... as the
    contract gives them, each with its meaning."""
    assert [k.name for k in stop_kinds()] == CONTRACT
    assert [k.code for k in stop_kinds()] == list(range(len(CONTRACT)))
    assert all(f"bp-{name}" in STOPS for name in STOP_KINDS)
    assert all(k.meaning for k in stop_kinds())


def test_a_blood_pressure_stop_records_its_kind():
    sc = retrosim.Scenario.from_dict({
        "name": "ceiling", "seed": 3, "bp": {"stop_on": ["exaggerated"]},
        "subject": {"mass_kg": 90, "age_yr": 70, "sex": "male", "resting_bp_mmhg": [178, 104]},
        "arms": {"steep": {"stages": ["walk forward at 3.5 mph, 12% grade for 15 min"]}}})
    ds = retrosim.run(sc, subjects=5, traces=False)
    codes = ds.stop_reason.values
    assert (codes == STOPS["bp-exaggerated"].code).any()


def test_an_event_models_own_stop_kind_gets_its_own_code(monkeypatch):
    from retrosim.engine import session as engine_session

    monkeypatch.setattr(engine_session, "STOPS", dict(STOPS))
    tired = engine_session.register_stop("tired", 5, "the walker asked to stop")

    def stop_subject_one(session):
        session.propose_stop(np.array([1]), np.array([90.0]), tired)

    sc = retrosim.load_scenario("forward-vs-backward")
    ds = retrosim.run(sc, subjects=2, traces=False,
                      models=[EventModel("tiring", during=stop_subject_one)])
    assert ds.stop_reason.sel(arm="forward").values.tolist() == [0, 5]
    assert ds.stop_reason.attrs["flag_meanings"].split() == [*CONTRACT, "tired"]
